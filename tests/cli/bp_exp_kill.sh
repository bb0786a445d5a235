#!/bin/sh
# tests/cli/bp_exp_kill.sh -- a bp-exp run killed mid-write leaves no .dat, and a rerun redoes it.
#
# usage: bp_exp_kill.sh BP_EXP
# Deterministic: with BP_EXP_TEST_HANG_BEFORE_COMMIT set, bp-exp stops after writing the run's
# temporary .dat (before renaming it into place) and says so on stderr; the script waits for that
# line, kills the process with SIGKILL (nothing can be cleaned up), and checks the directory.
# Plain POSIX sh.
set -u
[ $# -eq 1 ] || { echo "usage: $0 BP_EXP" >&2; exit 1; }
exe=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
dir=$tmp/out/01_overall
set -- overall --out "$tmp/out" --nets mlp_s --methods tangram --goals e --jobs 1

BP_EXP_TEST_HANG_BEFORE_COMMIT=1 "$exe" "$@" >"$tmp/log1" 2>"$tmp/err1" &
pid=$!
waited=0
until grep -q "test hook: wrote" "$tmp/err1"; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "bp-exp ended before the hook:"; cat "$tmp/err1"; exit 1; fi
  waited=$((waited + 1))
  if [ "$waited" -gt 1200 ]; then echo "the hook was not reached in 120 s"; kill -9 "$pid"; exit 1; fi
  sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2>/dev/null

if ls "$dir"/*.dat >/dev/null 2>&1; then echo "the killed run left a .dat:"; ls -l "$dir"; exit 1; fi
if ! ls "$dir"/*.dat.tmp.* >/dev/null 2>&1; then echo "no temporary .dat: the kill was not mid-write"; ls -l "$dir"; exit 1; fi

# The rerun redoes the run (its .dat is missing) and removes the killed run's temporary file.
"$exe" "$@" >"$tmp/log2" 2>"$tmp/err2" || { echo "the rerun failed:"; cat "$tmp/err2"; exit 1; }
grep -q "1 ran now" "$tmp/log2" || { echo "the rerun did not redo the run:"; cat "$tmp/log2"; exit 1; }
ls "$dir"/*.dat >/dev/null 2>&1 || { echo "no .dat after the rerun"; ls -l "$dir"; exit 1; }
if ls "$dir"/*.tmp.* >/dev/null 2>&1; then echo "temporary files remain:"; ls -l "$dir"; exit 1; fi

# A third run finds it done.
"$exe" "$@" >"$tmp/log3" 2>"$tmp/err3" || { echo "the third run failed:"; cat "$tmp/err3"; exit 1; }
grep -q "0 ran now.*1 done before" "$tmp/log3" || { echo "the third run did not skip the done run:"; cat "$tmp/log3"; exit 1; }
exit 0
