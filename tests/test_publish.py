"""``peron-kg publish`` to a real, writable Oxigraph server on loopback, and its failures.

The servers are started on free loopback ports and stopped by their PIDs (conftest's
``running_oxigraph``); the authentication test runs a tiny HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import assert_one_line_error, free_port, loopback_without_proxy, running_oxigraph
from peron_kg.errors import EndpointError
from peron_kg.namespaces import GRAPH_ROLES, graph_iri
from peron_kg.publish import Credentials, publish, read_graphs


@pytest.fixture(scope="module")
def dist(snapshot_dist: Path) -> Path:
    return snapshot_dist


@pytest.fixture(scope="module")
def local_counts(dist: Path) -> dict[str, int]:
    """Triples per named graph, counted by pyoxigraph from the dump (not by publish's reader)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(dist / "peron-kg.nq"), format=ox.RdfFormat.N_QUADS)
    return {g.value: len(list(store.quads_for_pattern(None, None, None, g)))
            for g in store.named_graphs()}


@pytest.fixture
def writable(tmp_path: Path):
    """A fresh, empty ``oxigraph serve`` with a store on disk; yields its base URL."""
    with running_oxigraph(["serve", "--location", str(tmp_path / "store")], tmp_path) as base:
        yield base


def test_dump_holds_the_four_graphs(dist, local_counts):
    graphs = read_graphs(dist / "peron-kg.nq")
    assert list(graphs) == [graph_iri(role) for role in GRAPH_ROLES]
    assert {g: len(lines) for g, lines in graphs.items()} == local_counts


def test_publish_counts_match(dist, local_counts, writable):
    report = publish(dist / "peron-kg.nq", writable + "/store")
    assert report.query_endpoint == writable + "/query"
    assert {g.graph: g.remote for g in report.graphs} == local_counts
    assert {g.graph: g.local for g in report.graphs} == local_counts
    assert report.ok
    assert {g.status for g in report.graphs} == {201}  # each graph was new

    # PUT replaces a graph whole: publishing again leaves the same counts, not twice as many.
    again = publish(dist / "peron-kg.nq", writable + "/store")
    assert {g.graph: g.remote for g in again.graphs} == local_counts
    assert {g.status for g in again.graphs} == {204}


def test_cli_reports_ok(dist, local_counts, writable, cli):
    result = cli("publish", "--endpoint", writable + "/store", "--dist", dist)
    assert result.exit_code == 0, result.stderr
    for graph, n in local_counts.items():
        row = next(line for line in result.stdout.splitlines() if graph in line)
        cells = [c.strip() for c in row.strip("│ ").split("│")]
        assert cells == [graph, str(n), str(n), "ok"]


def test_publish_one_graph(dist, local_counts, writable, cli):
    data = graph_iri("data")
    result = cli("publish", "--endpoint", writable + "/store", "--graph", "data", "--dist", dist)
    assert result.exit_code == 0, result.stderr
    assert data in result.stdout and graph_iri("text") not in result.stdout
    # Only that graph went up.
    report = publish(dist / "peron-kg.nq", writable + "/store", graph=data)
    assert [(g.graph, g.remote, g.status) for g in report.graphs] == [
        (data, local_counts[data], 204)]
    from peron_kg.publish import remote_count

    assert remote_count(writable + "/query", graph_iri("text")) == 0


def test_counts_that_differ_exit_1(dist, writable, tmp_path, cli):
    # Verify against another, empty store: every count differs.
    other = tmp_path / "other"
    other.mkdir()
    with running_oxigraph(["serve"], other) as empty:
        result = cli("publish", "--endpoint", writable + "/store",
                     "--query-endpoint", empty + "/query", "--dist", dist)
    assert result.exit_code == 1, result.stderr
    assert "DIFFERS" in result.stdout
    assert "counts differ" in result.stderr


def test_unreachable_endpoint(dist, cli):
    # A loopback port nobody listens on: refused at once, no network needed.
    endpoint = f"http://127.0.0.1:{free_port()}/store"
    with loopback_without_proxy():
        message = assert_one_line_error(cli("publish", "--endpoint", endpoint, "--dist", dist))
    assert message.startswith(f"{endpoint}: unreachable"), message


@pytest.mark.parametrize("endpoint", ["file:///etc/passwd", "ftp://127.0.0.1/store",
                                      "127.0.0.1:7878/store", "http:///store"])
def test_non_http_endpoint_is_refused(dist, cli, endpoint):
    message = assert_one_line_error(cli("publish", "--endpoint", endpoint, "--dist", dist))
    assert message == (f"{endpoint}: not an http or https URL; an endpoint is "
                       "http(s)://host[:port]/path")


def test_query_refuses_non_http_endpoint(small_project, cli):
    message = assert_one_line_error(cli("query", "checks/blank-node-violation",
                                        "--endpoint", "file:///etc/passwd", root=small_project))
    assert message.startswith("file:///etc/passwd: not an http or https URL")


def test_missing_dump(tmp_path, cli):
    message = assert_one_line_error(cli("publish", "--endpoint", "http://127.0.0.1:9/store",
                                        "--dist", tmp_path))
    assert "peron-kg build" in message


def test_unknown_graph(dist, cli):
    message = assert_one_line_error(cli("publish", "--endpoint", "http://127.0.0.1:9/store",
                                        "--graph", "nonsense", "--dist", dist))
    assert message.startswith("--graph nonsense: not a graph of the dump")


@pytest.mark.parametrize("args", [["--user", "ann"], ["--token", "t", "--user", "ann",
                                                      "--password", "p"]])
def test_credentials_must_pair(dist, cli, args):
    assert_one_line_error(cli("publish", "--endpoint", "http://127.0.0.1:9/store",
                              "--dist", dist, *args))


# --- authentication ---------------------------------------------------------------------------


class Guarded(BaseHTTPRequestHandler):
    """Refuses every PUT: 401 without credentials, 403 with them; records what it saw."""

    seen: list = []

    def do_PUT(self):  # the name http.server dispatches a PUT to
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        auth = self.headers.get("Authorization")
        Guarded.seen.append((self.path, auth, self.headers.get("Content-Type"),
                             self.headers.get("User-Agent")))
        self.send_response(403 if auth else 401)
        self.end_headers()

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def guarded():
    Guarded.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Guarded)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with loopback_without_proxy():
            yield f"http://127.0.0.1:{server.server_address[1]}/store"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize("args, status, header", [
    ([], 401, None),
    (["--user", "ann", "--password", "secret"], 403, "Basic YW5uOnNlY3JldA=="),
    (["--token", "t0k"], 403, "Bearer t0k"),
])
def test_authentication_failure_is_one_line(dist, cli, guarded, args, status, header):
    message = assert_one_line_error(cli("publish", "--endpoint", guarded, "--dist", dist, *args))
    assert message.startswith(f"{guarded}?graph=")
    reason = {401: "Unauthorized", 403: "Forbidden"}[status]
    assert f": HTTP {status} {reason} (authentication failed" in message
    assert "secret" not in message and "t0k" not in message
    # The first graph was tried, with the credentials, as N-Triples, and nothing after it.
    assert len(Guarded.seen) == 1
    path, auth, content_type, agent = Guarded.seen[0]
    assert path.startswith("/store?graph=https%3A%2F%2Fw3id.org%2Fperon-kg%2Fgraph%2Fontology")
    assert (auth, content_type) == (header, "application/n-triples")
    assert agent.startswith("peron-kg/")


def test_credentials_are_not_in_repr():
    assert "secret" not in repr(Credentials("ann", "secret"))
    with pytest.raises(Exception, match="--user and --password go together"):
        Credentials(user="ann")


def test_library_raises_endpoint_error(dist):
    with pytest.raises(EndpointError, match="unreachable"), loopback_without_proxy():
        publish(dist / "peron-kg.nq", f"http://127.0.0.1:{free_port()}/store")
