#!/usr/bin/env python3
"""Cold-start timings of the CLI: the median of N runs of each command, each in a new process.

A benchmark, not a test: it prints a table and asserts nothing.

    python scripts/bench_cli.py [--runs 5] [--root PATH]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def time_command(args: list[str], runs: int, cwd: Path) -> tuple[float, float, int]:
    """Median and minimum wall time in seconds, and the last exit status."""
    times = []
    status = 0
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "peron_kg", *args],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
        status = done.returncode
    return statistics.median(times), min(times), status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    options = parser.parse_args()

    from rich.console import Console
    from rich.table import Table

    with tempfile.TemporaryDirectory() as tmp:
        commands = {
            "--help": ["--help"],
            "build": ["build", "--out", str(Path(tmp) / "dist")],
            "validate": ["validate"],
            "query": ["query", "bibliographic-record", "--format", "json"],
            "query --engine rdflib": [
                "query", "bibliographic-record", "--format", "json", "--engine", "rdflib",
            ],
        }
        table = Table(title=f"peron-kg cold start, median of {options.runs} runs")
        for column in ("command", "median (s)", "min (s)", "exit"):
            table.add_column(column, justify="right" if column != "command" else "left")
        for name, args in commands.items():
            median, fastest, status = time_command(args, options.runs, options.root)
            table.add_row(name, f"{median:.3f}", f"{fastest:.3f}", str(status))
        Console().print(table)


if __name__ == "__main__":
    main()
