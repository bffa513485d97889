#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-live.sh - the live conformance suite: make the running kernel the
# oracle, record every scenario again and compare udpct with it.
#
#   run-live.sh UDPCT RECORDER [--update] [--keep DIR] [--scenario NAME]...
#
# UDPCT is build/tools/udpct/udpct, RECORDER the udpct-conformance-recorder
# built next to this script.  It needs root, network namespaces, nft,
# conntrack and /usr/bin/python3 with scapy; without them it says why and
# exits 77 (meson: SKIP).
#
# Topology (all inside namespaces made here, udpct-cf<pid>-<random>-{c,r,s};
# addresses from the documentation ranges only):
#
#   client ns            router ns (conntrack)           server ns
#   vc 192.0.2.1,.2      rc 192.0.2.254   rs 198.51.100.254  vs 198.51.100.2,.3
#      2001:db8:1::1,::2    2001:db8:1::fe   203.0.113.254      203.0.113.9
#                                            2001:db8:2::fe     2001:db8:2::2,::3
#                                            2001:db8:3::fe     2001:db8:3::9
#
# The router forwards; its forward chain writes the conntrack verdict into
# the packet mark and logs every UDP/ICMP/ICMPv6 packet to NFLOG, where the
# recorder picks it up (see recorder.c).  driver.py injects one packet at a
# time from the client or server namespace (AF_PACKET on the veth) and waits
# for the recorder's acknowledgement; compare.py then replays each recorded
# pcap through udpct and compares packet by packet, and compares the
# kernel's `conntrack -L` snapshots with `udpct replay --list`.
#
# --update copies the regenerated traces into tests/conformance/traces/.
# --keep DIR keeps the recorded traces in DIR.
#
# Every namespace made here is deleted on exit, including on failure, on
# SIGINT/SIGTERM and on timeout; no sysctl outside them is touched.  (Only
# SIGKILL can leave some behind: `ip netns list | grep udpct-cf`.)
set -u

here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3
group=7

skip() {
	echo "conformance-live: SKIP: $*"
	exit 77
}

if [ $# -lt 2 ]; then
	echo "usage: $0 UDPCT RECORDER [--update] [--keep DIR] [--scenario NAME]..." >&2
	exit 2
fi
udpct=$1
recorder=$2
shift 2
update=0
keep=
scen_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--update) update=1 ;;
	--keep) keep=$2; shift ;;
	--scenario) scen_args+=(--scenario "$2"); shift ;;
	*) echo "$0: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
[ "${UDPCT_CONFORMANCE_UPDATE:-0}" = 1 ] && update=1

# ---- can we run at all? --------------------------------------------------
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, nftables); the committed traces are still checked by conformance-traces"
for tool in ip nft conntrack; do
	command -v $tool >/dev/null 2>&1 || skip "'$tool' not installed (Debian: iproute2 nftables conntrack)"
done
[ -x "$python" ] && "$python" -c 'import scapy.all' 2>/dev/null ||
	skip "$python with scapy not available (Debian: python3-scapy)"
[ -n "$recorder" ] && [ -x "$recorder" ] ||
	skip "recorder not built (needs libmnl: Debian libmnl-dev)"
[ -x "$udpct" ] || skip "udpct tool not built ($udpct)"
udpct=$(realpath "$udpct")
recorder=$(realpath "$recorder")

start=$SECONDS
tag=udpct-cf$$-$RANDOM
ns_c=$tag-c
ns_r=$tag-r
ns_s=$tag-s
made=()
work=$(mktemp -d /tmp/udpct-conformance.XXXXXX)
driver_pid=

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$driver_pid" ]; then
		kill "$driver_pid" 2>/dev/null
		wait "$driver_pid" 2>/dev/null
	fi
	for ns in "${made[@]}"; do
		ip netns del "$ns" 2>/dev/null ||
			echo "conformance-live: could not delete netns $ns" >&2
	done
	if [ -n "$keep" ] && [ -d "$work/out" ]; then
		mkdir -p "$keep" && cp -r "$work/out/." "$keep/" &&
			echo "conformance-live: traces kept in $keep"
	fi
	rm -rf "$work"
	echo "conformance-live: namespaces removed; $((SECONDS - start)) s in all"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for ns in $ns_c $ns_r $ns_s; do
	if ! err=$(ip netns add "$ns" 2>&1); then
		skip "cannot create network namespaces (ip netns add: $err)"
	fi
	made+=("$ns")
done

set -e
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ---- links and addresses -------------------------------------------------
ip -n $ns_r link add rc address 02:00:00:00:01:fe type veth peer name vc netns $ns_c address 02:00:00:00:01:01
ip -n $ns_r link add rs address 02:00:00:00:02:fe type veth peer name vs netns $ns_s address 02:00:00:00:02:02
for ns in $ns_c $ns_r $ns_s; do
	# IPv6 sysctls of these new namespaces only
	nsx $ns sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip -n $ns link set lo up
