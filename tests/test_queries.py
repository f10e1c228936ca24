"""Stored queries: headers, the same answer on every engine, and a violating case for each check.

The lists are globbed from queries/ and queries/checks/, so a query is tested the day it is
added; an empty folder gives a failing test, not a silently empty parametrisation.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, TESTS
from peron_kg.engines import run
from peron_kg.queries import read_query

QUERY_FILES = sorted((REPO / "queries").glob("*.rq"))
CHECK_FILES = sorted((REPO / "queries" / "checks").glob("*.rq"))
STORED_FILES = QUERY_FILES + CHECK_FILES
REQUIRED_KEYS = ("summary", "description", "tags")
_HEADER_LINE = re.compile(r"^#\+\s*([a-z_]+)\s*:\s*(.*?)\s*$")


def query_id(path: Path) -> str:
    return f"checks/{path.stem}" if path.parent.name == "checks" else path.stem


def each(paths: list[Path]) -> list:
    """Parameters for a glob: one per file, or one that fails when the glob found nothing."""
    return [pytest.param(p, id=query_id(p)) for p in paths] or [pytest.param(None, id="none")]


def require(path: Path | None) -> Path:
    assert path is not None, "no stored query found: the glob is empty"
    return path


def header_of(text: str) -> dict[str, str]:
    """The ``#+ key: value`` lines before the first line that is not a comment (style.md)."""
    keys: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith("#"):
            break
        m = _HEADER_LINE.match(line.strip())
        if m:
            keys[m[1]] = (keys.get(m[1], "") + " " + m[2]).strip()
    return keys


# --- headers -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", each(STORED_FILES))
def test_header_has_required_keys(path):
    header = header_of(require(path).read_text(encoding="utf-8"))
    missing = [k for k in REQUIRED_KEYS if not header.get(k)]
    assert not missing, f"{path.name}: header lacks {', '.join(missing)}"


@pytest.mark.parametrize("path", each(CHECK_FILES))
def test_check_header_says_problem_and_solution(path):
    header = header_of(require(path).read_text(encoding="utf-8"))
    assert header.get("problem") and header.get("solution"), path.name


@pytest.mark.parametrize("path", each(CHECK_FILES))
def test_check_is_named_violation_and_selects_entity_property_value(path):
    # ODK's convention: *-violation checks answer ?entity ?property ?value, so the validate
    # report can name the focus node, the path and the value.
    import pyoxigraph as ox

    path = require(path)
    assert path.stem.endswith("-violation")
    answer = ox.Store().query(path.read_text(encoding="utf-8"))
    assert [v.value for v in answer.variables] == ["entity", "property", "value"]


def test_header_parser_agrees_with_package():
    # The package's own reader must see the same keys as the tests' reader.
    for path in STORED_FILES:
        stored = read_query(path)
        assert stored.header.missing() == [], path.name
        assert stored.header.summary == header_of(path.read_text(encoding="utf-8"))["summary"]


# --- the same answer on every engine -------------------------------------------------------


def canonical(result) -> tuple:
    """A result with blank-node labels erased: each engine names blank nodes its own way."""
    def term(t: dict) -> tuple:
        value = "_:b" if t["type"] == "bnode" else t["value"]
        return (t["type"], value, t.get("datatype", ""), t.get("xml:lang", "").lower())

    rows = [tuple(term(row[v]) if v in row else None for v in result.variables)
            for row in result.rows]
    graph = result.ntriples
    if "_:" in graph:
        # Blank nodes in a CONSTRUCT answer: compare canonical forms. (Only then: rdflib's
        # canonicalisation takes minutes on a graph of a thousand triples.)
        from rdflib import Graph
        from rdflib.compare import to_canonical_graph

        canon = to_canonical_graph(Graph().parse(data=graph, format="nt"))
        graph = "\n".join(sorted(canon.serialize(format="nt").splitlines()))
    return result.kind, tuple(result.variables), tuple(rows), result.boolean, graph


def local_queries(paths: list[Path]) -> list:
    found = []
    for path in paths:
        stored = read_query(path)
        if not stored.header.network:
            found.append(pytest.param(path, id=query_id(path)))
    return found or [pytest.param(None, id="none")]


@pytest.fixture(scope="module")
def store(assembled):
    from peron_kg.engines import oxigraph_store

    return oxigraph_store(assembled)


# The user queries of queries/. The checks run on Oxigraph only, inside validate; on rdflib
# some take half a minute over the whole graph (the slowness design.md measured), so their
# rdflib agreement is tested on the small data of test_check_catches_its_fixture instead.
@pytest.mark.parametrize("path", local_queries(QUERY_FILES))
def test_oxigraph_and_rdflib_agree(path, assembled, store):
    stored = read_query(require(path))
    on_oxigraph = run(stored, engine="oxigraph", store=store)
    on_rdflib = run(stored, engine="rdflib", assembled=assembled)
    # Order matters: stored queries use ORDER BY so that answers compare exactly (style.md).
    assert canonical(on_oxigraph) == canonical(on_rdflib)


@pytest.mark.parametrize("path", local_queries(STORED_FILES))
def test_endpoint_agrees_with_oxigraph(path, store, oxigraph_server):
    stored = read_query(require(path))
    in_process = run(stored, engine="oxigraph", store=store)
    remote = run(stored, endpoint=oxigraph_server)
    assert canonical(remote) == canonical(in_process)


def test_queries_return_rows(store):
    # Agreement on empty answers proves little; at least one user query must answer something.
    if not QUERY_FILES:
        pytest.fail("queries/ holds no stored query")
    answered = [p.stem for p in QUERY_FILES
                if not read_query(p).header.network
                and run(read_query(p), store=store).rows]
    assert answered, "every stored query answers nothing on the project's data"


