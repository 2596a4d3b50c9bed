#!/usr/bin/env bash
# Install the Debian 12 packages procscope needs to build and test, only those missing.
# Safe to run again; needs root (apt-get).
set -euo pipefail
pkgs=(
	clang llvm make gcc pkg-config   # BPF and userspace compilers
	libbpf-dev bpftool libelf-dev zlib1g-dev   # loader, skeleton generation
	libzstd-dev   # zstd logs (-o FILE.zst) and reading them back
	libjson-c-dev libcmocka-dev   # report reader, tests
	libclang-rt-14-dev   # sanitizers and libFuzzer for clang
	cppcheck clang-format clang-tidy   # make lint / check-format
	valgrind   # the report test runs under it
	time zstd bsdutils   # make bench (/usr/bin/time, zstdcat); script(1) for the progress test
	python3   # the workloads of integration tests (test_identity, test_sched) and make bench
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}; run as root (sudo $0)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