done
ip -n $ns_c addr add 192.0.2.1/24 dev vc
ip -n $ns_c addr add 192.0.2.2/24 dev vc
ip -n $ns_c addr add 2001:db8:1::1/64 dev vc nodad
ip -n $ns_c addr add 2001:db8:1::2/64 dev vc nodad
ip -n $ns_r addr add 192.0.2.254/24 dev rc
ip -n $ns_r addr add 2001:db8:1::fe/64 dev rc nodad
ip -n $ns_r addr add 198.51.100.254/24 dev rs
ip -n $ns_r addr add 203.0.113.254/24 dev rs
ip -n $ns_r addr add 2001:db8:2::fe/64 dev rs nodad
ip -n $ns_r addr add 2001:db8:3::fe/64 dev rs nodad
ip -n $ns_s addr add 198.51.100.2/24 dev vs
ip -n $ns_s addr add 198.51.100.3/24 dev vs
ip -n $ns_s addr add 203.0.113.9/24 dev vs
ip -n $ns_s addr add 2001:db8:2::2/64 dev vs nodad
ip -n $ns_s addr add 2001:db8:2::3/64 dev vs nodad
ip -n $ns_s addr add 2001:db8:3::9/64 dev vs nodad
for pair in "$ns_c vc" "$ns_r rc" "$ns_r rs" "$ns_s vs"; do
	set -- $pair
	ip -n "$1" link set "$2" up
done
ip -n $ns_c route add default via 192.0.2.254
ip -n $ns_c -6 route add default via 2001:db8:1::fe
ip -n $ns_s route add default via 198.51.100.254
ip -n $ns_s -6 route add default via 2001:db8:2::fe

# ---- the router: forwarding, conntrack diagnostics, the verdict rules ------
nsx $ns_r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
	net.ipv4.conf.rc.rp_filter=0 net.ipv4.conf.rs.rp_filter=0 \
	net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.rc.send_redirects=0 \
	net.ipv4.conf.rs.send_redirects=0
nsx $ns_r nft -f - <<EOF
table inet udpct_conf {
	ct helper tftp_h {
		type "tftp" protocol udp
		l3proto inet
	}
	chain pre {
		type filter hook prerouting priority 0; policy accept;
		udp dport 69 ct helper set "tftp_h"
	}
	chain fw {
		type filter hook forward priority 0; policy accept;
		meta l4proto { udp, icmp, ipv6-icmp } jump rec
	}
	chain rec {
		meta mark set 0x0
		ct state invalid meta mark set meta mark or 0x1
		ct state established meta mark set meta mark or 0x2
		ct state related meta mark set meta mark or 0x4
		ct state new meta mark set meta mark or 0x8
		ct state untracked meta mark set meta mark or 0x40
		ct direction reply meta mark set meta mark or 0x100
		ct status expected meta mark set meta mark or 0x10000
		ct status seen-reply meta mark set meta mark or 0x20000
		ct status assured meta mark set meta mark or 0x40000
		ct status confirmed meta mark set meta mark or 0x80000
		log group $group prefix "udpct"
	}
}
EOF
# conntrack's INVALID diagnostics, to NFLOG group 0 via nfnetlink_log
nsx $ns_r sh -c 'echo 255 > /proc/sys/net/netfilter/nf_conntrack_log_invalid &&
	echo nfnetlink_log > /proc/sys/net/netfilter/nf_log/2 &&
	echo nfnetlink_log > /proc/sys/net/netfilter/nf_log/10'

# ---- the endpoints: swallow everything, answer nothing -------------------
for ns in $ns_c $ns_s; do
	nsx $ns nft -f - <<'EOF'
table inet udpct_endpoint {
	chain in {
		type filter hook input priority 0; policy accept;
		meta l4proto udp drop
	}
}
EOF
done
set +e

# ---- record ---------------------------------------------------------------
echo "conformance-live: kernel $(uname -r), namespaces $ns_c $ns_r $ns_s"
mkdir -p "$work/out"
"$python" "$here/driver.py" --client $ns_c --router $ns_r --server $ns_s \
	--recorder "$recorder" --group $group --out "$work/out" --ack "$work/ack.sock" \
	"${scen_args[@]}" &
driver_pid=$!
wait $driver_pid
drc=$?
driver_pid=
echo "conformance-live: recording took $((SECONDS - start)) s"
if [ $drc -ne 0 ]; then
	echo "conformance-live: FAIL: the traffic driver failed (exit $drc)"
	exit 1
fi

# ---- compare --------------------------------------------------------------
"$python" "$here/compare.py" --udpct "$udpct" --reference "$here/traces" "$work/out"/*/
crc=$?
if [ $update -eq 1 ]; then
	for d in "$work/out"/*/; do
		name=$(basename "$d")
		rm -rf "$here/traces/$name"
		cp -r "$d" "$here/traces/$name"
	done
	echo "conformance-live: traces updated in $here/traces"
fi
exit $crc
