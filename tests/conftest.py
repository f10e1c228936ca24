"""Shared fixtures: copies of the project to break safely, a CLI runner and an Oxigraph server.

Tests never write into the repository: anything that builds, breaks or adds a file works on a
copy under ``tmp_path``. Other people edit ``graph/`` and ``queries/`` while tests run, so tests
that only read take one snapshot per session instead of reading the live checkout twice.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from peron_kg.project import Project, find_project

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
#: Material every developer and CI have beside the checkout (design.md, ../shared).
SHARED = REPO.parent / "shared"

#: The hand-edited folders a project consists of; dist/ and the rest are not copied.
PROJECT_FOLDERS = ("ontology", "graph", "queries")


def copy_project(source: Path, target: Path) -> Project:
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FOLDERS:
        shutil.copytree(source / name, target / name)
    return find_project(target)


def copy_small_project(source: Path, target: Path, graph_files: tuple[str, ...] = ()) -> Project:
    """ontology/, queries/ and graph/source/ only, plus the named files of graph/.

    Loading the whole graph takes a second or more and grows as the article is encoded; tests
    about error paths, parameters or atomic writes need a project, not all of its data. It also
    keeps them independent of the state of graph/, which others are editing.
    """
    target.mkdir(parents=True, exist_ok=True)
    for name in ("ontology", "queries"):
        shutil.copytree(source / name, target / name)
    shutil.copytree(source / "graph" / "source", target / "graph" / "source")
    for name in graph_files:
        shutil.copy(source / "graph" / name, target / "graph" / name)
    return find_project(target)


@pytest.fixture
def project_copy(tmp_path: Path) -> Project:
    """A private copy of ontology/, graph/ and queries/, for tests that change files."""
    return copy_project(REPO, tmp_path / "project")


@pytest.fixture
def small_project(tmp_path: Path) -> Project:
    """A private copy with the ontology, the queries and the source text but no curated data."""
    return copy_small_project(REPO, tmp_path / "project")


@pytest.fixture(scope="session")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """One read-only copy of the project for the whole session; do not modify it."""
    return copy_project(REPO, tmp_path_factory.mktemp("snapshot") / "project")


@pytest.fixture(scope="session")
def small_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """One read-only small project (see copy_small_project) for the whole session."""
    return copy_small_project(REPO, tmp_path_factory.mktemp("small") / "project")


@pytest.fixture(scope="session")
def assembled(snapshot: Project):
    """The snapshot, loaded once (tests must not add to it)."""
    from peron_kg.loading import load

    return load(snapshot)


@pytest.fixture(scope="session")
def full_dists(snapshot: Project, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """dist/ built twice from the whole snapshot: in this process, and at the same time in
    another interpreter with another hash seed (for the determinism test; two cores make the
    second build almost free).

    Unvalidated: the dumps do not depend on validation, and checks of the dumps should still
    run while the data has open violations (test_cli checks that the data conforms).
    """
    from peron_kg.build import build

    work = tmp_path_factory.mktemp("full-dist")
    here, there = work / "in-process" / "dist", work / "subprocess" / "dist"
    seed = "1" if os.environ.get("PYTHONHASHSEED") == "0" else "0"
    other = subprocess.Popen(
        [sys.executable, "-m", "peron_kg.cli", "build", "--no-validate",
         "--root", str(snapshot.root), "--out", str(there)],
        env={**os.environ, "PYTHONHASHSEED": seed},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        build(snapshot, out=here, validate=False)
    finally:
        _, stderr = other.communicate(timeout=600)
    assert other.returncode == 0, stderr
    return here, there


@pytest.fixture(scope="session")
def full_dist(full_dists: tuple[Path, Path]) -> Path:
    """dist/ built once from the whole snapshot, for the tests that read the dumps."""
    return full_dists[0]


# --- the command line -----------------------------------------------------------------------


def run_cli(*args: str, root: Path | Project | None = None, env: dict | None = None) -> Result:
    """Invoke ``peron-kg`` in process; ``root`` is passed as the verb's ``--root``.

    A wide terminal keeps rich from folding names in tables, so the output can be searched.
    """
    from peron_kg.cli import main

    argv = [str(a) for a in args]
    if root is not None:
        argv += ["--root", str(root.root if isinstance(root, Project) else root)]
    runner = CliRunner()
    return runner.invoke(main, argv, env={"COLUMNS": "200", **(env or {})})


@pytest.fixture
def cli():
    """``cli("build", "--out", path, root=project)`` -> click's Result (stdout and stderr apart)."""
    return run_cli


