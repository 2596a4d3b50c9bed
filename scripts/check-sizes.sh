#!/usr/bin/env bash
# The file-size rule of docs/design.md ("File size"), checked by `make lint`: no file in user/,
# bpf/, include/ or tests/lib/ over MAX_LINES (800) lines, except those the table in that
# section names with a reason. An entry for a file that is gone or no longer too long fails
# too, so the list stays true.
set -u
cd "$(dirname "$0")/.."
max=${MAX_LINES:-800}
dirs=(user bpf include tests/lib)
doc=docs/design.md
fail=0
declare -A allowed
# the rows "| `path` | reason |" of the table under "## File size"
while IFS= read -r path; do
	allowed[$path]=1
done < <(sed -n '/^## File size/,/^## /p' "$doc" | sed -n 's/^| `\([^`]*\)` |.*/\1/p')
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files=$(git ls-files -- "${dirs[@]}")
else
	files=$(find "${dirs[@]}" -type f | sort)
fi
for f in $files; do
	[ -f "$f" ] || continue
	n=$(wc -l <"$f")
	if [ "$n" -gt "$max" ] && [ -z "${allowed[$f]:-}" ]; then
		echo "$f: $n lines, over $max: split it along its seams, or name it with a reason in $doc (File size)" >&2
		fail=1
	fi
done
for f in "${!allowed[@]}"; do
	if [ ! -f "$f" ]; then
		echo "$doc: File size names '$f', which does not exist" >&2
		fail=1
	elif [ "$(wc -l <"$f")" -le "$max" ]; then
		echo "$doc: File size names '$f', which is no longer over $max lines: drop it" >&2
		fail=1
	fi
done
exit $fail
