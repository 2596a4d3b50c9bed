#!/usr/bin/env bash
# Run a command (make test-load: the whole test suite) beside a heavy background load, the way
# a busy CI machine or a shared workstation runs it: a parallel build of procscope in a scratch
# directory, over and over, and fork loops. The load starts before the command and its whole
# process group is stopped however the command ends; the command's status is the result.
# Usage: tests/load.sh COMMAND [ARGS...]   (LOAD_JOBS: build jobs, default nproc; LOAD_FORKERS:
# fork loops, default nproc)
set -u
jobs=${LOAD_JOBS:-$(nproc)}
forkers=${LOAD_FORKERS:-$(nproc)}
scratch=$(mktemp -d /tmp/procscope-load.XXXXXX) || exit 1
loadpid=
cleanup() {
	if [ -n "$loadpid" ]; then
		kill -TERM -- "-$loadpid" 2>/dev/null
		wait "$loadpid" 2>/dev/null
	fi
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# its own session (and process group): one kill stops the build, the compilers and the loops
setsid bash -c '
	build() {
		while :; do
			make -s -B -j"$1" OUTPUT="$2/out" BIN="$2/procscope" "$2/procscope" \
				>/dev/null 2>&1 || sleep 1
		done
	}
	forks() { while :; do /bin/true; done; }
	build "$1" "$2" &
	for ((i = 0; i < $3; i++)); do forks & done
	wait
' load "$jobs" "$scratch" "$forkers" &
loadpid=$!
echo "load: a make -j$jobs loop and $forkers fork loops (process group $loadpid)"
sleep 2 # let the load reach full speed before the first test
"$@"
status=$?
echo "load: stopping it (the command exited $status)"
exit $status
