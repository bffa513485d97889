/* SPDX-License-Identifier: MIT */
/*
 * table.c - table lifecycle, configuration, the flow pool, snapshots,
 * dumps and statistics.
 *
 * Every byte is allocated here, at creation, through the embedder's hooks:
 * the record pool, the index, the wheel, user data and the pool's free
 * stack.  After udpct_table_new() nothing allocates.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "index.h"

#define DEFAULT_CAPACITY	262144u		/* nf_conntrack_max here */
#define MAX_CAPACITY		(1u << 30)
#define DEFAULT_TIMEOUT		(30 * NSEC_PER_SEC)
#define DEFAULT_STREAM_TIMEOUT	(120 * NSEC_PER_SEC)
#define DEFAULT_EXPECT_MAX	4096u		/* nf_conntrack_expect_max */

UDPCT_EXPORT void
udpct_config_init(struct udpct_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
}

static uint64_t
or_default(uint64_t v, uint64_t def)
{
	return v ? v : def;
}

static int
check_config(const struct udpct_config *c)
{
	size_t i;

	if (c->size != sizeof(*c) || (c->flags & ~UDPCT_CFG_ALL_FLAGS) ||
	    c->expect_max > (1u << 20) || c->capacity > MAX_CAPACITY ||
	    c->user_data_size > (1u << 20))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(c->reserved); i++)
		if (c->reserved[i])
			return -EINVAL;
	if ((c->alloc.alloc == NULL) != (c->alloc.free == NULL))
		return -EINVAL;
	return 0;
}

/*
 * Wheel slots: a power of two, as many as flows (a small table re-files its
 * few long-lived flows more often instead of zeroing a large wheel), from
 * 256 (1 s span) to UDPCT__WHEEL_SLOTS.
 */
static uint32_t
wheel_slots(uint32_t capacity)
{
	uint32_t n = 256;

	while (n < capacity && n < UDPCT__WHEEL_SLOTS)
		n <<= 1;
	return n;
}

/*
 * Buckets: a power of two, at most 2 flows per 8-slot bucket on average
 * when the table is full, so that nearly every key sits in its first
 * bucket (one index cache line per lookup) and both candidates are full
 * practically never (32 bytes of index per flow).
 */
static uint32_t
bucket_count(uint32_t capacity)
{
	uint32_t n = 1;

	while ((uint64_t)n * 2 < capacity)
		n <<= 1;
	return n;
}

static uint64_t
splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int
make_secret(struct udpct_table *t, const struct udpct_config *c)
{
	uint64_t s = c->hash_seed, w;
	size_t off = 0;
	ssize_t n;

	if (c->flags & UDPCT_CFG_FIXED_SEED) {
		/* Reproducible: a replay with the same seed buckets the same. */
		for (off = 0; off < sizeof(t->secret); off += 8) {
			w = splitmix64(&s);
			memcpy(t->secret + off, &w, 8);
		}
		return 0;
	}
	while (off < sizeof(t->secret)) {
		n = getrandom(t->secret + off, sizeof(t->secret) - off, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)n;
	}
	return 0;
}

static size_t
flows_bytes(const struct udpct_table *t)
{
	return (size_t)t->capacity << t->rec_shift;
}

static size_t
overflowed_bytes(const struct udpct_table *t)
{
	return ((size_t)t->bucket_mask / 64 + 1) * 8;
}

static int
alloc_arrays(struct udpct_table *t)
{
	struct udpct__alloc *a = &t->alloc;
	uint32_t nb = t->bucket_mask + 1, i;
	void *wmem;

	t->flows = udpct__alloc_zero(a, flows_bytes(t), 1u << t->rec_shift);
	t->bucket_bytes = (size_t)nb * sizeof(*t->buckets);
	t->buckets = udpct__alloc_zero(a, t->bucket_bytes, UDPCT_CACHE_LINE);
	t->overflowed = udpct__alloc_zero(a, overflowed_bytes(t), 8);
	t->free_stack = udpct__alloc_zero(a, (size_t)t->capacity * 4, 4);
	t->exp = udpct__alloc_zero(a, (size_t)t->expect_max * sizeof(*t->exp),
				   8);
	t->shards = udpct__alloc_zero(a, UDPCT__SHARDS * sizeof(*t->shards),
				      UDPCT_CACHE_LINE);
	t->qsbr.ring_size = t->capacity;
	t->qsbr.ring = udpct__alloc_zero(a, (size_t)t->capacity *
					 sizeof(*t->qsbr.ring), 4);
	t->wheel_bytes = udpct__wheel_mem_size(t->capacity + t->expect_max,
					       wheel_slots(t->capacity));
	wmem = udpct__alloc_zero(a, t->wheel_bytes, 8);
	if (t->user_data_size)
		t->user_data = udpct__alloc_zero(a, (size_t)t->capacity *
						 t->user_data_size, 16);
	if (!t->flows || !t->buckets || !t->overflowed || !t->free_stack ||
	    !wmem ||
	    !t->exp || !t->shards || !t->qsbr.ring ||
	    (t->user_data_size && !t->user_data)) {
		t->wheel.nodes = wmem;
		return -ENOMEM;
	}
	udpct__wheel_init(&t->wheel, wmem, t->capacity + t->expect_max,
			  wheel_slots(t->capacity), 0);
	/* Pop order 0, 1, 2...: neighbours in time share pages. */
	for (i = 0; i < t->capacity; i++)
		t->free_stack[i] = t->capacity - 1 - i;
	atomic_store_explicit(&t->free_top, t->capacity, RLX);
	atomic_store_explicit(&t->qsbr.gp, 1, RLX);
	return 0;
}

