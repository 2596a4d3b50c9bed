#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench: what does system-wide tracing cost a process-heavy workload?
#
# A fork storm (bench/forkstorm.c) is timed untraced and while `procscope trace` runs
# system-wide in the background, interleaved round by round so that a noisy neighbour or CPU
# frequency drift hits both sides alike; medians and the traced/untraced ratio are printed,
# along with the events written and lost, procscope's start-to-attached time and its peak RSS.
#
# This is a benchmark, not a test: a missed target is printed as MISSED and the exit status
# stays 0. It exits non-zero only when something failed to run.
#
# Environment: BENCH_ROUNDS (default 5), BENCH_FORKS (default 20000),
#              BENCH_EXTRA=0 to skip the extra "-o /dev/null" and "no output" traced variants.
set -euo pipefail
export LC_ALL=C # '.' as the decimal point in $EPOCHREALTIME, awk and sort -g

ROUNDS=${BENCH_ROUNDS:-5}
FORKS=${BENCH_FORKS:-20000}
EXTRA=${BENCH_EXTRA:-1}
ATTACH_RUNS=5
ATTACH_TIMEOUT_S=10
STOP_TIMEOUT_S=30
RATIO_TARGET=1.10
ATTACH_TARGET_MS=100

cd "$(dirname "$0")/.."
PROCSCOPE=${PROCSCOPE:-./procscope}
OUTDIR=.output/bench
FORKSTORM=$OUTDIR/forkstorm

tmp=""
ps_pid="" # the procscope running in the background, if any

die() {
	echo "bench: $*" >&2
	exit 1
}

# Never leave procscope running or temp files behind, however we leave
cleanup() {
	if [[ -n $ps_pid ]]; then
		kill -KILL "$ps_pid" 2>/dev/null || true
		wait "$ps_pid" 2>/dev/null || true
	fi
	if [[ -n $tmp ]]; then
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

preflight() {
	[[ $EUID -eq 0 ]] || die "must run as root (procscope loads BPF programs): sudo make bench"
	[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer, not '$ROUNDS'"
	[[ $FORKS =~ ^[1-9][0-9]*$ ]] || die "BENCH_FORKS must be a positive integer, not '$FORKS'"
	[[ $EXTRA =~ ^[01]$ ]] || die "BENCH_EXTRA must be 0 or 1, not '$EXTRA'"
	[[ -x $PROCSCOPE ]] || die "$PROCSCOPE is missing: build it with make"
	command -v python3 >/dev/null || die "python3 is needed to read the NDJSON log"
}

build_workload() {
	mkdir -p "$OUTDIR"
	"${CC:-cc}" -O2 -Wall -Wextra -Werror bench/forkstorm.c -o "$FORKSTORM" ||
		die "failed to build bench/forkstorm.c"
}

# Run the fork storm, print its elapsed seconds
run_workload() {
	local out
	out=$("$FORKSTORM" "$FORKS") || die "forkstorm failed"
	[[ $out =~ elapsed=([0-9.]+) ]] || die "unexpected forkstorm output: $out"
	echo "${BASH_REMATCH[1]}"
}

# True while $1 runs (a zombie that still waits to be reaped counts as gone)
is_running() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) } # comm may hold spaces and parentheses: the state follows the last ") "
	[[ ${stat%% *} != Z ]]
}

# Start procscope system-wide in the background: $1 = its stderr file, the rest = options.
# Sets ps_pid.
start_procscope() {
	local err=$1
	shift
	"$PROCSCOPE" trace -q --no-summary "$@" >/dev/null 2>"$err" &
	ps_pid=$!
}

# Poll until $1 (a file) holds a line matching $2 (a regex; '' = non-empty), or fail after
# ATTACH_TIMEOUT_S. The procscope writes its log header (or its "attached in" debug line) only
# once the BPF programs are attached: from then on every fork is seen.
wait_attached() {
	local file=$1 re=$2 deadline=$((SECONDS + ATTACH_TIMEOUT_S))

	while :; do
		if [[ -z $re && -s $file ]] || { [[ -n $re ]] && grep -q -- "$re" "$file" 2>/dev/null; }; then
			return 0
		fi
		is_running "$ps_pid" || die "procscope exited before attaching: $(cat "$tmp/stderr")"
		((SECONDS < deadline)) || die "procscope did not attach within ${ATTACH_TIMEOUT_S} s"
		sleep 0.02
	done
}

