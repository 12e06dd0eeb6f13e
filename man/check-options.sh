#!/bin/sh
# Keep the man pages honest: for every command, each option that
# `skiff COMMAND --help` lists must be documented in man/skiff-COMMAND.8.scd
# (with the same short alias), and each option the page documents must be
# one the command accepts.  The global options are checked against
# skiff.8.scd the same way.  A command whose --help fails (not implemented
# yet) is skipped with a note.
#
# Environment: SKIFF (binary), SKIFF_SRCDIR (source tree); set by `make check`.
set -u
srcdir=${SKIFF_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
SKIFF=${SKIFF:-./skiff}
if [ ! -x "$SKIFF" ]; then
  echo "check-options: skiff binary \`$SKIFF\` not found: build it first"
  exit 99
fi

# Options in --help output: lines after "Options:" or "Global options:",
# "  -b, --bundle DIR   text" -> "b/bundle", "      --keep  text" -> "/keep".
help_opts () {
  awk '/^(Options|Global options):/ { on = 1; next }
       on && /^$/ { on = 0 }
       on && $1 ~ /^-/ {
         short = ""; long = ""
         if ($1 ~ /^-[^-],$/) { short = substr ($1, 2, 1); long = $2 } else long = $1
         sub (/^--/, "", long)
         print short "/" long
       }' | grep -v '^h/help$' | sort -u
}

# Options a page documents: the definition lines of its OPTIONS (or GLOBAL
# OPTIONS) section, "*-b*, *--bundle* _dir_" -> "b/bundle".  A line may
# define several options ("*--cpu-rt-runtime* _usec_, *--cpu-rt-period* _usec_").
man_opts () {
  awk -v sect="$2" '
    /^# / { on = ($0 == "# " sect); next }
    on && /^\*-/ {
      line = $0; short = ""
      while (match (line, /\*-[-a-zA-Z0-9]+\*/)) {
        tok = substr (line, RSTART + 1, RLENGTH - 2)
        line = substr (line, RSTART + RLENGTH)
        if (tok ~ /^--/) { print short "/" substr (tok, 3); short = "" }
        else short = substr (tok, 2)
      }
    }' "$1" | grep -v '^h/help$' | sort -u
}

failed=0 checked=0 skipped=0
# "b/bundle" -> "-b, --bundle"; "/keep" -> "--keep"
spell () {
  case $1 in /*) echo "--${1#/}" ;; *) echo "-${1%%/*}, --${1#*/}" ;; esac
}
# compare NAME HELP-LIST MAN-LIST PAGE [ALLOWED-EXTRA...]
compare () {
  name=$1 h=$2 m=$3 page=$4
  shift 4
  for o in $(comm -23 "$h" "$m"); do
    echo "not ok: \`$name --help\` lists \`$(spell "$o")\` but $page does not document it (as that)"
    failed=$((failed + 1))
  done
  for o in $(comm -13 "$h" "$m"); do
    case " $* " in *" $o "*) continue ;; esac
    echo "not ok: $page documents \`$(spell "$o")\` but \`$name --help\` does not list it"
    failed=$((failed + 1))
  done
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Global options.  --criu is accepted and ignored (runc compatibility), so
# the help leaves it out while the page documents it.
"$SKIFF" --help | help_opts >"$tmp/h"
man_opts "$srcdir/man/skiff.8.scd" "GLOBAL OPTIONS" >"$tmp/m"
compare "skiff" "$tmp/h" "$tmp/m" "man/skiff.8.scd" "/criu"
checked=$((checked + 1))

for page in "$srcdir"/man/skiff-*.8.scd; do
  cmd=$(basename "$page" .8.scd)
  cmd=${cmd#skiff-}
  # `checkpoint --help` prints its options but fails where CRIU cannot
  # work (CRI-O's probe): its options are still checked.
  if ! "$SKIFF" "$cmd" --help >"$tmp/out" 2>&1 && ! grep -q '^Options:' "$tmp/out"; then
    echo "skip: \`skiff $cmd --help\` failed ($(head -n1 "$tmp/out")): not implemented yet?"
    skipped=$((skipped + 1))
    continue
  fi
  help_opts <"$tmp/out" >"$tmp/h"
  man_opts "$page" "OPTIONS" >"$tmp/m"
  compare "skiff $cmd" "$tmp/h" "$tmp/m" "man/skiff-$cmd.8.scd"
  checked=$((checked + 1))
done

echo "man pages: $checked checked, $skipped skipped, $failed mismatches"
[ "$failed" -eq 0 ]