static void
free_arrays(struct udpct_table *t)
{
	struct udpct__alloc *a = &t->alloc;

	udpct__alloc_free(a, t->flows, flows_bytes(t));
	udpct__alloc_free(a, t->buckets, t->bucket_bytes);
	udpct__alloc_free(a, t->overflowed, overflowed_bytes(t));
	udpct__alloc_free(a, t->free_stack, (size_t)t->capacity * 4);
	udpct__alloc_free(a, t->exp, (size_t)t->expect_max * sizeof(*t->exp));
	udpct__alloc_free(a, t->shards, UDPCT__SHARDS * sizeof(*t->shards));
	udpct__alloc_free(a, t->qsbr.ring,
			  (size_t)t->capacity * sizeof(*t->qsbr.ring));
	udpct__alloc_free(a, t->wheel.nodes, t->wheel_bytes);
	udpct__alloc_free(a, t->user_data,
			  (size_t)t->capacity * t->user_data_size);
}

static int
table_setup(struct udpct_table *t, const struct udpct_config *c)
{
	t->flags = c->flags;
	t->rec_shift = c->flags & UDPCT_CFG_ACCOUNTING ? 7 : 6;
	t->capacity = c->capacity ? c->capacity : DEFAULT_CAPACITY;
	t->user_data_size = (c->user_data_size + 15) & ~15u;
	t->expect_max = c->expect_max ? c->expect_max : DEFAULT_EXPECT_MAX;
	t->timeout_ns = or_default(c->udp_timeout_ns, DEFAULT_TIMEOUT);
	t->stream_timeout_ns = or_default(c->udp_timeout_stream_ns,
					  DEFAULT_STREAM_TIMEOUT);
	t->evict_fn = c->evict_fn;
	t->evict_arg = c->evict_arg;
	t->bucket_mask = bucket_count(t->capacity) - 1;
	if (pthread_mutex_init(&t->lock, NULL))
		return -ENOMEM;
	t->lock_ok = true;
	return make_secret(t, c);
}

UDPCT_EXPORT int
udpct_table_new(const struct udpct_config *cfg, struct udpct_table **out)
{
	struct udpct_config def;
	struct udpct__alloc a;
	struct udpct_table *t;
	int err;

	if (!cfg) {
		udpct_config_init(&def);
		cfg = &def;
	}
	if (!out || (err = check_config(cfg)) < 0)
		return -EINVAL;
	udpct__alloc_init(&a, &cfg->alloc);
	t = udpct__alloc_zero(&a, sizeof(*t), UDPCT_CACHE_LINE);
	if (!t)
		return -ENOMEM;
	t->alloc = a;
	err = table_setup(t, cfg);
	if (!err)
		err = alloc_arrays(t);
	if (err) {
		free_arrays(t);
		if (t->lock_ok)
			pthread_mutex_destroy(&t->lock);
		a = t->alloc;
		udpct__alloc_free(&a, t, sizeof(*t));
		return err;
	}
	*out = t;
	return 0;
}

UDPCT_EXPORT void
udpct_table_free(struct udpct_table *t)
{
	struct udpct__alloc a;

	if (!t)
		return;
	free_arrays(t);
	pthread_mutex_destroy(&t->lock);
	a = t->alloc;
	udpct__alloc_free(&a, t, sizeof(*t));
}

void *
udpct__user_data(struct udpct_table *t, uint32_t idx)
{
	if (!t->user_data_size)
		return NULL;
	return t->user_data + (size_t)idx * t->user_data_size;
}

/* A free record, reclaiming retired ones if needed.  Lock held. */
struct udpct_flow *
udpct__flow_alloc(struct udpct_table *t)
{
	uint32_t top = atomic_load_explicit(&t->free_top, RLX);

	if (top == 0 && udpct__qsbr_reclaim(t))
		top = atomic_load_explicit(&t->free_top, RLX);
	if (top == 0)
		return NULL;
	atomic_store_explicit(&t->free_top, top - 1, RLX);
	return udpct__flow_at(t, t->free_stack[top - 1]);
}

