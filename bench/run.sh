#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench: what does system-wide tracing cost a workload?
#
# Two workloads: a fork storm (bench/forkstorm.c: fork, child exit, waitpid) and an epoll
# ping-pong over an AF_UNIX socketpair (bench/pingpong.c: both sides block in epoll_wait, so
# every message is a unix send, a wake-up, an epoll_wait return and a recv). Each is timed
# untraced and while `procscope trace` runs system-wide in the background with every event
# streamed to an NDJSON file, interleaved round by round so that a noisy neighbour or CPU
# frequency drift hits both sides alike; medians and traced/untraced ratios are printed, with
# the events written and lost, procscope's CPU and wakeups, its start-to-attached time and its
# peak RSS.
#
# This is a benchmark, not a test: a missed target is printed as MISSED and the exit status
# stays 0. It exits non-zero only when something failed to run.
#
# The host is shared: a neighbour can slow any single run by 40%. Each ratio is printed from the
# medians and from the minima (noise only ever adds time, so the fastest run of each side is the
# least disturbed); the target verdict takes the larger, more conservative, of the two.
#
# Environment: BENCH_ROUNDS (default 5; the ping-pong, a second per run, does 2 x that - 1),
#              BENCH_FORKS (default 20000), BENCH_PINGS (default
#              100000 round trips), BENCH_SCHED_PAIRS (default 8: on/off pairs of the sched
#              group on the ping-pong), BENCH_EXTRA=0 to skip the extra "-o /dev/null" and
#              "no output" traced variants of the fork storm, BENCH_TP_RUNS (default 5: runs of
#              each log format in the throughput section; 0 skips it), BENCH_TP_ONLY=1 to run
#              only the throughput section.
#
# The throughput section traces the ping-pong as a command (procscope trace -o LOG -- pingpong)
# with a plain, a .zst and a .gz log, interleaved, and prints the events per second the trace
# kept up with, what was lost, procscope's own CPU per event (and that figure without its fixed
# start-up cost, timed on `trace -- true`) and its peak RSS; then it reads the
# plain log back with `procscope report` and with Python's json module, interleaved, and checks
# that report's summary is the one the live trace printed, byte for byte.
set -euo pipefail
export LC_ALL=C # '.' as the decimal point in $EPOCHREALTIME, awk and sort -g

ROUNDS=${BENCH_ROUNDS:-5}
FORK_ROUNDS=$ROUNDS
FORKS=${BENCH_FORKS:-20000}
PINGS=${BENCH_PINGS:-100000}
EXTRA=${BENCH_EXTRA:-1}
TP_RUNS=${BENCH_TP_RUNS:-5}
TP_ONLY=${BENCH_TP_ONLY:-0}
TP_US_TARGET=1.00 # procscope's CPU per event, formatting and writing included
TP_RSS_TARGET_MIB=64
TP_GZ_LOSS_TARGET=1 # percent
REPORT_LPS_TARGET=1000000
REPORT_PY_TARGET=5
ATTACH_RUNS=5
ATTACH_TIMEOUT_S=10
STOP_TIMEOUT_S=30
FORK_TARGET=1.10
PING_TARGET=1.25
SCHED_CPU_TARGET=1.05 # the sched group's extra procscope+workload CPU on the ping-pong
SCHED_PAIRS=${BENCH_SCHED_PAIRS:-8}
ATTACH_TARGET_MS=100
CHAIN_LINKS=${BENCH_CHAIN:-200000}
CHAIN_TARGET_S=5.0

cd "$(dirname "$0")/.."
PROCSCOPE=${PROCSCOPE:-./procscope}
OUTDIR=.output/bench
FORKSTORM=$OUTDIR/forkstorm
PINGPONG=$OUTDIR/pingpong

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
	[[ $PINGS =~ ^[1-9][0-9]*$ ]] || die "BENCH_PINGS must be a positive integer, not '$PINGS'"
	[[ $SCHED_PAIRS =~ ^[1-9][0-9]*$ ]] ||
		die "BENCH_SCHED_PAIRS must be a positive integer, not '$SCHED_PAIRS'"
	[[ $EXTRA =~ ^[01]$ ]] || die "BENCH_EXTRA must be 0 or 1, not '$EXTRA'"
	[[ $TP_RUNS =~ ^[0-9]+$ ]] || die "BENCH_TP_RUNS must be a number, not '$TP_RUNS'"
	if ((TP_RUNS)); then
		[[ -x /usr/bin/time ]] || die "/usr/bin/time is needed: apt-get install time"
		command -v zstdcat >/dev/null || die "zstdcat is needed: apt-get install zstd"
	fi
	[[ -x $PROCSCOPE ]] || die "$PROCSCOPE is missing: build it with make"
	command -v python3 >/dev/null || die "python3 is needed to read the NDJSON log"
}

