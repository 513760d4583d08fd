"""Benchmark the reader on adversarial inputs against an ordinary file of the same size.

    .venv/bin/python benchmarks/bench_reader.py                 # 1 KiB, 64 KiB, 16 MB (minutes)
    .venv/bin/python benchmarks/bench_reader.py --sizes 1024,65536 --repeats 9

Every family below is read with the app's limits (``read_table`` for a file, ``read_pasted``
for a paste; a paste larger than the paste box's 2,000,000 characters is read with
``max_chars`` raised to its length, so that it is read rather than refused at once). For
each, the table gives the outcome (rows read, or the start of the refusal), the CPU time per
byte (best of ``--repeats`` reads below 1 MiB, one read above; CPU time, which other work on
a shared machine disturbs less than the clock's), its ratio to the ordinary file of the same
size, and the peak memory (``tracemalloc``, which sees NumPy's arrays too, in a separate
read) as a multiple of the input's size.

Budgets, reported in the last column: time per byte at most ``TIME_RATIO`` times the
ordinary file's, and peak memory at most ``MEMORY_RATIO`` times the input plus
``MEMORY_FLOOR`` (fixed costs, such as compiling a pattern, dominate tiny inputs).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable

from em_data import InputError, read_pasted, read_table

TIME_RATIO = 3.0
MEMORY_RATIO = 20.0
MEMORY_FLOOR = 1 << 20
PASTE_LIMIT = 2_000_000
NBSP = "\xa0"


def _fill(unit: str, size: int, head: str = "", tail: str = "") -> str:
    """``head`` + ``unit`` repeated + ``tail``, about ``size`` characters in all."""
    return head + unit * max(1, (size - len(head) - len(tail)) // len(unit)) + tail


def _file(text: str, encoding: str = "utf-8") -> tuple[str, bytes]:
    return "file", text.encode(encoding)


def _paste(text: str) -> tuple[str, str]:
    return "paste", text


# name -> size -> (kind, data). "ordinary" is the reference every other family is held to.
FAMILIES: dict[str, Callable[[int], tuple[str, bytes | str]]] = {
    # Short values, nine a row: the most numbers an ordinary file can hold per byte within
    # the row limit (16 MB of it is about 890,000 rows).
    "ordinary": lambda n: _file(_fill("1,2,3,4,5,6,7,8,9\n", n)),
    "NBSP at both edges, bad last line": lambda n: _file(
        _fill(f"{NBSP}1{NBSP}\n", n, "1\n", "x\n"), "cp1252"
    ),
    "NBSP at both edges, each line": lambda n: _file(_fill(f"{NBSP}1{NBSP}\n", n, "1\n"), "cp1252"),
    "one trailing NBSP a line, bad last": lambda n: _file(
        _fill(f"1{NBSP}\n", n, "1\n", "x\n"), "cp1252"
    ),
    "one run of NBSP": lambda n: _file(_fill(NBSP, n, "1\n1", "x\n"), "cp1252"),
    "run of NBSP and spaces": lambda n: _file(_fill(f"{NBSP} ", n, "1 2\n1", "2\n"), "cp1252"),
    "run of commas": lambda n: _file(_fill(",", n, "1,2\n1", "2\n")),
    "run of semicolons": lambda n: _file(_fill(";", n, "1;2\n1", "2\n")),
    "run of tabs": lambda n: _file(_fill("\t", n, "1\t2\n1", "2\n")),
    "run of spaces": lambda n: _file(_fill(" ", n, "1 2\n1", "2\n")),
    "quotes": lambda n: _file(_fill('"', n, "1\n")),
    "quoted cells with NBSP": lambda n: _file(
        _fill(f'"{NBSP} 1 {NBSP}"\n', n, "1\n", '"x"\n'), "cp1252"
    ),
    "signs": lambda n: _file(_fill("+-", n, "1\n")),
    "exponents": lambda n: _file(_fill("1e", n, "1\n")),
    "digits (one huge number)": lambda n: _file(_fill("1", n, "x\n")),
    "blank and comment lines": lambda n: _file(_fill(f" {NBSP}\t\n#\n", n, "x\n", "1\n"), "cp1252"),
    # Lines that are not data, which once cost a call of Python each (16 MiB of newlines:
    # 5.8 times the ordinary file).
    "blank lines": lambda n: _file(_fill("\n", n, "x", "y")),
    "blank lines, CRLF": lambda n: _file(_fill("\r\n", n, "x", "y")),
    "newlines, then one number": lambda n: _file(_fill("\n", n, "", "1")),
    "whitespace-only lines": lambda n: _file(_fill(" \t\n", n, "x\n", "y\n")),
    "comment lines": lambda n: _file(_fill("# a comment, 1.5\n", n, "x\n", "1\n")),
    "rows between blank lines": lambda n: _file(_fill("1,2,3,4,5,6,7,8,9\n\n", n)),
    "rows between comments": lambda n: _file(_fill("1,2,3,4,5,6,7,8,9\n# c\n", n)),
    # The ordinary file's numbers written otherwise.
    "CRLF line ends": lambda n: _file(_fill("1,2,3,4,5,6,7,8,9\r\n", n)),
    "UTF-8 with BOM": lambda n: _file(_fill("1,2,3,4,5,6,7,8,9\n", n - 3), "utf-8-sig"),
    "UTF-16 with BOM": lambda n: _file(_fill("1,2,3,4,5,6,7,8,9\n", n // 2 - 1), "utf-16"),
    "quoted cells": lambda n: _file(_fill('"1","2","3","4","5","6","7","8","9"\n', n)),
    "escaped quotes": lambda n: _file(_fill('"""1""",2\n', n, "a,b\n")),
    "one long line": lambda n: _file(_fill("1,", n, "", "1\n")),
    "long lines (too many values)": lambda n: _file(_fill("1 " * 5_000 + "\n", n, "1 2\n")),
    "50 columns": lambda n: _file(_fill(",".join(["1"] * 50) + "\n", n)),
    "paste: a million values a line": lambda n: _paste(_fill("1 ", n)),
    "paste: values a line, bad last": lambda n: _paste(_fill("12 ", n, "", "x")),
    "paste: mixed separator runs": lambda n: _paste(_fill("1 , ;\t ", n)),
    "paste: NBSP-padded values": lambda n: _paste(_fill(f"{NBSP}1{NBSP} ", n)),
    "paste: decimal commas": lambda n: _paste(_fill("1,5; ", n)),
    "paste: NBSP edges, bad last line": lambda n: _paste(
        _fill(f"{NBSP}1{NBSP} {NBSP}2{NBSP}\n", n, "1 2\n", "x y\n")
    ),
}


def read(kind: str, data: bytes | str) -> str:
    """Read ``data`` as the app does; return the outcome in a few words."""
    try:
        if kind == "file":
            table = read_table(data)
        else:
            table = read_pasted(data, max_chars=max(PASTE_LIMIT, len(data)))
    except InputError as error:
        return f"refused: {str(error)[:38]}"
    return f"{table.values.shape[0]:,} × {table.values.shape[1]}"


def measure(kind: str, data: bytes | str, repeats: int) -> tuple[str, float, int]:
    """Outcome, best seconds of ``repeats`` reads, and peak traced bytes of one read."""
    seconds = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        outcome = read(kind, data)
        seconds = min(seconds, time.process_time() - started)
    tracemalloc.start()
    read(kind, data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return outcome, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=f"{1 << 10},{1 << 16},{16_000_000}")
    parser.add_argument("--repeats", type=int, default=5, help="below 1 MiB; 1 above")
    args = parser.parse_args()
    print(
        "| family | size | outcome | ns/byte | × ordinary | peak / size | within budget |\n"
        "|---|---:|---|---:|---:|---:|---|"
    )
    failures = 0
    for size in map(int, args.sizes.split(",")):
        reference = None
        for name, build in FAMILIES.items():
            kind, data = build(size)
            outcome, seconds, peak = measure(kind, data, args.repeats if size < 1 << 20 else 1)
            per_byte = seconds / len(data)
            reference = per_byte if reference is None else reference
            ratio = per_byte / reference
            ok = ratio <= TIME_RATIO and peak <= MEMORY_RATIO * len(data) + MEMORY_FLOOR
            failures += not ok
            print(
                f"| {name} | {len(data):,} | {outcome} | {per_byte * 1e9:,.0f} | {ratio:.2f} "
                f"| {peak / len(data):.1f} | {'yes' if ok else '**no**'} |",
                flush=True,
            )
    print(f"\n{failures} over budget.")


if __name__ == "__main__":
    main()
