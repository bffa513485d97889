/* SPDX-License-Identifier: MIT */
/*
 * Without a fuzzing engine each target links this driver and replays the
 * files given on the command line (or every file of the directories
 * given), so the committed corpus runs as an ordinary test.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fuzz.h"

static int
run_file(const char *path)
{
	static unsigned char buf[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

static int
run_path(const char *path, unsigned *count)
{
	char sub[4096];
	struct dirent *e;
	struct stat st;
	int err = 0;
	DIR *d;

	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	d = opendir(path);
	if (!d)
		return 1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		err |= run_path(sub, count);
	}
	closedir(d);
	return err;
}

int
main(int argc, char **argv)
{
	unsigned count = 0;
	int i, err = 0;

	for (i = 1; i < argc; i++)
		err |= run_path(argv[i], &count);
	printf("%u inputs replayed\n", count);
	return err || count == 0;
}
