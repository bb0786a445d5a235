#!/bin/sh
# tests/cli/run_cli.sh -- runs a command-line program and checks what it did.
#
# usage: run_cli.sh STATUS STDOUT STDERR PROGRAM [ARGS...]
#   STATUS  the expected exit status
#   STDOUT  a file whose bytes stdout must equal; '-' to ignore stdout; 'empty' for no output;
#           '~TEXT' for "stdout contains TEXT"
#   STDERR  a text that stderr must contain and stderr must be exactly one line; 'empty' for no
#           output on stderr
# Prints what differs and exits 1 on a mismatch; plain POSIX sh (no Python at test time).
set -u
[ $# -ge 4 ] || { echo "usage: $0 STATUS STDOUT STDERR PROGRAM [ARGS...]" >&2; exit 1; }
want_status=$1 want_out=$2 want_err=$3
shift 3

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$@" >"$tmp/out" 2>"$tmp/err"
status=$?
ok=0

if [ "$status" != "$want_status" ]; then
  echo "exit status $status, expected $want_status"
  ok=1
fi

case $want_out in
  -) ;;
  empty) [ -s "$tmp/out" ] && { echo "unexpected stdout:"; cat "$tmp/out"; ok=1; } ;;
  \~*) grep -F -q -- "${want_out#\~}" "$tmp/out" || { echo "stdout lacks '${want_out#\~}':"; cat "$tmp/out"; ok=1; } ;;
  *) cmp -s "$tmp/out" "$want_out" || { echo "stdout differs from $want_out:"; diff "$tmp/out" "$want_out" | head -20; ok=1; } ;;
esac

if [ "$want_err" = empty ]; then
  [ -s "$tmp/err" ] && { echo "unexpected stderr:"; cat "$tmp/err"; ok=1; }
else
  grep -F -q -- "$want_err" "$tmp/err" || { echo "stderr lacks '$want_err':"; cat "$tmp/err"; ok=1; }
  lines=$(wc -l <"$tmp/err")
  [ "$lines" -eq 1 ] || { echo "stderr has $lines lines, expected 1:"; cat "$tmp/err"; ok=1; }
fi
exit $ok
