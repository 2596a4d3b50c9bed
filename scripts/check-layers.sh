#!/usr/bin/env bash
# The layering rules of docs/design.md, checked by `make lint`:
#  - user/core includes only core, lib and include/ headers (no sinks, session, cli, groups...);
#  - only user/session may include libbpf or the skeleton.
# Headers are included by bare name, so a name is resolved against the folder that holds it.
set -u
cd "$(dirname "$0")/.."
fail=0
declare -A home
for h in include/*.h user/*/*.h user/groups/*/*.h; do
	home[$(basename "$h")]=$(dirname "$h")
done
for f in user/core/*.[ch]; do
	while IFS= read -r inc; do
		dir=${home[$inc]:-}
		case $dir in
		user/core | user/lib | include) ;;
		"") echo "$f: includes \"$inc\", which is no header of this tree" >&2; fail=1 ;;
		*) echo "$f: the pure core includes \"$inc\" from $dir/" >&2; fail=1 ;;
		esac
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done
while IFS= read -r hit; do
	echo "$hit: libbpf outside user/session" >&2
	fail=1
done < <(grep -rnE '#include [<"](bpf/|linux/bpf\.h|procscope\.skel\.h)' user --include='*.[ch]' |
	grep -v '^user/session/' | cut -d: -f1,2)
exit $fail