build_workloads() {
	mkdir -p "$OUTDIR"
	"${CC:-cc}" -O2 -Wall -Wextra -Werror bench/forkstorm.c -o "$FORKSTORM" ||
		die "failed to build bench/forkstorm.c"
	"${CC:-cc}" -O2 -Wall -Wextra -Werror bench/pingpong.c -o "$PINGPONG" ||
		die "failed to build bench/pingpong.c"
}

# The workload the rounds run: set by measure()
workload=()

# Run the current workload, print its elapsed seconds; its CPU seconds (user + sys, children
# included: bash's time) go to $tmp/wcpu
run_workload() {
	local out TIMEFORMAT='%U %S' u s
	{ time "${workload[@]}" >"$tmp/wout"; } 2>"$tmp/wtime" || die "${workload[0]} failed"
	out=$(cat "$tmp/wout")
	read -r u s <"$tmp/wtime"
	calc %.3f "$u + $s" >"$tmp/wcpu"
	[[ $out =~ elapsed=([0-9.]+) ]] || die "unexpected ${workload[0]} output: $out"
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

skip = {"header", "trailer", "seed", "orphan", "lost"}
events, lost = 0, None
with open(sys.argv[1]) as f:
    for line in f:
        rec = json.loads(line)
        if rec.get("type") not in skip:
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

minimum() {
	printf '%s\n' "$@" | sort -g | head -n 1
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

# --- measurements ------------------------------------------------------------------------------

# The rounds run procscope in the background: they must run in this shell, never in $(...)
# (the EXIT trap would not see a procscope started in a subshell), so they return their results
# in globals: last_t (workload seconds) and, for logged runs, last_events, last_lost, last_cpu,
# last_wakeups.
last_t="" last_events=0 last_lost=0 last_cpu=0 last_wakeups=0 rss_max=0
# procscope + workload CPU seconds (medians) of each logged configuration of the last measure(),
# and the untraced workload's CPU seconds, one per round
declare -A total_cpu=()
base_cpu=()

# Traced, every event to an NDJSON log ($@ = extra options)
logged_round() {
	local log=$tmp/events.jsonl rss

	rm -f "$log"
	start_procscope "$tmp/stderr" -o "$log" "$@"
	wait_attached "$log" ""
	last_t=$(run_workload)
	rss=$(peak_rss_kib)
	read -r last_cpu last_wakeups < <(cpu_and_wakeups)
	stop_procscope
	read -r last_events last_lost < <(log_counts "$log")
	((rss > rss_max)) && rss_max=$rss
	return 0
}

# Traced with some other output ($@ = options); attached is known from the -v debug line
variant_round() {
	start_procscope "$tmp/stderr" -v "$@"
	wait_attached "$tmp/stderr" "attached in"
	last_t=$(run_workload)
	stop_procscope
	last_lost=$(stderr_lost "$tmp/stderr")
}

# measure NAME TARGET CONFIG... : interleave the untraced workload with each traced
# configuration ("log:OPTS" = logged_round OPTS, "var:OPTS" = variant_round OPTS) for ROUNDS
# rounds, then print medians and ratios. OPTS are space-separated procscope options.
measure() {
	local name=$1 target=$2 r c i b mb mt nb nt kind opts label ratio ratio_min worst
	shift 2
	local configs=("$@") n=$#
	local -a base=() t ev lost cpu wk wcpu

	echo "$name: $ROUNDS rounds, untraced and traced interleaved"
	run_workload >/dev/null # warm-up (page cache, first-run costs): not measured
	base_cpu=()
	for ((i = 0; i < n; i++)); do
		t[i]="" ev[i]="" lost[i]=0 cpu[i]="" wk[i]="" wcpu[i]=""
	done
	for ((r = 1; r <= ROUNDS; r++)); do
		b=$(run_workload)
		base+=("$b") base_cpu+=("$(cat "$tmp/wcpu")")
		printf '  round %d/%d: untraced %.3f s' "$r" "$ROUNDS" "$b"
		for ((i = 0; i < n; i++)); do
			c=${configs[i]}
			kind=${c%%:*} opts=${c#*:}
			# shellcheck disable=SC2086 # OPTS are words on purpose
			if [[ $kind == log ]]; then logged_round $opts; else variant_round $opts; fi
			t[i]+="$last_t " lost[i]=$((lost[i] + last_lost))
			if [[ $kind == log ]]; then
				ev[i]+="$last_events " cpu[i]+="$last_cpu " wk[i]+="$last_wakeups "
				wcpu[i]+="$(cat "$tmp/wcpu") "
			fi
			printf ', [%s] %.3f s' "${opts:-all}" "$last_t"
		done
		printf '\n'
	done
	mb=$(median "${base[@]}")
	nb=$(minimum "${base[@]}")
	echo
	printf '%s, median (minimum) of %d, interleaved\n' "$name" "$ROUNDS"
	printf '  untraced                          %.3f s (%.3f s)\n' "$mb" "$nb"
	for ((i = 0; i < n; i++)); do
		c=${configs[i]}
		kind=${c%%:*} opts=${c#*:}
		# shellcheck disable=SC2086
		mt=$(median ${t[i]})
		# shellcheck disable=SC2086
		nt=$(minimum ${t[i]})
		ratio=$(calc %.2f "$mt / $mb")
		ratio_min=$(calc %.2f "$nt / $nb")
		worst=$(awk -v a="$ratio" -v b="$ratio_min" 'BEGIN { print (a > b ? a : b) }')
		if [[ $kind == log ]]; then label="[${opts:-all groups}, NDJSON]"; else label="[${opts:-no output}]"; fi
		printf '  traced %-26s %.3f s (%.3f s)   ratio %sx (%sx)' "$label" "$mt" "$nt" "$ratio" \
			"$ratio_min"
		if [[ $kind == log ]]; then
			printf '   target <= %.2fx%s\n' "$target" "$(verdict "$worst" '<=' "$target")"
			# shellcheck disable=SC2086
			printf '    events %.0f (%.0f/s), lost %d, procscope %.2f s CPU, %.0f wakeups\n' \
				"$(median ${ev[i]})" "$(calc %.0f "$(median ${ev[i]}) / $mt")" "${lost[i]}" \
				"$(median ${cpu[i]})" "$(median ${wk[i]})"
			# shellcheck disable=SC2086
			total_cpu[${opts:-all}]=$(calc %.3f "$(median ${cpu[i]}) + $(median ${wcpu[i]})")
			# shellcheck disable=SC2086
			printf '    workload %.2f s CPU; procscope + workload %.2f s CPU\n' \
				"$(median ${wcpu[i]})" "${total_cpu[${opts:-all}]}"
		else
			printf '   (lost %d)\n' "${lost[i]}"
		fi
	done
	echo
}

# sched_ratio NAME OFF: the sched group's share of procscope + workload CPU in the last
# measure(): the default (all groups) against OFF (the same groups but sched). The bar is the
# noise: the spread (max - min) / median of the untraced workload's own CPU across the rounds,
# which no tracer causes.
sched_ratio() {
	local name=$1 off=$2 ratio noise

	ratio=$(calc %.3f "${total_cpu[all]} / ${total_cpu[$off]}")
	printf 'the sched group on the %s: procscope + workload CPU %.2f s with it, %.2f s without:\n' \
		"$name" "${total_cpu[all]}" "${total_cpu[$off]}"
	noise=$(printf '%s\n' "${base_cpu[@]}" | sort -g |
		awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
			printf "%.3f", (m > 0 ? (v[NR] - v[1]) / m : 0) }')
	printf '  ratio %sx   target: within the noise, the untraced CPU'"'"'s spread %.0f%% (<= %.3fx)%s\n\n' \
		"$ratio" "$(calc %.0f "$noise * 100")" "$(calc %.3f "1 + $noise")" \
		"$(verdict "$ratio" '<=' "$(calc %.3f "1 + $noise")")"
}

# --- the sched group on the ping-pong, on and off in ABBA pairs -----------------------------------

# One system-wide trace of the ping-pong, every event to an NDJSON log ($@ = extra options).
# Sets last_total: procscope's CPU from attached to the workload's end (all its threads, in ns
# from /proc/PID/task/*/schedstat) plus the workload's CPU. Start-up is left out: it is the
# same work whatever the workload (see "start to attached") and its verifier time is noisy.
last_total=0
pair_round() {
	local log=$tmp/events.jsonl c0 c1

	rm -f "$log"
	start_procscope "$tmp/stderr" -o "$log" "$@"
	wait_attached "$log" ""
	c0=$(thread_cpu_ns "$ps_pid")
	last_t=$(run_workload)
	c1=$(thread_cpu_ns "$ps_pid")
	stop_procscope
	last_lost=$(stderr_lost "$tmp/stderr")
	last_total=$(calc %.4f "($c1 - $c0) / 1e9 + $(cat "$tmp/wcpu")")
}

# CPU ns of all live threads of $1 (user + sys, the scheduler's own sum)
thread_cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'
}

# The sched group's cost on the ping-pong: the default (all groups) against -e proc,epoll,unix.
# A single pair scatters by +-15% on a shared machine (the workload's own CPU varies by 30% from
# run to run), so SCHED_PAIRS pairs run in ABBA order (on off, off on, on off...) that cancels a
# linear drift, and the verdict takes the larger of the median of the per-pair ratios and the
# ratio of the sums.
sched_pairs() {
	local p on off nlost=0 ratio med sum_on=0 sum_off=0 worst l0
	local -a ratios=()

	l0=$(cut -d' ' -f1-3 /proc/loadavg)
	echo "the sched group on the ping-pong ($PINGS round trips), procscope (attached to the workload's"
	echo "end) + workload CPU, on = all groups, off = -e proc,epoll,unix, $SCHED_PAIRS pairs in ABBA order"
	for ((p = 1; p <= SCHED_PAIRS; p++)); do
		if ((p % 2)); then
			pair_round
			on=$last_total nlost=$((nlost + last_lost))
			pair_round -e proc,epoll,unix
			off=$last_total nlost=$((nlost + last_lost))
		else
			pair_round -e proc,epoll,unix
			off=$last_total nlost=$((nlost + last_lost))
			pair_round
			on=$last_total nlost=$((nlost + last_lost))
		fi
		ratios+=("$(calc %.4f "$on / $off")")
		sum_on=$(calc %.4f "$sum_on + $on") sum_off=$(calc %.4f "$sum_off + $off")
		printf '  pair %d/%d (%s): on %.3f s, off %.3f s CPU   %.3fx\n' "$p" "$SCHED_PAIRS" \
			"$( ((p % 2)) && echo "on first" || echo "off first")" "$on" "$off" "${ratios[-1]}"
	done
	med=$(median "${ratios[@]}")
	ratio=$(calc %.3f "$sum_on / $sum_off")
	worst=$(awk -v a="$med" -v b="$ratio" 'BEGIN { printf "%.3f", (a > b ? a : b) }')
	printf '  median of the pairs %.3fx, ratio of the sums %.3fx (%.2f s against %.2f s), lost %d\n' \
		"$med" "$ratio" "$sum_on" "$sum_off" "$nlost"
	# shellcheck disable=SC2086 # a list of numbers
	printf '  untraced workload (the ping-pong measure above): %.2f s CPU, median; load average %s at the start, %s at the end\n' \
		"$(median "${base_cpu[@]}")" "$l0" "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf '  the sched group: %sx   target <= %.2fx%s\n\n' "$worst" "$SCHED_CPU_TARGET" \
		"$(verdict "$worst" '<=' "$SCHED_CPU_TARGET")"
}

# --- the sched hooks' early return ------------------------------------------------------------

# Started with a command (sleep) that does nothing: every other task is untraced
early_round() {
	start_procscope "$tmp/stderr" -v "$@" -- sleep 3600
	wait_attached "$tmp/stderr" "attached in"
	last_t=$(run_workload)
	stop_procscope_cmd
}

# The command never ends by itself: SIGINT stops the trace (status 0 after an interrupt)
stop_procscope_cmd() {
	local deadline=$((SECONDS + STOP_TIMEOUT_S))

	kill -INT "$ps_pid"
	while is_running "$ps_pid"; do
		((SECONDS < deadline)) || die "procscope did not stop within ${STOP_TIMEOUT_S} s of SIGINT"
		sleep 0.05
	done
	wait "$ps_pid" || true
	ps_pid=""
}

measure_early_return() {
	local r b off on coff con per
	local -a base=() toff=() ton=() cbase=() cof=() con_=()

	echo "context switches of untraced tasks: the ping-pong beside a trace of 'sleep' (2 switches"
	echo "per round trip on its one CPU), untraced, sched group off, sched group on, interleaved;"
	echo "the hooks run in the switching task's context: its CPU time (user + sys) shows them"
	for ((r = 1; r <= ROUNDS; r++)); do
		b=$(run_workload)
		cbase+=("$(cat "$tmp/wcpu")")
		early_round -e proc,epoll,unix
		off=$last_t
		cof+=("$(cat "$tmp/wcpu")")
		early_round
		on=$last_t
		con_+=("$(cat "$tmp/wcpu")")
		base+=("$b") toff+=("$off") ton+=("$on")
		printf '  round %d/%d: untraced %.3f s (%.2f s CPU), sched off %.3f s (%.2f s CPU), sched on %.3f s (%.2f s CPU)\n' \
			"$r" "$ROUNDS" "$b" "${cbase[-1]}" "$off" "${cof[-1]}" "$on" "${con_[-1]}"
	done
	coff=$(median "${cof[@]}")
	con=$(median "${con_[@]}")
	per=$(calc %.0f "($con - $coff) * 1e9 / (2 * $PINGS)")
	printf '  medians: untraced %.3f s (%.2f s CPU), sched off %.3f s (%.2f s CPU), sched on %.3f s (%.2f s CPU)\n' \
		"$(median "${base[@]}")" "$(median "${cbase[@]}")" "$(median "${toff[@]}")" "$coff" \
		"$(median "${ton[@]}")" "$con"
	printf '  the sched hooks'"'"' early return: %s ns of CPU per context switch (workload CPU %.2fx)\n\n' \
		"$per" "$(calc %.3f "$con / $coff")"
}

# --- report of a deep fork-and-exit chain (#11) -------------------------------------------------

# A synthetic log of CHAIN_LINKS links (each process forks the next, exits, init reaps it), read
# by `procscope report`: every per-event operation is O(1) whatever the tree's shape
# (tests/unit/test_proctree.c counts the steps; this is the time). 105 s for 200k before #11.
report_chain() {
	local log=$tmp/chain.jsonl t0 t1 t

	python3 - "$log" "$CHAIN_LINKS" <<'EOF'
import json, sys

path, n = sys.argv[1], int(sys.argv[2])
dump = lambda o: json.dumps(o, separators=(",", ":")) + "\n"
with open(path, "w") as f:
    f.write(dump({"type": "header", "format": "procscope-events", "version": 1, "abi": 1,
                  "boottime_base_ns": "5000000000000", "mode": "system", "command": "",
                  "groups": ["proc"], "ringbuf_bytes": 4194304}))
    t = 1000
    for i in range(n):
        pid, st = 100 + i, t - 500
        f.write(dump({"type": "fork", "ts_ns": t, "pid": pid, "tid": pid, "start_ns": st,
                      "parent_pid": pid, "parent_start_ns": st, "child_pid": pid + 1,
                      "child_tid": pid + 1, "child_start_ns": t + 100, "thread": False,
                      "comm": "chain"}))
        f.write(dump({"type": "exit", "ts_ns": t + 200, "pid": pid, "tid": pid, "start_ns": st,
                      "group_dead": True, "exit_status": 0, "comm": "chain", "parent_pid": 1,
                      "parent_start_ns": -1000, "autoreap": False, "reaper_pid": 1,
                      "reaper_start_ns": -1000, "reaper_is_subreaper": False}))
        f.write(dump({"type": "reap", "ts_ns": t + 300, "pid": 1, "tid": 1, "start_ns": -1000,
                      "reaped_pid": pid, "status": 0, "waitid": False, "status_unknown": False}))
        t += 600
    f.write(dump({"type": "trailer", "ts_ns": t, "events": 3 * n, "lost": 0, "malformed": 0,
                  "unknown_type": 0, "out_of_order": 0, "interrupted": False}))
EOF
	t0=$EPOCHREALTIME
	"$PROCSCOPE" report "$log" >/dev/null 2>"$tmp/stderr" ||
		die "report of the chain log failed: $(cat "$tmp/stderr")"
	t1=$EPOCHREALTIME
	t=$(calc %.3f "$t1 - $t0")
	printf 'report of a %d-link fork-and-exit chain   %.2f s (target < %.1f s)%s\n' \
		"$CHAIN_LINKS" "$t" "$CHAIN_TARGET_S" "$(verdict "$t" '<' "$CHAIN_TARGET_S")"
}

# --- start to attached ------------------------------------------------------------------------

# Start to attached, all groups and without the sched group, interleaved: the -v debug lines
# give the whole time to attach and the load (programs loaded and verified); procscope's CPU
# (user + sys) for the whole `trace -d 0.1` comes from /usr/bin/time when it is there.
attach_time() {
	local i k t0 t1 ms ld cpu
	local -A att=() load=() wall=() acpu=()
	local -a kinds=(all nosched)

	for ((i = 0; i < ATTACH_RUNS; i++)); do
		for k in "${kinds[@]}"; do
			local -a opts=()
			[[ $k == nosched ]] && opts=(-e "proc,epoll,unix")
			t0=$EPOCHREALTIME
			if [[ -x /usr/bin/time ]]; then
				/usr/bin/time -f '%U %S' -o "$tmp/atime" "$PROCSCOPE" trace -q --no-summary \
					-d 0.1 -v "${opts[@]}" 2>"$tmp/stderr" >/dev/null ||
					die "procscope trace -d 0.1 failed: $(cat "$tmp/stderr")"
				cpu=$(awk '{ printf "%.3f", ($1 + $2) * 1000 }' "$tmp/atime")
			else
				"$PROCSCOPE" trace -q --no-summary -d 0.1 -v "${opts[@]}" 2>"$tmp/stderr" \
					>/dev/null || die "procscope trace -d 0.1 failed: $(cat "$tmp/stderr")"
				cpu=0
			fi
			t1=$EPOCHREALTIME
			ms=$(sed -n 's/^procscope: debug: attached in \([0-9.]*\) ms$/\1/p' "$tmp/stderr")
			[[ -n $ms ]] || die "no 'attached in' line from procscope -v: $(cat "$tmp/stderr")"
			ld=$(sed -n 's/^procscope: debug: .*programs loaded and verified in \([0-9.]*\) ms$/\1/p' \
				"$tmp/stderr")
			att[$k]+="$ms " load[$k]+="${ld:-0} " acpu[$k]+="$cpu "
			wall[$k]+="$(calc %.3f "($t1 - $t0) * 1000") "
		done
	done
	# shellcheck disable=SC2086 # lists of numbers
	printf 'start to attached            %.1f ms (target < %d ms)%s, median of %d\n' \
		"$(median ${att[all]})" "$ATTACH_TARGET_MS" \
		"$(verdict "$(median ${att[all]})" '<' "$ATTACH_TARGET_MS")" "$ATTACH_RUNS"
	# shellcheck disable=SC2086
	printf '  programs loaded and verified %.1f ms; whole trace -d 0.1 %.1f ms wall, %.1f ms CPU\n' \
		"$(median ${load[all]})" "$(median ${wall[all]})" "$(median ${acpu[all]})"
	# shellcheck disable=SC2086
	printf '  without the sched group (-e proc,epoll,unix), interleaved: attached in %.1f ms, loaded in %.1f ms, %.1f ms CPU\n' \
		"$(median ${att[nosched]})" "$(median ${load[nosched]})" "$(median ${acpu[nosched]})"
	printf 'peak RSS                     %.1f MiB (VmHWM, max over logged rounds)\n' \
		"$(calc %.4f "$rss_max / 1024")"
}

# --- throughput: the ping-pong as a traced command, per log format ------------------------------

# The log's trailer as "EVENTS LOST" (compressed logs by their name: we wrote them)
trailer_counts() {
	local cat=cat
	case $1 in
	*.zst) cat=zstdcat ;;
	*.gz) cat=zcat ;;
	esac
	"$cat" "$1" | tail -n 1 | python3 -c '
import json, sys
t = json.loads(sys.stdin.read())
if t.get("type") != "trailer":
    sys.exit("bench: the log does not end with a trailer")
print(t["events"], t["lost"])'
}

# One traced run into $1: sets tp_events tp_lost tp_rate (events/s) tp_us (procscope's CPU per
# event, the workload's own CPU taken out) tp_rss (KiB). The live summary goes to $tmp/live.txt.
tp_round() {
	local log=$1 u s m elapsed wcpu

	rm -f "$log"
	/usr/bin/time -f '%U %S %M' -o "$tmp/time" "$PROCSCOPE" trace -q -o "$log" -- \
		"$PINGPONG" "$PINGS" >"$tmp/live.txt" 2>"$tmp/stderr" ||
		die "procscope trace -o $log failed: $(cat "$tmp/stderr")"
	read -r u s m <"$tmp/time"
	[[ $(cat "$tmp/live.txt") =~ elapsed=([0-9.]+)\ cpu=([0-9.]+) ]] ||
		die "unexpected pingpong output: $(head -c 200 "$tmp/live.txt")"
	elapsed=${BASH_REMATCH[1]} wcpu=${BASH_REMATCH[2]}
	read -r tp_events tp_lost < <(trailer_counts "$log")
	tp_rate=$(calc %.0f "$tp_events / $elapsed")
	tp_us=$(calc %.3f "($u + $s - $wcpu) / $tp_events * 1e6")
	tp_rss=$m
}

# procscope's fixed cost, the same trace of a command that does nothing (`true`): loading and
# attaching the BPF programs, reading /proc, writing the header and trailer. Sets tp_fixed (s).
tp_fixed_round() {
	local log=$1 u s m

	rm -f "$log"
	/usr/bin/time -f '%U %S %M' -o "$tmp/time" "$PROCSCOPE" trace -q -o "$log" -- true \
		>/dev/null 2>"$tmp/stderr" || die "procscope trace -o $log -- true failed: $(cat "$tmp/stderr")"
	read -r u s m <"$tmp/time"
	tp_fixed=$(calc %.3f "$u + $s")
}

# Wall and CPU seconds of a command ($@), output to /dev/null: sets rd_wall rd_cpu
timed() {
	local u s e

	/usr/bin/time -f '%e %U %S' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/stderr" ||
		[[ $? -eq 3 ]] || die "$* failed: $(cat "$tmp/stderr")"
	read -r e u s <"$tmp/time"
	rd_wall=$e rd_cpu=$(calc %.3f "$u + $s")
}

throughput() {
	local r f log lines rate_max worst_us rss_max_tp=0 ok
	local -a fmts=(jsonl jsonl.zst jsonl.gz)
	local -A ev lost rate us rate_ok
	local -a rd_w=() rd_c=() py_w=() py_c=() base=() fixed=()

	echo "throughput: the ping-pong traced as a command (trace -q -o LOG -- pingpong $PINGS), $TP_RUNS runs of each log format, interleaved"
	for ((r = 1; r <= TP_RUNS; r++)); do
		workload=("$PINGPONG" "$PINGS")
		base+=("$(run_workload)")
		tp_fixed_round "$tmp/tp-true.jsonl"
		fixed+=("$tp_fixed")
		printf '  run %d/%d: untraced %.2f s; start-up %.2f s CPU;' "$r" "$TP_RUNS" "${base[-1]}" "$tp_fixed"
		for f in "${fmts[@]}"; do
			tp_round "$tmp/tp.$f"
			ev[$f]+="$tp_events " lost[$f]+="$tp_lost " rate[$f]+="$tp_rate " us[$f]+="$tp_us "
			((tp_lost == 0)) && rate_ok[$f]+="$tp_rate "
			((tp_rss > rss_max_tp)) && rss_max_tp=$tp_rss
			printf ' [%s] %d events, lost %d, %.2f us/event, %.1f MiB;' "${f#jsonl}" \
				"$tp_events" "$tp_lost" "$tp_us" "$(calc %.1f "$tp_rss / 1024")"
			[[ $f == jsonl ]] && cp "$tmp/live.txt" "$tmp/live-plain.txt"
		done
		printf '\n'
	done
	echo
	printf 'throughput, median of %d runs (every run for the loss)\n' "$TP_RUNS"
	printf '  untraced         %8.0f events/s (the same workload: %.2f s)\n' \
		"$(calc %.0f "$(median ${ev[jsonl]}) / $(median "${base[@]}")")" "$(median "${base[@]}")"
	for f in "${fmts[@]}"; do
		# shellcheck disable=SC2086
		worst_us=$(median ${us[$f]})
		# events/s the trace kept up with: the workload's rate in the runs that lost nothing
		# shellcheck disable=SC2086
		printf '  %-16s %8s events/s with nothing lost; lost %s; procscope %.2f us/event' \
			"-o x.${f}" "$([[ -n ${rate_ok[$f]:-} ]] && calc %.0f "$(median ${rate_ok[$f]})" || echo "-")" \
			"$(echo ${lost[$f]} | tr ' ' ',')" "$worst_us"
		ok=1
		for l in ${lost[$f]}; do
			if [[ $f == jsonl.gz ]]; then
				# shellcheck disable=SC2086
				awk -v l="$l" -v e="$(median ${ev[$f]})" -v t="$TP_GZ_LOSS_TARGET" \
					'BEGIN { exit !(l * 100 <= t * (l + e)) }' || ok=0
			else
				((l == 0)) || ok=0
			fi
		done
		if [[ $f == jsonl.gz ]]; then
			printf '   loss target <= %d%% every run%s\n' "$TP_GZ_LOSS_TARGET" "$( ((ok)) && echo "" || echo "   MISSED")"
		else
			printf '   loss target 0 every run%s\n' "$( ((ok)) && echo "" || echo "   MISSED")"
		fi
	done
	# shellcheck disable=SC2086
	printf '  procscope CPU per event (plain log)  %.2f us (target <= %.2f us)%s\n' \
		"$(median ${us[jsonl]})" "$TP_US_TARGET" "$(verdict "$(median ${us[jsonl]})" '<=' "$TP_US_TARGET")"
	# shellcheck disable=SC2086
	printf '    of which start-up (trace -- true) %.2f s: %.2f us per event without it\n' \
		"$(median "${fixed[@]}")" \
		"$(calc %.3f "$(median ${us[jsonl]}) - $(median "${fixed[@]}") / $(median ${ev[jsonl]}) * 1e6")"
	printf '  peak RSS (max over the runs)         %.1f MiB (target <= %d MiB)%s\n' \
		"$(calc %.1f "$rss_max_tp / 1024")" "$TP_RSS_TARGET_MIB" \
		"$(verdict "$(calc %.1f "$rss_max_tp / 1024")" '<=' "$TP_RSS_TARGET_MIB")"
	echo

	# report against Python's json module on the last plain log, interleaved
	log=$tmp/tp.jsonl
	lines=$(wc -l <"$log")
	echo "report: $lines lines ($(calc %.0f "$(stat -c %s "$log") / 1048576") MiB), procscope report and python3 json.loads line by line, interleaved"
	for ((r = 1; r <= 3; r++)); do
		timed "$PROCSCOPE" report "$log"
		rd_w+=("$rd_wall") rd_c+=("$rd_cpu")
		timed python3 -c 'import json, sys
for line in open(sys.argv[1], "rb"):
    json.loads(line)' "$log"
		py_w+=("$rd_wall") py_c+=("$rd_cpu")
	done
	printf '  procscope report  %9.0f lines/s (%.0f per CPU second)   target >= %d%s\n' \
		"$(calc %.0f "$lines / $(median "${rd_w[@]}")")" "$(calc %.0f "$lines / $(median "${rd_c[@]}")")" \
		"$REPORT_LPS_TARGET" "$(verdict "$(calc %.0f "$lines / $(median "${rd_w[@]}")")" '>=' "$REPORT_LPS_TARGET")"
	printf '  python3 json      %9.0f lines/s (%.0f per CPU second)\n' \
		"$(calc %.0f "$lines / $(median "${py_w[@]}")")" "$(calc %.0f "$lines / $(median "${py_c[@]}")")"
	printf '  ratio             %.1fx (%.1fx in CPU)   target >= %dx%s\n' \
		"$(calc %.2f "$(median "${py_w[@]}") / $(median "${rd_w[@]}")")" \
		"$(calc %.2f "$(median "${py_c[@]}") / $(median "${rd_c[@]}")")" "$REPORT_PY_TARGET" \
		"$(verdict "$(calc %.2f "$(median "${py_w[@]}") / $(median "${rd_w[@]}")")" '>=' "$REPORT_PY_TARGET")"
	# the live summary (after the workload's own line) against report's
	"$PROCSCOPE" report "$log" >"$tmp/report.txt" 2>/dev/null || true
	grep -v '^pingpong n=' "$tmp/live-plain.txt" >"$tmp/live-summary.txt"
	if cmp -s "$tmp/live-summary.txt" "$tmp/report.txt"; then
		echo "  report's summary is the live trace's, byte for byte"
	else
		echo "  report's summary differs from the live trace's   MISSED"
	fi
	echo
}

preflight
build_workloads
tmp=$(mktemp -d /tmp/procscope-bench.XXXXXX)

if ((!TP_ONLY)); then
	workload=("$FORKSTORM" "$FORKS")
	fork_configs=("log:-e proc,epoll,unix" "log:")
	((EXTRA)) && fork_configs+=("var:-o /dev/null" "var:")
	measure "fork storm ($FORKS x fork+exit+waitpid)" "$FORK_TARGET" "${fork_configs[@]}"
	sched_ratio "fork storm" "-e proc,epoll,unix"

	workload=("$PINGPONG" "$PINGS")
	ROUNDS=$((2 * FORK_ROUNDS - 1))
	measure "epoll ping-pong over a unix socketpair ($PINGS round trips, $((2 * PINGS)) waits)" \
		"$PING_TARGET" "log:-e epoll" "log:-e unix" "log:"
	sched_pairs

	# The sched hooks run for every context switch of the system, traced or not. With a
	# command (tree mode) the ping-pong is untraced: what the hooks cost it is their early return.
	workload=("$PINGPONG" "$PINGS")
	measure_early_return

	attach_time
	echo
fi
if ((TP_RUNS)); then
	throughput
fi
if ((!TP_ONLY)); then
	report_chain
fi
