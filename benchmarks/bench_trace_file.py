"""Benchmark the trace-file reader (em_core.trace_json.read_trace) on the costliest files of
the largest size it accepts, 16 MB.

    .venv/bin/python benchmarks/bench_trace_file.py

Each family is read in a fresh subprocess; the table gives the outcome (the start of the
refusal), the time, how much the read raised the process's peak resident memory
(``ru_maxrss``), also as a multiple of the file's size, and the peak of what Python and NumPy
allocated during the read (tracemalloc, run separately). A valid trace of that size is one
with a million one-column data rows; the four strings of escapes are one string of 16 MB
(a pattern over whole strings once took up to 1.1 GiB on them).
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
    "a string of escaped backslashes": "escape:\\\\",
    "a string of escaped newlines": "escape:\\n",
    "a string of escaped quotes": 'escape:\\"',
    "a string of \\u0041 escapes": "escape:\\u0041",
    "1,400,000 distinct keys": "keys",
}

CHILD = r"""
import resource, sys, time, tracemalloc
from em_core.trace_json import MAX_TRACE_BYTES, TraceFileError, read_trace
kind, n, traced = sys.argv[1], MAX_TRACE_BYTES - 100, sys.argv[2] == "traced"
if kind.startswith("escape:"):
    unit = kind[7:].encode()
    raw = b'{"a":"' + unit * (n // len(unit)) + b'"}'
elif kind == "keys":
    raw = ("{" + ",".join(f'"{i:07d}":0' for i in range(n // 12)) + "}").encode()
elif kind == "floats":
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
if traced:
    tracemalloc.start()
start = time.perf_counter()
try:
    read_trace(raw)
    outcome = "read"
except TraceFileError as error:
    outcome = str(error)[:48]
seconds = time.perf_counter() - start
rise = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0
print(f"{len(raw) / 2**20:.1f}\t{seconds:.2f}\t{rise:.0f}\t{peak:.0f}\t{outcome}")
"""


def read_in_child(kind: str, traced: bool) -> list[str]:
    mode = "traced" if traced else "plain"
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, mode], capture_output=True, text=True, check=True
    )
    return out.stdout.strip().split("\t")


def main() -> None:
    print("| file | MiB | seconds | peak rise MiB | × size | tracemalloc peak MiB | outcome |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for label, kind in FAMILIES.items():
        size, seconds, rise, _, outcome = read_in_child(kind, traced=False)
        peak = read_in_child(kind, traced=True)[3]
        ratio = float(rise) / float(size)
        print(f"| {label} | {size} | {seconds} | {rise} | {ratio:.1f} | {peak} | {outcome} |")


if __name__ == "__main__":
    main()
