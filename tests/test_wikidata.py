"""``peron-kg link wikidata``: the snapshot, --check, --suggest, --refresh, and the client.

The endpoint tests run against a real Oxigraph server on loopback, loaded with a Wikidata-shaped
fixture: the project's own snapshot (Wikidata's vocabulary: rdfs:label, schema:description,
wdt:P31, wdt:P569 …). The planted mislink (tests/wikidata/mislink.ttl) links a person to a
country's item. The back-off tests use a tiny loopback HTTP server that answers 429 or 503.
Nothing leaves the machine, except in the test marked ``network``.
"""

from __future__ import annotations

import http.server
import json
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import (
    REPO,
    TESTS,
    assert_one_line_error,
    copy_project,
    free_port,
    loopback_without_proxy,
    oxigraph_binary,
    run_cli,
    running_oxigraph,
)
from peron_kg.engines import USER_AGENT, Retry, run_endpoint
from peron_kg.errors import EndpointError
from peron_kg.wikidata import (
    MAX_BATCH,
    WD,
    Source,
    fetch_items,
    items_query,
    mwapi_query,
    qid_of,
)

MISLINK = TESTS / "wikidata" / "mislink.ttl"


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wikidata_copy(tmp_path_factory: pytest.TempPathFactory):
    """One copy of the project for the read-only tests of this module."""
    return copy_project(REPO, tmp_path_factory.mktemp("wikidata-project"))


