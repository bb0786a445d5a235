#!/usr/bin/env python3
"""Counts passed and failed tests in a meson testlog.json.

A Catch2 program counts its test cases (from its own summary line); any other test counts once.
A Catch2 program that failed without a summary (a crash) counts as one failure. Prints "P F".
"""
import json
import re
import sys

passed = failed = 0
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        if not line.strip():
            continue
        t = json.loads(line)
        ok = t.get("result") == "OK"
        out = t.get("stdout") or ""
        m_all = re.search(r"All tests passed \((\d+) assertions? in (\d+) test cases?\)", out)
        m_mix = re.search(r"test cases:\s+(\d+)\s+\|\s+(\d+) passed\s+\|\s+(\d+) failed", out)
        if m_all and ok:
            passed += int(m_all.group(2))
        elif m_mix:
            passed += int(m_mix.group(2))
            failed += max(int(m_mix.group(3)), 0 if ok else 1)
        elif ok:
            passed += 1
        else:
            failed += 1
print(passed, failed)
