"""Every verb through click's CliRunner, checked against answers computed here independently."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from rdflib import RDF, Graph, Namespace
from rdflib.compare import isomorphic

from conftest import TESTS, assert_one_line_error

PK = Namespace("https://w3id.org/peron-kg/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
VERBS = ["build", "validate", "query", "queries", "export", "stats"]

PLANTED_PERSON = "https://w3id.org/peron-kg/id/person/planted-nobody"


#: The three people the article's credits name, as the tests' own small data.
PEOPLE_TTL = """@prefix pk:     <https://w3id.org/peron-kg/ontology#> .
@prefix person: <https://w3id.org/peron-kg/id/person/> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .

person:luis-velasco a pk:Person ; skos:prefLabel "Luis Velasco"@en .
person:abe-stein a pk:Person ; skos:prefLabel "Abe Stein"@en .
person:einde-ocallaghan a pk:Person ;
    skos:prefLabel "Einde O'Callaghan"@en ;
    skos:altLabel "Einde O’Callaghan"@en .
"""


@pytest.fixture(scope="module")
def project(small_snapshot, tmp_path_factory):
    """A small project with three people and the tests' own stored queries, for tests that
    only read. Small, because every CLI call loads the project, and the whole graph takes
    seconds; its own people, so the expected answers do not move while graph/ is edited."""
    from conftest import copy_project

    copy = copy_project(small_snapshot.root, tmp_path_factory.mktemp("cli") / "project")
    (copy.graph_dir / "people.ttl").write_text(PEOPLE_TTL, encoding="utf-8")
    for query in (TESTS / "queries").glob("*.rq"):
        shutil.copy(query, copy.queries_dir)
    return copy


@pytest.fixture(scope="module")
def union(project):
    from peron_kg.loading import load

    return load(project).union()


def people(union: Graph) -> list[tuple[str, str]]:
    """(person IRI, preferred name) for every pk:Person, as the Turtle states them."""
    return sorted((str(p), str(union.value(p, SKOS.prefLabel)))
                  for p in union.subjects(RDF.type, PK.Person))


# --- build, export, stats ------------------------------------------------------------------


def test_build(project, union, cli, tmp_path):
    # Unvalidated: the small project is not a complete graph (test_build.py covers validation).
    out = tmp_path / "dist"
    result = cli("build", "--no-validate", "--out", out, root=project)
    assert result.exit_code == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.endswith(f": {len(union)} triples"), first
    listed = {line.split()[0] for line in result.stdout.splitlines()[1:]}
    assert listed == {p.name for p in out.iterdir()}
    assert {"peron-kg.ttl", "peron-kg.nq", "void.ttl", "SHA256SUMS"} <= listed


@pytest.mark.parametrize("fmt, rdflib_format", [("nt", "nt"), ("ttl", "turtle")])
def test_export_to_file(project, union, cli, tmp_path, fmt, rdflib_format):
    target = tmp_path / f"graph.{fmt}"
    result = cli("export", "--format", fmt, "-o", target, root=project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # the data went to the file, the note to stderr
    assert str(target) in result.stderr
    assert isomorphic(Graph().parse(target, format=rdflib_format), union)


def test_export_to_stdout(project, union, cli):
    result = cli("export", "--format", "nt", root=project)
    assert result.exit_code == 0, result.stderr
    assert isomorphic(Graph().parse(data=result.stdout, format="nt"), union)


# Regression: export -o used to write files with mkstemp's mode 0600.
def test_exported_file_has_ordinary_permissions(project, cli, tmp_path):
    import os
    import stat

    target = tmp_path / "graph.nt"
    assert cli("export", "--format", "nt", "-o", target, root=project).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_stats_counts_triples(project, union, cli):
    result = cli("stats", root=project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"{len(union)} triples"


def test_stats_json(project, union, cli):
    result = cli("stats", "--format", "json", root=project)
    assert result.exit_code == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["triples"] == len(union)
    assert stats["classes"][str(PK.Person)] == len(people(union))
    labels = set(union.triples((None, SKOS.prefLabel, None)))
    assert stats["properties"][str(SKOS.prefLabel)] == len(labels)


# --- validate ------------------------------------------------------------------------------


def test_validate_conforms(snapshot, cli):
    # The project's own data, whole: this is the test that says the graph is fit to release.
    result = cli("validate", root=snapshot)
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "conforms"
    for step in ("parse", "shacl", "checks"):
        assert f"[ ok ] {step}" in result.stdout


def test_validate_json(project, cli):
    # The small project: what is under test is the report's form, not the data.
    result = cli("validate", "--format", "json", root=project)
    assert result.exit_code in (0, 1), result.stdout
    report = json.loads(result.stdout)
    assert report["conforms"] is (result.exit_code == 0)
    names = [s["name"] for s in report["steps"]]
    assert names[:3] == ["parse", "shacl", "checks"]
    for step in report["steps"]:
        assert step["ran"] is True and step["error"] is None, step
        assert step["ok"] is (not step["violations"])
        for v in step["violations"]:
            assert {"focus", "path", "message", "file"} <= set(v)


@pytest.fixture
def planted(small_project):
    """A person without its required skos:prefLabel, in a file of its own."""
    (small_project.graph_dir / "zz-planted.ttl").write_text(
        "@prefix pk: <https://w3id.org/peron-kg/ontology#> .\n"
        f"<{PLANTED_PERSON}> a pk:Person .\n",
        encoding="utf-8",
    )
    return small_project


def report_section(text: str, step: str) -> list[str]:
    """The lines a text report gives under one step (its "  - " lines)."""
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith("["):
            inside = line.split("] ", 1)[-1].startswith(f"{step}:")
        elif inside:
            lines.append(line)
    return lines


def test_validate_reports_focus_path_and_file(planted, cli):
    result = cli("validate", root=planted)
    assert result.exit_code == 1, result.stdout
    assert "[FAIL] shacl: " in result.stdout
    # Focus, path and the file that defines the node, on one line a curator can act on.
    expected = "  - person/planted-nobody skos:prefLabel (graph/zz-planted.ttl): "
    assert len([line for line in report_section(result.stdout, "shacl")
                if line.startswith(expected)]) == 1, result.stdout
    assert result.stdout.splitlines()[-1] == "does not conform"


def test_validate_json_reports_full_iris(planted, cli):
    result = cli("validate", "--format", "json", root=planted)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    (shacl,) = [s for s in report["steps"] if s["name"] == "shacl"]
    (violation,) = [v for v in shacl["violations"] if v["focus"] == PLANTED_PERSON]
    assert violation["path"] == str(SKOS.prefLabel)
    assert violation["file"] == "graph/zz-planted.ttl"


def test_validate_reports_a_failing_check(small_project, cli):
    # A blank node breaks no shape; only the check blank-node-violation sees it.
    shutil.copy(TESTS / "checks" / "blank-node-violation.ttl", small_project.graph_dir)
    result = cli("validate", "--format", "json", root=small_project)
    assert result.exit_code == 1, result.stdout
    (checks,) = [s for s in json.loads(result.stdout)["steps"] if s["name"] == "checks"]
    found = [v for v in checks["violations"]
             if v["source"] == "queries/checks/blank-node-violation.rq"]
    assert len(found) == 1, checks["violations"]
    assert found[0]["path"] == "http://www.w3.org/2000/01/rdf-schema#comment"
    assert found[0]["value"] == "a note nobody gave an IRI"


# --- queries and query ---------------------------------------------------------------------


def test_queries_lists_every_stored_query(project, cli):
    result = cli("queries", root=project)
    assert result.exit_code == 0, result.stderr
    names = [p.stem for p in project.queries_dir.glob("*.rq")]
    assert "person-labels" in names
    for name in names:
        assert name in result.stdout, name
    assert "Every person's preferred name" in result.stdout  # the summary from the header


def test_queries_checks(project, cli):
    result = cli("queries", "--checks", root=project)
    assert result.exit_code == 0, result.stderr
    for path in project.checks_dir.glob("*.rq"):
        assert path.stem in result.stdout
    assert "person-labels" not in result.stdout


def test_query_json_is_sparql_results(project, union, cli):
    result = cli("query", "person-labels", "--format", "json", root=project)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    # SPARQL 1.1 Query Results JSON: head.vars, results.bindings, typed terms.
    assert doc["head"]["vars"] == ["person", "label"]
    bindings = doc["results"]["bindings"]
    for b in bindings:
        assert b["person"] == {"type": "uri", "value": b["person"]["value"]}
        assert b["label"]["type"] == "literal" and b["label"]["xml:lang"] == "en"
    assert [(b["person"]["value"], b["label"]["value"]) for b in bindings] == people(union)


def stored_query_paths() -> list:
    """Every stored query that runs offline (``#+ network: true`` ones need Wikidata)."""
    from peron_kg.queries import parse_header

    root = TESTS.parent / "queries"
    found = [(p.stem, p) for p in root.glob("*.rq")]
    found += [(f"checks/{p.stem}", p) for p in (root / "checks").glob("*.rq")]
    return [pytest.param(name, path, id=name) for name, path in sorted(found)
            if not parse_header(path.read_text(encoding="utf-8")).network]


@pytest.fixture(scope="module")
def store(project):
    from peron_kg.engines import oxigraph_store
    from peron_kg.loading import load

    return oxigraph_store(load(project))


@pytest.mark.parametrize("name, path", stored_query_paths())
def test_every_stored_query_gives_valid_json(store, name, path):
    # What `query NAME --format json` prints (test_query_json_is_sparql_results runs the CLI
    # itself), without loading the project once per query.
    from rdflib.plugins.sparql.parser import parseQuery

    from peron_kg.engines import run
    from peron_kg.queries import read_query
    from peron_kg.results import render

    text = render(run(read_query(path), store=store), "json")
    if parseQuery(path.read_text(encoding="utf-8"))[1].name not in ("SelectQuery", "AskQuery"):
        # SPARQL JSON results have no form for a graph; CONSTRUCT prints sorted N-Triples.
        Graph().parse(data=text, format="nt")
        assert text.splitlines() == sorted(set(text.splitlines()))
        return
    doc = json.loads(text)
    if "boolean" in doc:
        assert isinstance(doc["boolean"], bool)
        return
    variables = doc["head"]["vars"]
    assert variables and len(set(variables)) == len(variables)
    for binding in doc["results"]["bindings"]:
        assert set(binding) <= set(variables)
        for term in binding.values():
            assert term["type"] in ("uri", "literal", "bnode")
            assert isinstance(term["value"], str)
            assert not ("xml:lang" in term and "datatype" in term)


def test_query_csv(project, union, cli):
    result = cli("query", "person-labels", "--format", "csv", root=project)
    assert result.exit_code == 0, result.stderr
    # SPARQL 1.1 CSV results: CRLF line ends, bare IRIs and lexical forms. (Result.stdout turns
    # CRLF into LF, so the line ends are checked on the bytes.)
    raw = result.stdout_bytes.decode("utf-8")
    assert raw.endswith("\r\n")
    assert raw.count("\r\n") == raw.count("\n")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert rows[0] == ["person", "label"]
    assert [tuple(r) for r in rows[1:]] == people(union)


def test_query_tsv(project, union, cli):
    result = cli("query", "person-labels", "--format", "tsv", root=project)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    # SPARQL 1.1 TSV results: ?-prefixed header, terms in N-Triples/Turtle syntax.
    assert lines[0] == "?person\t?label"
    expected = [f'<{iri}>\t"{name}"@en' for iri, name in people(union)]
    assert lines[1:] == expected


def test_query_table(project, cli):
    result = cli("query", "person-labels", root=project)
    assert result.exit_code == 0, result.stderr
    assert "person/luis-velasco" in result.stdout
    assert result.stdout.rstrip().endswith("rows")


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_query_param(project, cli, engine):
    result = cli("query", "person-by-name", "--engine", engine, "--format", "csv",
                 "--param", "name=Luis Velasco", root=project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "person,name", "https://w3id.org/peron-kg/id/person/luis-velasco,Luis Velasco"]


# --- --root ------------------------------------------------------------------------------


@pytest.mark.parametrize("verb", VERBS)
def test_root_that_is_not_a_project(cli, tmp_path, verb):
    (tmp_path / "graph").mkdir()  # one marker folder is not enough
    args = [verb] + (["checks/blank-node-violation"] if verb == "query" else [])
    message = assert_one_line_error(cli(*args, root=tmp_path))
    assert message.startswith(f"{tmp_path.resolve()}: not a peron-kg project"), message


def test_root_finds_project_from_inside(project, cli, monkeypatch):
    # Without --root, the project is found upward from the current folder.
    monkeypatch.chdir(project.graph_dir / "source")
    result = cli("queries")
    assert result.exit_code == 0, result.stderr
    assert "person-labels" in result.stdout


def test_version(cli):
    from peron_kg import __version__

    result = cli("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout
