#!/bin/sh
# One semi-private prefix (STYLE.md section 3, README "Names inside a module"): a
# function declared in a header of src/<module>/ (shared by that module's files, not
# public) is named cpts_<module>__<verb>. Names older than the convention are listed
# below per module, by prefix, so that no new one appears; renaming them is left for
# when their files are quiet (a rename across files that others are editing costs more
# merges than it saves). src/dep/ (the adapter layer every module uses) and src/cli/
# (the program, not the library) are outside the rule.
src="$1"
n=0; bad=0; n_conv=0; n_legacy=0
legacy() {
  case "$1" in
    audit) echo "au_" ;;
    check) echo "chk_" ;;
    export) echo "ex_" ;;
    synth) echo "synth_" ;;
    profile) echo "dl_ cpts_bands_" ;;
    ingest) echo "cpts_csv_ cpts_flowset_ cpts_resolver_ cpts_resolve" ;;
    *) echo "" ;;
  esac
}
for h in "$src"/src/*/*.h; do
  m=$(basename "$(dirname "$h")")
  case "$m" in dep|cli) continue ;; esac
  names=$(grep -E '^[a-z][a-z0-9_ ]*[ *]+[a-z_][a-z0-9_]*\(' "$h" | grep -vE '^(static|typedef) ' |
          sed -E 's/^[a-z][a-z0-9_ ]*[ *]+([a-z_][a-z0-9_]*)\(.*/\1/')
  for f in $names; do
    n=$((n+1))
    rel=${h#"$src"/}
    case "$f" in
      cpts_"$m"__*) n_conv=$((n_conv+1)); echo "ok $n - $rel: $f" ; continue ;;
    esac
    ok=0
    for p in $(legacy "$m"); do
      case "$f" in "$p"*) ok=1 ;; esac
    done
    if [ $ok = 1 ]; then
      n_legacy=$((n_legacy+1)); echo "ok $n - $rel: $f (older prefix, listed)"
    else
      echo "not ok $n - $rel: $f is not named cpts_${m}__<verb>"; bad=1
    fi
  done
done
echo "# $n_conv names follow cpts_<module>__, $n_legacy keep an older listed prefix"
echo "1..$n"
exit $bad
