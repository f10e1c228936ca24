"""The CLI starts fast because heavy imports stay lazy (design.md, "Performance").

Each check runs in a fresh interpreter: in this one, other tests have long since imported
everything, so ``sys.modules`` here would prove nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO

PROBE = """
import json, sys
from peron_kg.cli import main
try:
    main({argv!r}, standalone_mode=False)
    code = 0
except SystemExit as e:
    code = e.code
loaded = {{name: name in sys.modules for name in ("pyshacl", "rdflib", "pyoxigraph")}}
print("PROBE " + json.dumps({{"code": code, "loaded": loaded}}))
"""


def probe(argv: list[str]) -> tuple[dict, str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("PROBE ")]
    assert len(lines) == 1, done.stdout + done.stderr
    return json.loads(lines[0][len("PROBE ") :]), done.stdout


def test_help_imports_neither_rdflib_nor_pyshacl():
    report, out = probe(["--help"])
    assert report["code"] in (0, None)
    assert "query" in out and "build" in out  # the help was really printed
    assert report["loaded"] == {"pyshacl": False, "rdflib": False, "pyoxigraph": False}


def runnable_query_names() -> list[str]:
    """Stored queries that run without arguments (every parameter has a default)."""
    from peron_kg.queries import parse_header

    names = []
    for prefix, folder in (("", REPO / "queries"), ("checks/", REPO / "queries" / "checks")):
        for path in sorted(folder.glob("*.rq")):
            header = parse_header(path.read_text(encoding="utf-8"))
            if all(p.default is not None for p in header.params) and not header.network:
                names.append(prefix + path.stem)
    return names


@pytest.mark.parametrize("name", runnable_query_names()[:1] or ["(no stored query)"])
def test_query_does_not_import_pyshacl(small_snapshot, name):
    assert name != "(no stored query)", "queries/ holds no stored query to run"
    report, _ = probe(["query", name, "--format", "json", "--root", str(small_snapshot.root)])
    assert report["code"] in (0, None)
    # The query really ran, on the data: the engine and the graph were loaded.
    assert report["loaded"]["pyoxigraph"] and report["loaded"]["rdflib"]
    assert report["loaded"]["pyshacl"] is False
