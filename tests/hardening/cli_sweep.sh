#!/bin/sh
# tests/hardening/cli_sweep.sh -- one malformed command line must be refused cleanly.
#
# usage: cli_sweep.sh TEXT PROGRAM [ARGS...]
#   Runs PROGRAM ARGS in an empty temporary directory (a command line that parsed by mistake
#   cannot leave files behind) with a 60 s limit, and checks: exit status 2 (not a signal, not
#   a timeout), nothing on stdout, exactly one line on stderr that starts with "NAME: error: "
#   (NAME: the program's base name) and contains TEXT (empty TEXT: any message).
# Plain POSIX sh plus coreutils' timeout; exits 1 with what differs.
set -u
[ $# -ge 2 ] || { echo "usage: $0 TEXT PROGRAM [ARGS...]" >&2; exit 1; }
want_err=$1
shift
name=$(basename "$1")
prog=$(cd "$(dirname "$1")" && pwd)/$name  # absolute: it runs from another directory
shift

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/cwd"
(cd "$tmp/cwd" && exec timeout -k 5 60 "$prog" "$@") >"$tmp/out" 2>"$tmp/err"
status=$?
ok=0

case $status in
  2) ;;
  124|137) echo "hang: no exit within 60 s (status $status)"; ok=1 ;;
  *) if [ "$status" -gt 128 ]; then
       echo "killed by signal $((status - 128))"
     else
       echo "exit status $status, expected 2"
     fi
     ok=1 ;;
esac
[ -s "$tmp/out" ] && { echo "unexpected stdout:"; head -c 2000 "$tmp/out"; ok=1; }
lines=$(wc -l <"$tmp/err")
[ "$lines" -eq 1 ] || { echo "stderr has $lines lines, expected 1:"; head -c 2000 "$tmp/err"; ok=1; }
head -n 1 "$tmp/err" | grep -q "^$name: error: " || { echo "stderr does not start with '$name: error: ':"; head -c 2000 "$tmp/err"; ok=1; }
if [ -n "$want_err" ]; then
  grep -F -q -- "$want_err" "$tmp/err" || { echo "stderr lacks '$want_err':"; head -c 2000 "$tmp/err"; ok=1; }
fi
[ -n "$(ls -A "$tmp/cwd")" ] && { echo "left files behind:"; ls -A "$tmp/cwd"; ok=1; }
exit $ok