# Peak RSS of the background procscope so far, in KiB (/proc VmHWM: no /usr/bin/time needed)
peak_rss_kib() {
	awk '$1 == "VmHWM:" { print $2 }' "/proc/$ps_pid/status"
}

# CPU seconds (user + sys) the background procscope used so far, and its voluntary context
# switches: about one per ring buffer wakeup, since it sleeps in epoll_wait() between them.
cpu_and_wakeups() {
	local stat
	stat=$(cat "/proc/$ps_pid/stat")
	stat=${stat##*) }
	# after the state (field 3), utime and stime are fields 14 and 15 of the whole line
	awk -v hz="$(getconf CLK_TCK)" -v st="$stat" '
		$1 == "voluntary_ctxt_switches:" { split(st, f, " "); printf "%.2f %d\n", (f[12] + f[13]) / hz, $2 }
	' "/proc/$ps_pid/status"
}

# SIGINT the background procscope (it drains the ring buffer and writes the trailer) and wait
# for it, with a deadline: a procscope that never stops is a failure, not a hang.
stop_procscope() {
	local deadline=$((SECONDS + STOP_TIMEOUT_S)) rc=0

	kill -INT "$ps_pid"
	while is_running "$ps_pid"; do
		((SECONDS < deadline)) || die "procscope did not stop within ${STOP_TIMEOUT_S} s of SIGINT"
		sleep 0.05
	done
	wait "$ps_pid" || rc=$?
	ps_pid=""
	((rc == 0)) || die "procscope exited with status $rc: $(cat "$tmp/stderr")"
}

# Events written to the NDJSON log $1 and the trailer's lost count: "EVENTS LOST".
# Seeds (processes found in /proc at start), the header and the trailer are not events.
log_counts() {
	python3 - "$1" <<'EOF'
import json, sys

counted = {"fork", "exec", "exit", "reap", "free"}
events, lost = 0, None
with open(sys.argv[1]) as f:
    for line in f:
        rec = json.loads(line)
        if rec.get("type") in counted:
            events += 1
        elif rec.get("type") == "trailer":
            lost = rec["lost"]
if lost is None:
    sys.exit("bench: no trailer line in the log: procscope did not finish it")
print(events, lost)
EOF
}

# Lost events as procscope warns about them on stderr (for the variants without a log)
stderr_lost() {
	sed -n 's/.* \([0-9][0-9]*\) events were lost.*/\1/p' "$1" | tail -n 1 | grep . || echo 0
}

median() {
	printf '%s\n' "$@" | sort -g |
		awk '{ v[NR] = $1 } END { printf "%.6f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# awk as a calculator: calc FORMAT EXPR
calc() {
	awk "BEGIN { printf \"$1\", $2 }"
}

# "" if $1 OP $2 holds, else " MISSED"
verdict() {
	awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }" && echo "" || echo "   MISSED"
}

# --- the fork storm, interleaved -------------------------------------------------------------

base=() traced=() events=() evps=() cpu=() wakeups=() devnull=() noout=()
lost_total=0 extra_lost=0 rss_max=0

# The rounds run procscope in the background: they must run in this shell, never in $(...)
# (the EXIT trap would not see a procscope started in a subshell), so they return the workload
# time in $last_t.
last_t=""

# Traced with the NDJSON log: the configuration people actually run
traced_round() {
	local log=$tmp/events.jsonl t n lost rss c w

	rm -f "$log"
	start_procscope "$tmp/stderr" -o "$log"
	wait_attached "$log" ""
	t=$(run_workload)
	rss=$(peak_rss_kib)
	read -r c w < <(cpu_and_wakeups)
	stop_procscope
	read -r n lost < <(log_counts "$log")
	traced+=("$t")
	events+=("$n")
	evps+=("$(calc %.0f "$n / $t")")
	cpu+=("$c")
	wakeups+=("$w")
	lost_total=$((lost_total + lost))
	((rss > rss_max)) && rss_max=$rss
	last_t=$t
}

# Traced with some other output ($@ = options); attached is known from the -v debug line
variant_round() {
	local t

	start_procscope "$tmp/stderr" -v "$@"
	wait_attached "$tmp/stderr" "attached in"
	t=$(run_workload)
	stop_procscope
	extra_lost=$((extra_lost + $(stderr_lost "$tmp/stderr")))
	last_t=$t
}

fork_storm() {
	local r b t d=- o=-

	echo "fork storm: $ROUNDS rounds of $FORKS forks, untraced and traced interleaved"
	run_workload >/dev/null # warm-up (page cache, first-fork costs): not measured
	for ((r = 1; r <= ROUNDS; r++)); do
		b=$(run_workload)
		base+=("$b")
		traced_round
		t=$last_t
		if ((EXTRA)); then
			variant_round -o /dev/null
			d=$last_t
			devnull+=("$d")
			variant_round
			o=$last_t
			noout+=("$o")
		fi
		printf '  round %d/%d: untraced %.3f s, traced %.3f s (%.2fx)' "$r" "$ROUNDS" \
			"$b" "$t" "$(calc %.4f "$t / $b")"
		((EXTRA)) && printf ', -o /dev/null %.3f s, no output %.3f s' "$d" "$o"
		printf '\n'
	done
}

# --- start to attached ------------------------------------------------------------------------

attach_ms=() attach_wall=()

attach_time() {
	local i t0 t1 ms

	for ((i = 0; i < ATTACH_RUNS; i++)); do
		t0=$EPOCHREALTIME
		"$PROCSCOPE" trace -q --no-summary -d 0.1 -v 2>"$tmp/stderr" >/dev/null ||
			die "procscope trace -d 0.1 failed: $(cat "$tmp/stderr")"
		t1=$EPOCHREALTIME
		ms=$(sed -n 's/^procscope: debug: attached in \([0-9.]*\) ms$/\1/p' "$tmp/stderr")
		[[ -n $ms ]] || die "no 'attached in' line from procscope -v: $(cat "$tmp/stderr")"
		attach_ms+=("$ms")
		attach_wall+=("$(calc %.3f "($t1 - $t0) * 1000")")
	done
}

# --- report -----------------------------------------------------------------------------------

report() {
	local mb mt ratio ma mw line

	mb=$(median "${base[@]}")
	mt=$(median "${traced[@]}")
	ratio=$(calc %.2f "$mt / $mb")
	ma=$(median "${attach_ms[@]}")
	mw=$(median "${attach_wall[@]}")

	echo
	printf 'fork storm (%d x fork+exit+waitpid), median of %d, interleaved\n' "$FORKS" "$ROUNDS"
	printf '  untraced              %.3f s\n' "$mb"
	printf '  traced (NDJSON)       %.3f s   ratio %sx   target <= %.2fx%s\n' "$mt" "$ratio" \
		"$RATIO_TARGET" "$(verdict "$ratio" '<=' "$RATIO_TARGET")"
	printf '    events              %.0f (%.0f/s), lost %d\n' "$(median "${events[@]}")" \
		"$(median "${evps[@]}")" "$lost_total"
	printf '    procscope           %.2f s CPU, %.0f wakeups\n' "$(median "${cpu[@]}")" \
		"$(median "${wakeups[@]}")"
	if ((EXTRA)); then
		line=$(median "${devnull[@]}")
		printf '  traced -o /dev/null   %.3f s   ratio %.2fx\n' "$line" "$(calc %.4f "$line / $mb")"
		line=$(median "${noout[@]}")
		printf '  traced, no output     %.3f s   ratio %.2fx   (lost in extra runs: %d)\n' \
			"$line" "$(calc %.4f "$line / $mb")" "$extra_lost"
	fi
	printf 'start to attached       %.1f ms (target < %d ms)%s, median of %d\n' "$ma" \
		"$ATTACH_TARGET_MS" "$(verdict "$ma" '<' "$ATTACH_TARGET_MS")" "$ATTACH_RUNS"
	printf '  whole trace -d 0.1    %.1f ms\n' "$mw"
	printf 'peak RSS                %.1f MiB (VmHWM, max over traced rounds)\n' \
		"$(calc %.4f "$rss_max / 1024")"
}

preflight
build_workload
tmp=$(mktemp -d /tmp/procscope-bench.XXXXXX)
fork_storm
attach_time
report
