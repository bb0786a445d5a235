#!/usr/bin/env bash
# .ci/fuzz.sh [BUILD_DIR] [SECONDS] -- runs the libFuzzer target tests/fuzz/fuzz_schedule
# (random networks, chips and options through the scheduler in Tangram mode and with the buffer
# prospector; tests/fuzz/fuzz_target.hpp) for a fixed time, starting from the kept corpus
# tests/data/fuzz_corpus/ (read only: new inputs go to a scratch directory).
#
# BUILD_DIR: a clang build with sanitizers (default build-ci-asan, as .ci/sanitize.sh leaves it;
# configured here if absent). SECONDS: the budget (default 60, or $FUZZ_SECONDS). Installs
# libclang-rt-14-dev (libFuzzer) if missing. Prints executions, speed, coverage, new inputs and
# findings. Exit status: 0 no finding; 1 a crash, timeout (one input > 30 s), out-of-memory or
# leak (the input is saved as BUILD_DIR/fuzz-findings/crash-*, timeout-*, ...: reproduce with
# `BUILD_DIR/tests/fuzz/fuzz_schedule FILE`, then keep it in tests/data/fuzz_corpus/); 2 no
# libFuzzer or no build.
set -uo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build-ci-asan}"
seconds="${2:-${FUZZ_SECONDS:-60}}"
corpus=tests/data/fuzz_corpus

if ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "== fuzz: installing libclang-rt-14-dev (libFuzzer)"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null ||
    { echo "fuzz: cannot install libclang-rt-14-dev"; exit 2; }
fi

start=$(date +%s)
if [ ! -f "$dir/build.ninja" ]; then
  echo "== fuzz: configure $dir (clang++, address+undefined)"
  CXX=clang++ meson setup "$dir" --buildtype=plain -Db_sanitize=address,undefined -Db_lundef=false \
    -Dcpp_args="-O1 -g1 -fno-omit-frame-pointer -fno-sanitize-recover=all" >"$dir.setup.log" 2>&1 ||
    { cat "$dir.setup.log"; echo "fuzz: configure failed"; exit 2; }
fi
echo "== fuzz: build tests/fuzz/fuzz_schedule"
ninja -C "$dir" tests/fuzz/fuzz_schedule || { echo "fuzz: no libFuzzer target (needs clang and libFuzzer)"; exit 2; }
built=$(date +%s)

scratch="$dir/fuzz-corpus-new"
findings="$dir/fuzz-findings"
rm -rf "$scratch" "$findings"
mkdir -p "$scratch" "$findings"
log="$dir/fuzz.log"
echo "== fuzz: $seconds s from $(ls "$corpus" | wc -l) kept inputs ($corpus)"
ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
  "$dir/tests/fuzz/fuzz_schedule" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$findings/" "$scratch" "$corpus" >"$log" 2>&1
status=$?
stat() { sed -n "s/^stat::$1: *//p" "$log"; }
last=$(grep -E '^#[0-9]+' "$log" | tail -1)
echo "== fuzz: build $((built - start)) s; ran $(stat number_of_executed_units) inputs in $seconds s" \
     "($(stat average_exec_per_sec) per s, peak RSS $(stat peak_rss_mb) MB); $(ls "$scratch" | wc -l) new inputs in $scratch"
echo "   last status: $last"
found=$(ls "$findings" | wc -l)
if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
  echo "!! fuzz: exit status $status, $found finding(s) in $findings:"
  ls "$findings"
  grep -E 'ERROR|runtime error|internal assertion|bp_fuzz:|SUMMARY' "$log" | head -20
  exit 1
fi
echo "== fuzz: no crash, hang, leak or broken invariant"
exit 0