def error_message(result: Result, exit_code: int = 2) -> str:
    """The first line of a CLI error, after checking the status and that nothing crashed.

    Returns the message after ``peron-kg: error: ``. Use :func:`assert_one_line_error` unless
    the test is about something else than the one-line promise.
    """
    # CliRunner swallows uncaught exceptions; a real run would have printed a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {type(result.exception).__name__}: {result.exception}"
    )
    assert result.exit_code == exit_code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines, "nothing on stderr"
    prefix = "peron-kg: error: "
    assert lines[0].startswith(prefix), lines[0]
    return lines[0][len(prefix) :]


def assert_one_line_error(result: Result, exit_code: int = 2) -> str:
    """The CLI failed the way users are promised: one line on stderr, the right status."""
    message = error_message(result, exit_code)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{result.stderr}"
    return message


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, to compare folders byte for byte."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# --- a real Oxigraph server on loopback -----------------------------------------------------


def oxigraph_binary() -> str:
    """The server binary, found as ``peron-kg serve`` finds it; a missing one fails the test."""
    from peron_kg.errors import ServerError
    from peron_kg.serve import oxigraph_binary as find

    try:
        return find()
    except ServerError as e:
        pytest.fail(str(e))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(endpoint: str) -> bool:
    url = endpoint + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    # An empty ProxyHandler: a proxy set in the environment must not see loopback traffic.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def loopback_without_proxy() -> Iterator[None]:
    """Exempt loopback from any proxy named in the environment, for the block.

    SPARQLWrapper and urllib would otherwise send requests for 127.0.0.1 to that proxy.
    """
    saved_no_proxy = {k: os.environ.get(k) for k in ("no_proxy", "NO_PROXY")}
    for key, value in saved_no_proxy.items():
        os.environ[key] = ",".join(filter(None, [value, "127.0.0.1", "localhost"]))
    try:
        yield
    finally:
        for key, value in saved_no_proxy.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def running_oxigraph(args: list[str], work: Path) -> Iterator[str]:
    """``oxigraph ARGS --bind 127.0.0.1:PORT`` on a free loopback port, e.g. ``["serve",
    "--location", DIR]`` or ``["serve-read-only", ...]``; yields ``http://127.0.0.1:PORT``
    once ``/query`` answers, and stops the server by its PID afterwards.

    Its output goes to ``work/server.log``; loopback is exempt from proxies meanwhile.
    """
    port = free_port()
    log_path = work / "server.log"
    log = log_path.open("wb")
    server = subprocess.Popen([oxigraph_binary(), *args, "--bind", f"127.0.0.1:{port}"],
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        with loopback_without_proxy():
            deadline = time.monotonic() + 20
            while not _answers(base + "/query"):
                if server.poll() is not None:
                    pytest.fail(f"oxigraph exited with {server.returncode}: "
                                f"{log_path.read_text(errors='replace')}")
                if time.monotonic() > deadline:
                    pytest.fail(f"oxigraph did not answer at {base}/query within 20 s")
                time.sleep(0.1)
            yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def snapshot_nquads(assembled, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The snapshot's N-Quads dump, as ``build`` writes it into dist/."""
    from peron_kg.export import serialize

    dump = tmp_path_factory.mktemp("nquads") / "peron-kg.nq"
    dump.write_bytes(serialize(assembled, "nq"))
    return dump


@pytest.fixture(scope="module")
def snapshot_dist(snapshot_nquads: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh dist/ holding only the snapshot's N-Quads dump: what serve and publish read.
    One a module, since the modules that use it may write beside it."""
    folder = tmp_path_factory.mktemp("dist") / "dist"
    folder.mkdir()
    shutil.copy(snapshot_nquads, folder / "peron-kg.nq")
    return folder


@pytest.fixture(scope="session")
def oxigraph_server(snapshot_nquads: Path, tmp_path_factory: pytest.TempPathFactory):
    """The snapshot's N-Quads dump behind ``oxigraph serve-read-only``; yields the query URL."""
    work = tmp_path_factory.mktemp("oxigraph")
    location = work / "store"
    subprocess.run(
        [oxigraph_binary(), "load", "--location", str(location), "--file", str(snapshot_nquads)],
        check=True, capture_output=True, timeout=60,
    )
    with running_oxigraph(["serve-read-only", "--location", str(location),
                           "--union-default-graph", "--timeout-s", "30"], work) as base:
        yield base + "/query"


def pytest_configure(config: pytest.Config) -> None:
    # rdflib warns about its own deprecated internals when parsing TriG and N-Quads; the noise
    # would hide warnings that concern this project.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:rdflib")
