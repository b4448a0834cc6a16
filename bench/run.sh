#!/usr/bin/env bash
# bench/run.sh: load restless and the hand-written baseline with wrk, in
# alternation, and print requests/s, p99 latency, their ratio and peak RSS.
#
#   bench/run.sh                          # about 5 minutes
#   PAIRS=2 DURATION=3 bench/run.sh       # a quick look
#
# Settings (environment): PAIRS (4) load pairs per scenario, DURATION (5)
# seconds per load, WARMUP (1) seconds of unmeasured load per server and
# scenario, THREADS (2) and CONNS (16) for wrk, KEEP=1 keeps the temporary
# directory (binaries, databases, raw wrk output).
#
# Both servers listen on 127.0.0.1 only, on ports the kernel picks. They are
# stopped by their process ids when the script ends, however it ends.
set -euo pipefail

PAIRS=${PAIRS:-4}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
THREADS=${THREADS:-2}
CONNS=${CONNS:-16}
KEEP=${KEEP:-0}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

log() { printf '%s run.sh: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

if ! command -v wrk >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		log "installing wrk"
		apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y wrk >/dev/null 2>&1; } ||
			die "cannot install wrk"
	else
		die "wrk is missing: apt-get install -y wrk"
	fi
fi
command -v go >/dev/null 2>&1 || die "go is missing"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/restless-bench.XXXXXX")
declare -A pid=()

stop() {
	local name p i
	for name in "${!pid[@]}"; do
		p=${pid[$name]}
		kill -TERM "$p" 2>/dev/null || true
	done
	for name in "${!pid[@]}"; do
		p=${pid[$name]}
		for i in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$p" 2>/dev/null; then
			log "$name (pid $p) did not stop; killing it"
			kill -KILL "$p" 2>/dev/null || true
		fi
		wait "$p" 2>/dev/null || true
	done
	pid=()
}