/* Make @f, whose key hashes to @hash, unreachable for lookups.  Lock held. */
void
udpct__flow_unlink_hashed(struct udpct_table *t, struct udpct_flow *f,
			  uint64_t hash)
{
	atomic_fetch_or_explicit(&f->status, UDPCT_STATUS_DYING, RLX);
	udpct__index_remove(t, hash, udpct__flow_idx(t, f));
}

void
udpct__flow_unlink(struct udpct_table *t, struct udpct_flow *f)
{
	struct udpct__key key;

	udpct__flow_key(f, &key);
	udpct__flow_unlink_hashed(t, f, udpct__hash_key(t->secret, &key));
}

/* An unlinked flow leaves the wheel, loses its expectations, and waits
 * out readers before reuse.  Lock held. */
void
udpct__flow_retire(struct udpct_table *t, struct udpct_flow *f)
{
	uint32_t idx = udpct__flow_idx(t, f);

	udpct__wheel_cancel(&t->wheel, idx);
	if (f->nexpect)
		udpct__expect_kill_master(t, idx);
	udpct__qsbr_retire(t, idx);
}

/* Remove linked flow @f for good, telling @fn (if any) first.  Lock held. */
void
udpct__flow_remove(struct udpct_table *t, struct udpct_flow *f,
		   udpct_expire_fn fn, void *arg)
{
	struct udpct_flow_info info;

	if (fn) {
		udpct__flow_info(t, f, &info);
		fn(arg, &info, udpct__user_data(t, udpct__flow_idx(t, f)));
	}
	udpct__flow_unlink(t, f);
	udpct__flow_retire(t, f);
}

/* No reader can see record @idx any more.  Lock held. */
void
udpct__flow_free_idx(struct udpct_table *t, uint32_t idx)
{
	uint32_t top = atomic_load_explicit(&t->free_top, RLX);

	atomic_store_explicit(&udpct__flow_at(t, idx)->status, 0, RLX);
	t->free_stack[top] = idx;
	atomic_store_explicit(&t->free_top, top + 1, RLX);
}

void
udpct__flow_info(const struct udpct_table *t, const struct udpct_flow *f,
		 struct udpct_flow_info *info)
{
	const struct udpct__acct *a = udpct__acct(f);
	struct udpct__key key;
	int i;

	udpct__flow_key(f, &key);
	memset(info, 0, sizeof(*info));
	udpct__key_tuple(&key, &info->tuple);
	info->status = atomic_load_explicit(&f->status, RLX);
	if (t->flags & UDPCT_CFG_ACCOUNTING) {
		for (i = 0; i < 2; i++) {
			info->packets[i] =
				atomic_load_explicit(&a->packets[i], RLX);
			info->bytes[i] =
				atomic_load_explicit(&a->bytes[i], RLX);
		}
		info->last_ns = atomic_load_explicit(&a->last_ns, RLX);
	}
	info->first_ns = atomic_load_explicit(&f->first_ns, RLX);
	info->deadline_ns = atomic_load_explicit(&f->deadline_ns, RLX);
	info->helper = f->helper ? t->helpers[f->helper - 1].name : NULL;
}

bool
udpct__flow_valid(const struct udpct_table *t, const struct udpct_flow *f)
{
	uintptr_t p = (uintptr_t)f, base = (uintptr_t)t->flows;

	return p >= base && p < base + flows_bytes(t) &&
	       ((p - base) & ((1u << t->rec_shift) - 1)) == 0;
}

UDPCT_EXPORT int
udpct_flow_get_info(const struct udpct_table *t, const struct udpct_flow *f,
		    struct udpct_flow_info *info)
{
	if (!t || !f || !info || !udpct__flow_valid(t, f))
		return -EINVAL;
	udpct__flow_info(t, f, info);
	return 0;
}

UDPCT_EXPORT void *
udpct_flow_get_user_data(struct udpct_table *t, struct udpct_flow *f)
{
	if (!t || !f || !udpct__flow_valid(t, f))
		return NULL;
	return udpct__user_data(t, udpct__flow_idx(t, f));
}

UDPCT_EXPORT int
udpct_table_scan(struct udpct_table *t, uint64_t now_ns, udpct_scan_fn fn,
		 void *arg)
{
	struct udpct_flow_info info;
	struct udpct_flow *f;
	uint32_t i;
	int n = 0;

	if (!t || !fn)
		return -EINVAL;
	udpct__lock(t);
	for (i = 0; i < t->capacity; i++) {
		f = udpct__flow_at(t, i);
		if (!udpct__flow_live(f, now_ns))
			continue;
		udpct__flow_info(t, f, &info);
		n++;
		if (fn(arg, &info, f))
			break;
	}
	udpct__unlock(t);
	return n;
}
