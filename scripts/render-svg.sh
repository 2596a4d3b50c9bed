#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Render an SVG (e.g. from `procscope trace --svg FILE`) to a PNG with headless chromium.
# Usage: scripts/render-svg.sh IN.svg OUT.png [WIDTH HEIGHT]
# The size defaults to the SVG's own width and height attributes. Chromium is installed with
# apt-get if it is missing (root only); PSC_NO_INSTALL=1 forbids that. Exit 0 on success, 1 on
# failure, 2 on a usage error, 77 when chromium is missing and may not be installed.
set -euo pipefail

usage() {
	echo "usage: $0 IN.svg OUT.png [WIDTH HEIGHT]" >&2
	exit 2
}
[ $# -eq 2 ] || [ $# -eq 4 ] || usage
in=$1 out=$2
[ -r "$in" ] || { echo "render-svg: cannot read '$in'" >&2; exit 1; }

find_chromium() {
	local c
	for c in chromium chromium-browser google-chrome; do
		if command -v "$c" >/dev/null 2>&1; then
			command -v "$c"
			return 0
		fi
	done
	return 1
}

browser=$(find_chromium || true)
if [ -z "$browser" ]; then
	if [ "${PSC_NO_INSTALL:-0}" = 1 ] || [ "$(id -u)" -ne 0 ]; then
		echo "render-svg: chromium is not installed (apt-get install chromium)" >&2
		exit 77
	fi
	echo "render-svg: installing chromium" >&2
	export DEBIAN_FRONTEND=noninteractive
	# another apt-get (a parallel install) may hold the dpkg lock: wait for it rather than fail
	apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
	# fonts-dejavu-core: a monospace font, or the labels render as boxes
	apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
	browser=$(find_chromium) || { echo "render-svg: chromium install failed" >&2; exit 1; }
fi

if [ $# -eq 4 ]; then
	w=$3 h=$4
else
	# the root element's width="N" height="N" (procscope writes plain pixel numbers)
	w=$(grep -o -m1 '<svg [^>]*' "$in" | sed -n 's/.* width="\([0-9]*\)".*/\1/p')
	h=$(grep -o -m1 '<svg [^>]*' "$in" | sed -n 's/.* height="\([0-9]*\)".*/\1/p')
fi
case "$w$h" in
'' | *[!0-9]*) echo "render-svg: no pixel width/height in '$in'; pass WIDTH HEIGHT" >&2; exit 1 ;;
esac

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
abs_in=$(readlink -f "$in")
abs_out=$(readlink -f "$(dirname "$out")")/$(basename "$out")
rm -f "$abs_out"
# chromium as root needs --no-sandbox; the rest keeps it from reaching out to the network
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--hide-scrollbars --user-data-dir="$profile" --screenshot="$abs_out" \
	--window-size="$w,$h" "file://$abs_in" >/dev/null 2>&1 || true
if [ ! -s "$abs_out" ]; then
	echo "render-svg: chromium wrote no screenshot for '$in'" >&2
	exit 1
fi
echo "$abs_out"