cleanup() {
	local rc=$?
	stop
	if [ "$KEEP" = 1 ]; then
		log "kept $tmp"
	else
		rm -rf "$tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# --- build and data ---------------------------------------------------------

log "building bench/gen, bench/baseline and bench/restlessd"
mkdir -p "$tmp/bin"
go build -o "$tmp/bin/" ./bench/gen ./bench/baseline ./bench/restlessd

log "generating the database"
"$tmp/bin/gen" -out "$tmp/master.db"
cp "$tmp/master.db" "$tmp/baseline.db"
cp "$tmp/master.db" "$tmp/restless.db"

# --- servers ----------------------------------------------------------------

declare -A url=()

start() { # name binary
	local name=$1 bin=$2 i line
	"$tmp/bin/$bin" -db "$tmp/$name.db" -addr 127.0.0.1:0 2>"$tmp/$name.log" &
	pid[$name]=$!
	for i in $(seq 300); do
		line=$(grep -m1 -o 'listening http://127\.0\.0\.1:[0-9]*' "$tmp/$name.log" || true)
		if [ -n "$line" ]; then
			url[$name]=${line#listening }
			return 0
		fi
		kill -0 "${pid[$name]}" 2>/dev/null || die "$name exited: $(cat "$tmp/$name.log")"
		sleep 0.1
	done
	die "$name did not report its address in 30 s"
}

start baseline baseline
start restless restlessd
log "baseline ${url[baseline]} (pid ${pid[baseline]}), restless ${url[restless]} (pid ${pid[restless]})"

accept='Accept: application/vnd.api+json'

# Wait until both answer, and check that they send the same documents
# (links differ only in the port).
for name in baseline restless; do
	ok=
	for i in $(seq 100); do
		if wrk -t1 -c1 -d1s -H "$accept" "${url[$name]}/api/person/1" 2>/dev/null | grep -q 'Requests/sec'; then
			ok=1
			break
		fi
		sleep 0.1
	done
	[ -n "$ok" ] || die "$name does not answer"
done
if command -v curl >/dev/null 2>&1; then
	for path in '/api/person/1' '/api/person?page%5Bsize%5D=20' '/api/person?include=computers&page%5Bsize%5D=20' \
		'/api/person?filter%5Bage%5D%5Bgte%5D=30&sort=-age,name&page%5Bsize%5D=20'; do
		a=$(curl -fsS -H "$accept" "${url[baseline]}$path" | sed "s#${url[baseline]}#URL#g")
		b=$(curl -fsS -H "$accept" "${url[restless]}$path" | sed "s#${url[restless]}#URL#g")
		[ "$a" = "$b" ] || die "the servers answer $path differently:
baseline: ${a:0:400}
restless: ${b:0:400}"
	done
	log "both servers send the same documents"
fi

# --- wrk scripts ------------------------------------------------------------

cat >"$tmp/common.lua" <<'EOF'
-- Every thread gets its id; args[1] tags the run so names stay unique.
local threads = 0
function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end
function init(args)
	tag = args[1] or "run"
	n = 0
	headers = {["Accept"] = "application/vnd.api+json", ["Content-Type"] = "application/vnd.api+json"}
end
-- spread maps the request number onto the ids 1..10000, far apart.
function spread(k)
	return (k * 7919 + tid * 1237) % 10000 + 1
end
EOF
cat "$tmp/common.lua" - >"$tmp/item.lua" <<'EOF'
function request()
	n = n + 1
	return wrk.format("GET", "/api/person/" .. spread(n), {["Accept"] = "application/vnd.api+json"})
end
EOF
cat "$tmp/common.lua" - >"$tmp/post.lua" <<'EOF'
function request()
	n = n + 1
	local body = string.format('{"data":{"type":"person","attributes":{"name":"wrk %s %d %d","birth_date":"1990-05-17","age":%d}}}',
		tag, tid, n, 18 + n % 73)
	return wrk.format("POST", "/api/person", headers, body)
end
EOF
cat "$tmp/common.lua" - >"$tmp/patch.lua" <<'EOF'
function request()
	n = n + 1
	local id = spread(n)
	local body = string.format('{"data":{"type":"person","id":"%d","attributes":{"age":%d}}}', id, 18 + n % 73)
	return wrk.format("PATCH", "/api/person/" .. id, headers, body)
end
EOF

# scenario lines: key | label | path | lua script ("-" for a plain GET)
scenarios=(
	"item|GET item|/api/person/1|item.lua"
	"collection|GET collection, page of 20|/api/person?page%5Bsize%5D=20|-"
	"include|GET include=computers, 20|/api/person?include=computers&page%5Bsize%5D=20|-"
	"filter|filter + sort + page of 20|/api/person?filter%5Bage%5D%5Bgte%5D=30&sort=-age,name&page%5Bsize%5D=20|-"
	"create|POST create|/api/person|post.lua"
	"update|PATCH one attribute|/api/person/1|patch.lua"
)

# load name key path script seconds tag: runs wrk, appends a result line.
load() {
	local name=$1 key=$2 path=$3 script=$4 secs=$5 tag=$6 out
	out="$tmp/wrk-$key-$tag-$name.txt"
	local args=(-t"$THREADS" -c"$CONNS" -d"${secs}s" --latency --timeout 10s -H "$accept")
	if [ "$script" != - ]; then
		args+=(-s "$tmp/$script")
	fi
	if ! timeout $((secs + 30)) wrk "${args[@]}" "${url[$name]}$path" -- "$tag-$name" >"$out" 2>&1; then
		die "wrk failed on $name $key: $(cat "$out")"
	fi
	kill -0 "${pid[$name]}" 2>/dev/null || die "$name died: $(tail -5 "$tmp/$name.log")"
	awk -v key="$key" -v name="$name" -v tag="$tag" '
		function ms(s,   v) {
			v = s + 0
			if (s ~ /us$/) return v / 1000
			if (s ~ /ms$/) return v
			if (s ~ /m$/) return v * 60000
			if (s ~ /s$/) return v * 1000
			return v
		}
		/Requests\/sec:/ { rps = $2 }
		/^ *99%/ { p99 = ms($2) }
		/Non-2xx or 3xx responses:/ { bad = $NF }
		/Socket errors:/ { sock = $0 }
		END {
			if (rps == "") { print "no Requests/sec in wrk output" > "/dev/stderr"; exit 1 }
			printf "%s\t%s\t%s\t%s\t%.3f\t%d\n", key, tag, name, rps, p99, bad + 0
		}' "$out" >>"$tmp/results.tsv"
}

: >"$tmp/results.tsv"
t0=$(date +%s)
estimate=$(( ${#scenarios[@]} * (2 * WARMUP + 2 * PAIRS * DURATION) ))
log "loading: ${#scenarios[@]} scenarios x $PAIRS pairs x 2 servers x ${DURATION}s (wrk -t$THREADS -c$CONNS), about ${estimate}s"
for line in "${scenarios[@]}"; do
	IFS='|' read -r key label path script <<<"$line"
	if [ "$WARMUP" -gt 0 ]; then
		load baseline "$key" "$path" "$script" "$WARMUP" warm
		load restless "$key" "$path" "$script" "$WARMUP" warm
	fi
	for p in $(seq "$PAIRS"); do
		load baseline "$key" "$path" "$script" "$DURATION" "p$p"
		load restless "$key" "$path" "$script" "$DURATION" "p$p"
	done
	log "$label: done"
done

# Peak RSS (VmHWM) of each server over the whole run, before stopping them.
rss() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
rss_base=$(rss "${pid[baseline]}")
rss_rl=$(rss "${pid[restless]}")
stop
log "servers stopped after $(( $(date +%s) - t0 ))s of load"

# --- report -----------------------------------------------------------------

labels=$(printf '%s\n' "${scenarios[@]}" | cut -d'|' -f1,2)
printf '\nwrk -t%s -c%s, %s pairs x %ss per scenario, alternating baseline/restless; medians over the pairs\n\n' \
	"$THREADS" "$CONNS" "$PAIRS" "$DURATION"
awk -F'\t' -v labels="$labels" -v rss_base="$rss_base" -v rss_rl="$rss_rl" '
	function median(list,   a, n, i, j, t) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		if (n == 0) return 0
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	BEGIN {
		n = split(labels, rows, "\n")
		for (i = 1; i <= n; i++) { split(rows[i], kv, "|"); order[i] = kv[1]; label[kv[1]] = kv[2] }
	}
	$2 == "warm" { next }
	{
		rps[$1, $3] = rps[$1, $3] " " $4
		p99[$1, $3] = p99[$1, $3] " " $5
		bad[$1, $3] += $6
		if ($3 == "baseline") base[$1, $2] = $4; else rl[$1, $2] = $4
		pairs[$1] = pairs[$1] " " $2
	}
	END {
		fmt = "%-28s %14s %14s %8s %13s %13s  %s\n"
		printf fmt, "scenario", "baseline req/s", "restless req/s", "ratio", "baseline p99", "restless p99", "ratio per pair"
		for (i = 1; i <= n; i++) {
			k = order[i]; ratios = ""; each = ""
			m = split(pairs[k], ps, " ")
			for (j = 1; j <= m; j++) {
				if (seen[k, ps[j]]++) continue
				r = rl[k, ps[j]] / base[k, ps[j]]
				ratios = ratios " " r; each = each sprintf(" %.2f", r)
			}
			note = ""
			if (bad[k, "baseline"] + bad[k, "restless"] > 0) note = sprintf("  NON-2xx: baseline %d, restless %d", bad[k, "baseline"], bad[k, "restless"])
			printf fmt, label[k], sprintf("%.0f", median(rps[k, "baseline"])), sprintf("%.0f", median(rps[k, "restless"])),
				sprintf("%.2f", median(ratios)), sprintf("%.2f ms", median(p99[k, "baseline"])), sprintf("%.2f ms", median(p99[k, "restless"])),
				substr(each, 2) note
		}
		printf "\npeak RSS (VmHWM): baseline %s MiB, restless %s MiB (restless/baseline %.2f)\n", rss_base, rss_rl, rss_rl / rss_base
		printf "ratio = restless req/s / baseline req/s of the same pair; above 1 means restless is faster\n"
	}' "$tmp/results.tsv"
