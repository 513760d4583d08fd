"""Benchmark the trace-file reader (em_core.trace_json.read_trace) on the costliest files of
the largest size it accepts, 16 MiB.

    .venv/bin/python benchmarks/bench_trace_file.py

Each family is read in a fresh subprocess; the table gives the outcome (the start of the
refusal), the time, and how much the read raised the process's peak resident memory
(``ru_maxrss``), also as a multiple of the file's size. A valid trace of that size is one
with a million one-column data rows.
"""

from __future__ import annotations

import subprocess
import sys

FAMILIES = {
    "four million numbers": "floats",
    "eight million small integers": "ints",
    "five million empty strings": "strings",
    "a million one-value rows and padding": "rows",
    "1,200,000 empty arrays": "lists",
}

CHILD = r"""
import resource, sys, time
from em_core.trace_json import MAX_TRACE_BYTES, TraceFileError, read_trace
kind, n = sys.argv[1], MAX_TRACE_BYTES - 100
if kind == "floats":
    raw = b'{"a": [' + b"0.5," * (n // 4 - 10) + b"0.5]}"
elif kind == "ints":
    raw = b'{"a": [' + b"1," * (n // 2 - 10) + b"1]}"
elif kind == "strings":
    raw = b'{"a": [' + b'"",' * (n // 3 - 10) + b'""]}'
elif kind == "rows":
    body = b"[1.5]," * 1_000_000
    raw = b'{"data": [' + body + b'[1.5]], "x": "' + b"a" * (n - len(body) - 40) + b'"}'
else:
    raw = b'{"a": [' + b"[]," * 1_200_000 + b"[]]}"
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    read_trace(raw)
    outcome = "read"
except TraceFileError as error:
    outcome = str(error)[:48]
seconds = time.perf_counter() - start
rise = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(f"{len(raw) / 2**20:.1f}\t{seconds:.2f}\t{rise:.0f}\t{outcome}")
"""


def main() -> None:
    print("| file | MiB | seconds | peak rise MiB | × size | outcome |")
    print("|---|---:|---:|---:|---:|---|")
    for label, kind in FAMILIES.items():
        out = subprocess.run(
            [sys.executable, "-c", CHILD, kind], capture_output=True, text=True, check=True
        ).stdout.strip()
        size, seconds, rise, outcome = out.split("\t")
        ratio = float(rise) / float(size)
        print(f"| {label} | {size} | {seconds} | {rise} | {ratio:.1f} | {outcome} |")


if __name__ == "__main__":
    main()