@pytest.fixture(scope="module")
def wikidata_endpoint(wikidata_copy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A read-only Oxigraph server holding the Wikidata-shaped fixture; yields its query URL."""
    import subprocess

    work = tmp_path_factory.mktemp("wikidata-oxigraph")
    location = work / "store"
    subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file",
                    str(wikidata_copy.wikidata_snapshot)],
                   check=True, capture_output=True, timeout=60)
    with running_oxigraph(["serve-read-only", "--location", str(location), "--timeout-s", "30"],
                          work) as base:
        yield base + "/query"


def with_mislink(project, tmp_path: Path):
    """A copy of the project whose links include the planted mislink."""
    copy = copy_project(project.root, tmp_path / "mislinked")
    shutil.copy(MISLINK, copy.graph_dir / "links-mislink.ttl")
    return copy


def findings_of(result) -> list[dict]:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return json.loads(result.stdout)


# --- the snapshot --------------------------------------------------------------------------------


def test_snapshot_holds_every_linked_item_and_sources_every_fact(wikidata_copy):
    """Every QID the graph links to has at least one fact in the snapshot (a label, a statement
    or the Wikipedia article about it), most have a label, and every fact names its source and
    retrieval date (the checks enforce the same; this reads the file)."""
    from rdflib import RDF, Graph, URIRef

    from peron_kg.loading import load

    assembled = load(wikidata_copy, generate=False)
    linked = set()
    for p in ("http://www.w3.org/2002/07/owl#sameAs", "http://www.w3.org/2004/02/skos/core#exactMatch",
              "http://www.w3.org/2004/02/skos/core#closeMatch"):
        linked |= {str(o) for o in assembled.union().objects(None, URIRef(p))
                   if str(o).startswith(WD)}
    assert len(linked) >= 50
    snap = Graph().parse(wikidata_copy.wikidata_snapshot)
    about = URIRef("http://schema.org/about")
    held = {str(s) for s in snap.subjects()} | {str(o) for o in snap.objects(None, about)}
    assert sorted(linked - held) == []
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    with_label = {i for i in linked if (URIRef(i), label, None) in snap}
    assert len(with_label) >= 0.8 * len(linked)
    derived = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    retrieved = URIRef("http://www.wikidata.org/prop/reference/P813")
    reference = URIRef("http://www.wikidata.org/prop/reference/P854")
    statements = list(snap.subjects(RDF.type, RDF.Statement))
    assert len(statements) >= 100
    for st in statements:
        sources = list(snap.objects(st, derived))
        assert sources, st
        for source in sources:
            assert snap.value(source, retrieved) is not None, source
            assert snap.value(source, reference) is not None, source
        # the statement's triple is asserted too, so SPARQL sees the fact as Wikidata writes it
        triple = (snap.value(st, RDF.subject), snap.value(st, RDF.predicate),
                  snap.value(st, RDF.object))
        assert triple in snap, st


def test_fact_check_catches_an_unsourced_sitelink():
    """The check's second branch: an article said to be about an item, with no source."""
    import pyoxigraph as ox

    from peron_kg.engines import run_oxigraph

    check = (REPO / "queries" / "checks" / "wikidata-fact-without-source-violation.rq").read_text()
    store = ox.Store()
    store.load(input=b"""
        <https://en.wikipedia.org/wiki/Fixture> <http://schema.org/about>
            <http://www.wikidata.org/entity/Q999999997> ;
            <http://schema.org/name> "Fixture"@en .
    """, format=ox.RdfFormat.TURTLE)
    rows = run_oxigraph(check, store, {}, "check").rows
    assert {(r["entity"]["value"], r["property"]["value"]) for r in rows} == {
        ("https://en.wikipedia.org/wiki/Fixture", "http://schema.org/about"),
        ("https://en.wikipedia.org/wiki/Fixture", "http://schema.org/name"),
    }


def test_snapshot_is_its_own_named_graph_in_the_dumps(wikidata_copy):
    from peron_kg.namespaces import GRAPH_ROLES, graph_iri

    assert "wikidata" in GRAPH_ROLES
    assert wikidata_copy.role_of(wikidata_copy.wikidata_snapshot) == "wikidata"
    from peron_kg.loading import load

    assembled = load(wikidata_copy, generate=False)
    assert len(assembled.graph("wikidata")) > 0
    # Wikidata's descriptions use http://schema.org/, not our https://schema.org/
    from rdflib import URIRef

    assert any(assembled.graph("wikidata").triples(
        (None, URIRef("http://schema.org/description"), None)))
    assert not any(assembled.graph("data").triples(
        (None, URIRef("http://schema.org/description"), None)))
    assert graph_iri("wikidata").endswith("/graph/wikidata")


def test_snapshot_script_agrees_with_the_file():
    """graph/wikidata-snapshot.ttl is what scripts/wikidata_snapshot.py writes from the sources
    table, so the evidence table and the data cannot drift apart."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(REPO / "scripts" / "wikidata_snapshot.py"),
                           "--check"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_sources_table_has_evidence_for_every_fact():
    from peron_kg.tsv import rows

    path = REPO / "notes" / "wikidata-snapshot-sources.tsv"
    header, seen = None, 0
    for _, fields in rows(path, "sources", required=True):
        if header is None:
            header = fields
            continue
        rec = dict(zip(header, fields, strict=False))
        assert re.fullmatch(r"Q[1-9]\d*", rec["qid"]), rec
        assert rec["source"].startswith(("github:", "http://", "https://")), rec
        assert rec["evidence"].strip(), rec
        if rec["fact"] in ("P569", "P570"):
            assert re.fullmatch(r"-?\d{4}-\d{2}-\d{2}", rec["value"]), rec
        seen += 1
    assert seen >= 100


# --- --check --------------------------------------------------------------------------------------


def test_check_passes_on_the_real_links_against_the_snapshot(wikidata_copy):
    result = run_cli("link", "wikidata", "--check", "--format", "json", root=wikidata_copy)
    findings = findings_of(result)
    assert result.exit_code == 0, findings
    assert all(f["result"] == "unchecked" for f in findings)
    assert re.search(r"^\d+ links checked against graph/wikidata-snapshot\.ttl: 0 mismatches",
                     result.stderr, re.M), result.stderr


def test_check_catches_the_planted_mislink_in_the_snapshot(wikidata_copy, tmp_path):
    project = with_mislink(wikidata_copy, tmp_path)
    result = run_cli("link", "wikidata", "--check", "--format", "json", root=project)
    assert result.exit_code == 1
    bad = [f for f in findings_of(result) if f["result"] == "MISMATCH"]
    assert {(f["entity"], f["item"], f["aspect"]) for f in bad} == {
        ("person/hipolito-yrigoyen", "wd:Q155", "label"),
        ("person/hipolito-yrigoyen", "wd:Q155", "type"),
    }
    reasons = {f["aspect"]: f["reason"] for f in bad}
    assert "'Hipólito Yrigoyen'" in reasons["label"] and "'Brazil'" in reasons["label"]
    assert "Q5 (human)" in reasons["type"] and "Q6256 (country)" in reasons["type"]


def test_check_against_a_real_endpoint_passes_and_catches_the_mislink(
        wikidata_copy, wikidata_endpoint, tmp_path):
    with loopback_without_proxy():
        good = run_cli("link", "wikidata", "--check", "--endpoint", wikidata_endpoint,
                       "--format", "json", root=wikidata_copy)
        assert good.exit_code == 0, good.stdout + good.stderr
        assert f"checked against {wikidata_endpoint}: 0 mismatches" in good.stderr
        project = with_mislink(wikidata_copy, tmp_path)
        bad = run_cli("link", "wikidata", "--check", "--endpoint", wikidata_endpoint,
                      "--format", "json", root=project)
    assert bad.exit_code == 1
    assert {(f["entity"], f["aspect"]) for f in findings_of(bad) if f["result"] == "MISMATCH"} \
        == {("person/hipolito-yrigoyen", "label"), ("person/hipolito-yrigoyen", "type")}


def test_check_table_output_names_the_reason(wikidata_copy, tmp_path):
    project = with_mislink(wikidata_copy, tmp_path)
    result = run_cli("link", "wikidata", "--check", root=project)
    assert result.exit_code == 1
    assert "MISMATCH" in result.stdout and "person/hipolito-yrigoyen" in result.stdout
    assert "2 mismatches" in result.stdout


def test_check_catches_a_person_born_after_their_acts(wikidata_copy, tmp_path):
    """Perón (Q93330) acts in 1943 and 1946; a snapshot giving his birth as 1950 is caught."""
    project = copy_project(wikidata_copy.root, tmp_path / "late-birth")
    text = project.wikidata_snapshot.read_text(encoding="utf-8")
    assert '"1895-10-08T00:00:00Z"^^xsd:dateTime' in text
    late = text.replace('"1895-10-08T00:00:00Z"^^xsd:dateTime',
                        '"1950-01-01T00:00:00Z"^^xsd:dateTime')
    project.wikidata_snapshot.write_text(late, encoding="utf-8")
    result = run_cli("link", "wikidata", "--check", "--format", "json", root=project)
    assert result.exit_code == 1
    bad = [f for f in findings_of(result) if f["result"] == "MISMATCH"]
    assert [(f["entity"], f["aspect"]) for f in bad] == [("person/juan-domingo-peron", "date")]
    assert re.match(r"born 1950-01-01, after (event|regime)/\S+ \(19[34]\d", bad[0]["reason"])


def test_check_catches_a_link_the_snapshot_does_not_hold(wikidata_copy, tmp_path):
    project = copy_project(wikidata_copy.root, tmp_path / "unknown-item")
    (project.graph_dir / "links-extra.ttl").write_text(
        "<https://w3id.org/peron-kg/id/place/the-west> "
        "<http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q999999999> .\n",
        encoding="utf-8")
    result = run_cli("link", "wikidata", "--check", "--format", "json", root=project)
    assert result.exit_code == 1
    bad = [f for f in findings_of(result) if f["result"] == "MISMATCH"]
    assert [(f["entity"], f["item"], f["aspect"]) for f in bad] == [
        ("place/the-west", "wd:Q999999999", "item")]


def test_check_with_malformed_snapshot_is_one_line(wikidata_copy, tmp_path):
    project = copy_project(wikidata_copy.root, tmp_path / "broken")
    project.wikidata_snapshot.write_text("wd:Q1 rdfs:label .\n", encoding="utf-8")
    message = assert_one_line_error(run_cli("link", "wikidata", "--check", root=project))
    assert message.startswith("graph/wikidata-snapshot.ttl:1:")


def test_check_against_an_unreachable_endpoint_is_one_line(wikidata_copy):
    port = free_port()  # nothing listens there
    with loopback_without_proxy():
        result = run_cli("link", "wikidata", "--check", "--endpoint",
                         f"http://127.0.0.1:{port}/sparql", root=wikidata_copy)
    message = assert_one_line_error(result)
    assert message.startswith(f"http://127.0.0.1:{port}/sparql: unreachable")


def test_link_needs_an_action(wikidata_copy):
    result = run_cli("link", "wikidata", root=wikidata_copy)
    assert result.exit_code == 2
    assert "--check, --suggest or --refresh" in result.stderr


# --- --suggest -----------------------------------------------------------------------------------


def test_suggest_proposes_the_right_item_for_an_unlinked_entity(wikidata_copy, wikidata_endpoint,
                                                                tmp_path):
    """With Brazil's link removed, a label search on the fixture endpoint ranks Q155 first; and
    nothing is written."""
    project = copy_project(wikidata_copy.root, tmp_path / "unlinked-brazil")
    links = project.graph_dir / "links-wikidata.ttl"
    text = links.read_text(encoding="utf-8")
    assert "place:brazil owl:sameAs wd:Q155 ." in text
    links.write_text(text.replace("place:brazil owl:sameAs wd:Q155 .", ""), encoding="utf-8")
    before = {p: p.read_bytes() for p in project.graph_dir.rglob("*") if p.is_file()}
    with loopback_without_proxy():
        result = run_cli("link", "wikidata", "--suggest", "--endpoint", wikidata_endpoint,
                         "--entity", "place/brazil", "--format", "json", root=project)
    assert result.exit_code == 0, result.stdout + result.stderr
    rows = json.loads(result.stdout)
    assert rows and all(r["entity"] == "place/brazil" for r in rows)
    assert rows[0]["candidate"] == "wd:Q155" and rows[0]["candidate_label"] == "Brazil"
    assert float(rows[0]["score"]) == 1.0
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert "nothing was written" in result.stderr
    after = {p: p.read_bytes() for p in project.graph_dir.rglob("*") if p.is_file()}
    assert after == before


def test_suggest_with_an_unknown_entity_is_one_line(wikidata_copy, wikidata_endpoint):
    with loopback_without_proxy():
        result = run_cli("link", "wikidata", "--suggest", "--endpoint", wikidata_endpoint,
                         "--entity", "place/atlantis", root=wikidata_copy)
    assert "no unlinked entity named place/atlantis" in assert_one_line_error(result)


def test_mwapi_query_is_valid_sparql_for_wikidata():
    """The EntitySearch query parses, escapes the search text and asks for items in order."""
    from peron_kg.engines import parse_sparql

    text = mwapi_query('Getúlio "Vargas"')
    parse_sparql(text, "mwapi")
    assert 'mwapi:search "Getúlio \\"Vargas\\""' in text
    assert 'wikibase:api "EntitySearch"' in text
    assert "?item wikibase:apiOutputItem mwapi:item" in text
    assert "ORDER BY ?ordinal" in text


class _FakeQueryService(http.server.BaseHTTPRequestHandler):
    """A loopback stand-in for the Wikidata Query Service: answers an EntitySearch (mwapi)
    query with two items in the order WDQS ranks them, and the items query with their labels
    and types, as WDQS's SPARQL JSON would. Nothing else is known."""

    ITEMS = {"Q414": ("Argentina", "Q6256"), "Q155": ("Brazil", "Q6256")}

    def do_POST(self):  # noqa: N802
        from urllib.parse import parse_qs

        length = int(self.headers.get("Content-Length") or 0)
        query = parse_qs(self.rfile.read(length).decode("utf-8"))["query"][0]
        self.server.queries.append(query)
        uri = lambda q: {"type": "uri", "value": WD + q}  # noqa: E731
        if "EntitySearch" in query:
            # WDQS ranks "Brazil nut"-like near misses too; here Argentina comes first on purpose
            rows = [{"item": uri("Q414"), "ordinal": {"type": "literal", "value": "0"}},
                    {"item": uri("Q155"), "ordinal": {"type": "literal", "value": "1"}}]
        elif "?fact" in query:
            rows = []
            for qid, (label, cls) in self.ITEMS.items():
                if f"wd:{qid} " in query or f"wd:{qid}}}" in query:
                    rows.append({"item": uri(qid), "fact": {"type": "literal", "value": "label"},
                                 "value": {"type": "literal", "value": label, "xml:lang": "en"}})
                    rows.append({"item": uri(qid), "fact": {"type": "literal", "value": "P31"},
                                 "value": uri(cls)})
        else:
            rows = []
        body = json.dumps({"head": {"vars": []}, "results": {"bindings": rows}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_suggest_with_mwapi_ranks_wikidata_search_results(wikidata_copy, tmp_path):
    """--search mwapi sends Wikidata's EntitySearch for each unlinked entity, then scores the
    items it returns: Brazil's item comes first for place/brazil though the search ranked it
    second."""
    project = copy_project(wikidata_copy.root, tmp_path / "mwapi")
    links = project.graph_dir / "links-wikidata.ttl"
    links.write_text(links.read_text(encoding="utf-8").replace(
        "place:brazil owl:sameAs wd:Q155 .", ""), encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeQueryService)
    server.queries = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with loopback_without_proxy():
            result = run_cli("link", "wikidata", "--suggest", "--search", "mwapi", "--endpoint",
                             f"http://127.0.0.1:{server.server_address[1]}/sparql",
                             "--entity", "place/brazil", "--format", "json", root=project)
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.stdout + result.stderr
    rows = json.loads(result.stdout)
    assert [(r["candidate"], float(r["score"])) for r in rows][0] == ("wd:Q155", 1.0)
    assert rows[1]["candidate"] == "wd:Q414" and float(rows[1]["score"]) < 0.5
    search = [q for q in server.queries if "EntitySearch" in q]
    assert len(search) == 1 and 'mwapi:search "Brazil"' in search[0]


def test_suggest_uses_mwapi_only_on_the_wikidata_query_service():
    assert Source.endpoint("https://query.wikidata.org/sparql").is_wdqs
    assert not Source.endpoint("http://127.0.0.1:7878/query").is_wdqs


# --- --refresh -----------------------------------------------------------------------------------


def test_refresh_rebuilds_the_snapshot_from_the_endpoint(wikidata_copy, wikidata_endpoint,
                                                         tmp_path):
    project = copy_project(wikidata_copy.root, tmp_path / "refresh")
    with loopback_without_proxy():
        result = run_cli("link", "wikidata", "--refresh", "--endpoint", wikidata_endpoint,
                         "--date", "2026-11-27", root=project)
        assert result.exit_code == 0, result.stdout + result.stderr
        assert re.match(r"wrote graph/wikidata-snapshot\.ttl: \d+ facts about \d+ items from ",
                        result.stdout)
        text = project.wikidata_snapshot.read_text(encoding="utf-8")
        assert f"pr:P854 <{wikidata_endpoint}>" in text
        assert 'pr:P813 "2026-11-27T00:00:00Z"^^xsd:dateTime' in text
        assert 'wd:Q414 rdfs:label "Argentina"@en .' in text
        assert "wd:Q414 wdt:P31 wd:Q6256 ." in text
        # the refreshed snapshot still passes the check, and a second refresh is identical
        again = run_cli("link", "wikidata", "--check", root=project)
        assert again.exit_code == 0, again.stdout + again.stderr
        run_cli("link", "wikidata", "--refresh", "--endpoint", wikidata_endpoint,
                "--date", "2026-11-27", root=project)
    assert project.wikidata_snapshot.read_text(encoding="utf-8") == text


def test_refresh_from_an_unreachable_endpoint_keeps_the_snapshot(wikidata_copy, tmp_path):
    project = copy_project(wikidata_copy.root, tmp_path / "refresh-fail")
    before = project.wikidata_snapshot.read_bytes()
    port = free_port()
    with loopback_without_proxy():
        result = run_cli("link", "wikidata", "--refresh", "--endpoint",
                         f"http://127.0.0.1:{port}/sparql", root=project)
    assert "unreachable" in assert_one_line_error(result)
    assert project.wikidata_snapshot.read_bytes() == before
    assert [p.name for p in project.graph_dir.iterdir() if p.name.startswith(".")] == []


def test_refresh_rejects_a_bad_date(wikidata_copy):
    result = run_cli("link", "wikidata", "--refresh", "--endpoint", "http://127.0.0.1:9/sparql",
                     "--date", "27/11/2026", root=wikidata_copy)
    assert "YYYY-MM-DD" in assert_one_line_error(result)


# --- the client: batches, POST, User-Agent, back-off -------------------------------------------


def test_items_are_fetched_in_batches_of_at_most_200(wikidata_endpoint):
    """450 QIDs (4 in the fixture among them) take three POSTed queries, and lose nothing."""
    qids = [f"Q{n}" for n in range(1_000_000, 1_000_446)] + ["Q414", "Q155", "Q93330", "Q1813766"]
    with loopback_without_proxy():
        source = Source.endpoint(wikidata_endpoint)
        items = fetch_items(source, qids)
    assert source.requests == 3
    assert sorted(items) == ["Q155", "Q1813766", "Q414", "Q93330"]
    assert "Argentina" in items["Q414"].labels["en"]
    assert items["Q93330"].born == ["1895-10-08T00:00:00Z"]
    # a sitelink, as Wikidata writes it: the English article about the item, and its title
    assert items["Q1813766"].sitelinks == {"en": ["Socialist Party (Argentina)"]}
    assert items["Q1813766"].articles == ["https://en.wikipedia.org/wiki/Socialist_Party_(Argentina)"]
    with pytest.raises(ValueError):
        items_query([f"Q{n}" for n in range(1, MAX_BATCH + 2)])


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers each POST with the next of ``self.server.script``: (status, headers, body)."""

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        self.server.seen.append({"method": "POST", "path": self.path,
                                 "agent": self.headers.get("User-Agent"),
                                 "type": self.headers.get("Content-Type"),
                                 "body": self.rfile.read(length).decode("utf-8"),
                                 "at": time.monotonic()})
        status, headers, body = (self.server.script.pop(0) if len(self.server.script) > 1
                                 else self.server.script[0])
        if "X-Test-Delay" in headers:  # an endpoint that does not answer in time
            time.sleep(float(headers["X-Test-Delay"]))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        data = body.encode("utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        self.server.seen.append({"method": "GET"})
        self.send_response(405)
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


EMPTY = json.dumps({"head": {"vars": ["item", "fact", "value"]}, "results": {"bindings": []}})
OK = (200, {"Content-Type": "application/sparql-results+json"}, EMPTY)


@contextmanager
def scripted_server(*script) -> Iterator[tuple[str, list]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.script, server.seen = list(script), []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with loopback_without_proxy():
            yield f"http://127.0.0.1:{server.server_address[1]}/sparql", server.seen
    finally:
        server.shutdown()
        server.server_close()


def test_429_is_retried_after_retry_after_seconds():
    busy = (429, {"Retry-After": "1"}, "slow down")
    with scripted_server(busy, busy, OK) as (url, seen):
        started = time.monotonic()
        result = run_endpoint(items_query(["Q414"]), url, {}, "items", retry=Retry(attempts=4))
        elapsed = time.monotonic() - started
    assert result.kind == "select" and result.rows == []
    assert len(seen) == 3
    assert all(s["method"] == "POST" for s in seen)
    # each retry came no sooner than Retry-After asked
    assert seen[1]["at"] - seen[0]["at"] >= 0.95 and seen[2]["at"] - seen[1]["at"] >= 0.95
    assert elapsed >= 1.9


def test_503_without_retry_after_backs_off_exponentially():
    waits: list[float] = []
    down = (503, {}, "unavailable")
    with scripted_server(down, down, down, OK) as (url, seen):
        run_endpoint(items_query(["Q414"]), url, {}, "items",
                     retry=Retry(attempts=4, first_wait_s=0.5, sleep=waits.append))
    assert waits == [0.5, 1.0, 2.0]
    assert len(seen) == 4


def test_retries_are_bounded_and_the_error_is_clear():
    waits: list[float] = []
    with scripted_server((429, {"Retry-After": "2"}, "no")) as (url, seen):
        with pytest.raises(EndpointError) as e:
            run_endpoint(items_query(["Q414"]), url, {}, "items",
                         retry=Retry(attempts=3, sleep=waits.append))
    assert len(seen) == 3 and waits == [2.0, 2.0]
    assert str(e.value) == (f"{url}: HTTP 429 Too Many Requests, still after 3 tries; "
                            "try again later")


def test_a_retry_after_beyond_the_limit_fails_at_once():
    with scripted_server((429, {"Retry-After": "3600"}, "come back later")) as (url, seen):
        with pytest.raises(EndpointError, match=r"asks to wait 3600 s \(Retry-After\), more than "
                                                r"the 120 s we wait"):
            run_endpoint(items_query(["Q414"]), url, {}, "items", retry=Retry(max_wait_s=120))
    assert len(seen) == 1


def test_client_posts_with_a_descriptive_user_agent():
    with scripted_server(OK) as (url, seen):
        fetch_items(Source.endpoint(url), ["Q414"])
    (request,) = seen
    assert request["method"] == "POST"
    assert request["type"].startswith("application/x-www-form-urlencoded")
    assert request["agent"] == USER_AGENT
    # Wikidata's policy: name the tool, its version and a way to reach its makers
    assert re.match(r"peron-kg/\S+ \(https?://\S+; .+\)", USER_AGENT)
    assert "query=" in request["body"] and "Q414" in request["body"]


def test_cli_reports_a_persistent_429_in_one_line(wikidata_copy):
    with scripted_server((429, {"Retry-After": "0"}, "no")) as (url, seen):
        result = run_cli("link", "wikidata", "--check", "--endpoint", url, "--retries", "2",
                         root=wikidata_copy)
    message = assert_one_line_error(result)
    assert message == f"{url}: HTTP 429 Too Many Requests, still after 3 tries; try again later"
    assert len(seen) == 3


def test_a_slow_endpoint_times_out_with_a_clear_error(wikidata_copy):
    slow = (200, {"X-Test-Delay": "3", "Content-Type": "application/sparql-results+json"}, EMPTY)
    with scripted_server(slow) as (url, seen):
        result = run_cli("link", "wikidata", "--check", "--endpoint", url, "--timeout", "1",
                         root=wikidata_copy)
        gave_up = time.monotonic()
    assert assert_one_line_error(result) == f"{url}: no answer within 1 s"
    # it gave up at the timeout, not when the server answered 3 s after the request came
    assert gave_up - seen[0]["at"] < 2.5
    assert len(seen) == 1  # a timeout is not retried


def test_qid_of_accepts_only_wikidata_items():
    assert qid_of(WD + "Q5") == "Q5"
    assert qid_of(WD + "P31") is None
    assert qid_of(WD + "Q0") is None
    assert qid_of("https://www.wikidata.org/wiki/Q5") is None


# --- the live service (skipped by default) --------------------------------------------------------


@pytest.mark.network
def test_check_against_the_live_wikidata_query_service(wikidata_copy):
    """Every link names an existing item whose label matches ours (types and dates are reported
    too; live data may differ from the snapshot, and that is what this test is for)."""
    result = run_cli("link", "wikidata", "--check", "--endpoint",
                     "https://query.wikidata.org/sparql", "--format", "json", root=wikidata_copy)
    assert result.exit_code in (0, 1), result.stderr
    findings = findings_of(result)
    assert [f for f in findings if f["result"] == "MISMATCH" and f["aspect"] in ("item", "label")] \
        == []