def sparqlwrapper_misreads(text: str) -> bool:
    """Whether SPARQLWrapper, left to guess, takes this query for an update."""
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper("http://127.0.0.1/unused")
    client.setQuery(text)
    return client.queryType not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def test_endpoint_ignores_words_in_comments(oxigraph_server, tmp_path):
    # Regression: SPARQLWrapper guesses the query form from the text, and its comment stripping
    # skips every other comment line, so a header word such as "add" made it send the query as
    # an update (HTTP 400). run_endpoint must tell it the form it parsed.
    query = tmp_path / "worded.rq"
    query.write_text(
        "#+ summary: People\n"
        "#+ description: Who is in the graph, before anyone thinks to add more?\n"
        "#+ tags: test\n"
        "SELECT ?person WHERE { ?person a <https://w3id.org/peron-kg/ontology#Person> }\n",
        encoding="utf-8",
    )
    assert sparqlwrapper_misreads(query.read_text(encoding="utf-8"))  # the trap is armed
    result = run(read_query(query), endpoint=oxigraph_server)
    assert len(result.rows) >= 3


# --- parameters on every engine --------------------------------------------------------------

PERSON_BY_NAME = TESTS / "queries" / "person-by-name.rq"


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib", "endpoint"])
@pytest.mark.parametrize("name, expected", [
    ("Luis Velasco", ["https://w3id.org/peron-kg/id/person/luis-velasco"]),
    # Pasted into the text, this would close the string and the FILTER and match everyone.
    ('x") || true || ("', []),
    ('Luis Velasco" } ', []),
])
def test_string_param_is_bound_as_a_literal(assembled, store, oxigraph_server, engine, name,
                                            expected):
    # Regression for the endpoint: a VALUES block after the query left the FILTER inside the
    # WHERE clause with the variable unbound, so the query answered nothing there.
    stored = read_query(PERSON_BY_NAME)
    kwargs = {"endpoint": oxigraph_server} if engine == "endpoint" else {
        "engine": engine, "store": store, "assembled": assembled}
    result = run(stored, params={"name": name}, **kwargs)
    assert [row["person"]["value"] for row in result.rows] == expected


def test_unprojected_param_on_oxigraph(assembled, store, tmp_path):
    # Regression: pyoxigraph's substitutions bind only projected variables, so a query that
    # filtered on an unprojected parameter failed on the default engine but ran on rdflib.
    query = tmp_path / "unprojected.rq"
    query.write_text(PERSON_BY_NAME.read_text(encoding="utf-8").replace(
        "SELECT ?person ?name", "SELECT ?person"), encoding="utf-8")
    stored = read_query(query)
    on_rdflib = run(stored, engine="rdflib", assembled=assembled, params={"name": "Abe Stein"})
    assert len(on_rdflib.rows) == 1
    on_oxigraph = run(stored, engine="oxigraph", store=store, params={"name": "Abe Stein"})
    assert canonical(on_oxigraph) == canonical(on_rdflib)


# --- each check has a violating case ---------------------------------------------------------


def fixture_header(path: Path) -> dict[str, str]:
    keys = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^#\s*(expect-[a-z]+)\s*:\s*(.*?)\s*$", line)
        if m:
            keys[m[1]] = m[2]
    return keys


#: Checks known not to catch their violating case, with the reason. Strict xfails: when the
#: check is fixed, its entry must go.
BROKEN_CHECKS: dict[str, str] = {}


@pytest.mark.parametrize("path", each(CHECK_FILES))
def test_check_catches_its_fixture(path, small_project, request):
    from peron_kg.loading import load

    check = read_query(require(path))
    if path.stem in BROKEN_CHECKS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=BROKEN_CHECKS[path.stem]))
    fixture = TESTS / "checks" / f"{path.stem}.ttl"
    assert fixture.is_file(), f"write {fixture.relative_to(REPO)}: a case {path.name} must catch"
    expect = fixture_header(fixture)
    assert "expect-entity" in expect and "expect-property" in expect, fixture.name
    # Added to a project (its ontology and text graph): the check must find the defect among
    # other data, and give the same rows on both engines.
    shutil.copy(fixture, small_project.graph_dir / f"zz-{fixture.name}")
    assembled = load(small_project)
    answers = {}
    for engine in ("oxigraph", "rdflib"):
        answers[engine] = run(check, engine=engine, assembled=assembled)
        rows = answers[engine].rows
        if expect["expect-entity"] == "blank":
            hits = [r for r in rows if r["entity"]["type"] == "bnode"]
        else:
            hits = [r for r in rows if r["entity"] == {"type": "uri",
                                                       "value": expect["expect-entity"]}]
        assert hits, f"{path.stem} on {engine} did not report the fixture's entity: {rows}"
        assert {r["property"]["value"] for r in hits} == {expect["expect-property"]}, engine
    assert canonical(answers["oxigraph"]) == canonical(answers["rdflib"])


@pytest.mark.parametrize("path", each(CHECK_FILES))
def test_check_is_clean_on_the_project(path, assembled, store):
    # The fixture test above only means something if the real data gives no row.
    rows = run(read_query(require(path)), store=store).rows
    assert rows == [], f"{path.stem} reports the project's own data: {rows[:3]}"


def test_every_check_fixture_has_a_check():
    # A fixture left behind by a renamed check would be tested by nothing.
    checks = {p.stem for p in CHECK_FILES}
    for fixture in (TESTS / "checks").glob("*.ttl"):
        assert fixture.stem in checks, f"{fixture.name} has no queries/checks/{fixture.stem}.rq"
