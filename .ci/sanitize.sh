#!/usr/bin/env bash
# .ci/sanitize.sh [BUILD_DIR] -- the fast test suite built with AddressSanitizer and
# UndefinedBehaviorSanitizer (clang++, -fsanitize=address,undefined -fno-sanitize-recover=all:
# the first report aborts the program, so it fails its test).
#
# Builds every program (tests, examples, benchmarks: it is CI's clang build too), runs
# `meson test --suite fast`, and prints the build and test times, the test counts and the number
# of sanitizer reports found in the test log. Exit status: 0 all passed and no report; 1 a test
# failed or a report was found (the test log holds them: BUILD_DIR/meson-logs/testlog.txt); 2
# the build could not be configured or compiled. .ci/run counts the tests from the test log.
set -uo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build-ci-asan}"
cxx="${SANITIZE_CXX:-clang++}"  # clang's -fsanitize=undefined includes float-cast-overflow, gcc's not

start=$(date +%s)
rm -rf "$dir"
echo "== sanitize: configure $dir ($cxx, address+undefined, -O1)"
CXX="$cxx" meson setup "$dir" --buildtype=plain -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
  -Dcpp_args="-O1 -g1 -fno-omit-frame-pointer -fno-sanitize-recover=all" >"$dir.setup.log" 2>&1 ||
  { cat "$dir.setup.log"; echo "sanitize: configure failed"; exit 2; }

# Everything built by default (the fuzz target is not: .ci/fuzz.sh builds it).
echo "== sanitize: build"
ninja -C "$dir" || { echo "sanitize: build failed"; exit 2; }
built=$(date +%s)

echo "== sanitize: meson test --suite fast"
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
meson test -C "$dir" --suite fast --no-rebuild --print-errorlogs --num-processes 2
test_status=$?
done_at=$(date +%s)

log="$dir/meson-logs/testlog.txt"
reports=0
[ -f "$log" ] && reports=$(grep -c -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error: ' "$log")
counts=$(python3 .ci/count_results.py "$dir/meson-logs/testlog.json" 2>/dev/null || echo "? ?")
echo "== sanitize: build $((built - start)) s, tests $((done_at - built)) s;" \
     "Catch2 cases + other tests: ${counts% *} passed, ${counts#* } failed; sanitizer reports: $reports"
[ "$test_status" -eq 0 ] && [ "$reports" -eq 0 ] && exit 0
exit 1
