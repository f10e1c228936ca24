"""Bad input, through the CLI: one clear line naming what is wrong and where, a non-zero status,
and no damage to output that already exists (design.md, "Bad input")."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import TESTS, assert_one_line_error, error_message, free_port, tree_bytes

# --- malformed Turtle -----------------------------------------------------------------------

PREFIXES = """@prefix pk:   <https://w3id.org/peron-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

"""
# Each defect with the line and column where a reader finds it, counted by hand (1-based).
TURTLE_DEFECTS = {
    # line 6 lacks its ';', so the parser meets `skos:altLabel` (line 7, after 4 spaces) where
    # it expects the end of the statement.
    "missing-semicolon": (
        PREFIXES + "<https://w3id.org/peron-kg/id/person/planted-juan>\n"
        "    a pk:Person ;\n"
        '    skos:prefLabel "Juan"@en\n'
        '    skos:altLabel "Juancito"@en .\n',
        7, 5,
    ),
    # `foaf:` is never declared; `foaf:name` starts at column 5 of line 6.
    "undeclared-prefix": (
        PREFIXES + "<https://w3id.org/peron-kg/id/person/planted-juan>\n"
        "    a pk:Person ;\n"
        '    foaf:name "Juan" .\n',
        6, 5,
    ),
    # The object `pk:Person` is followed by `pk:Person` again; the second one, at column 17 of
    # line 5, can start nothing there.
    "two-objects": (
        PREFIXES + "<https://w3id.org/peron-kg/id/person/planted-juan>\n"
        "    a pk:Person pk:Person .\n",
        5, 17,
    ),
}


@pytest.mark.parametrize("defect", sorted(TURTLE_DEFECTS))
@pytest.mark.parametrize("verb", [["build", "--no-validate"], ["stats"],
                                  ["export", "--format", "nt"]])
def test_malformed_turtle_names_file_line_and_column(small_project, cli, tmp_path, verb, defect):
    text, line, column = TURTLE_DEFECTS[defect]
    (small_project.graph_dir / "zz-planted.ttl").write_text(text, encoding="utf-8")
    extra = ["--out", str(tmp_path / "dist")] if verb[0] == "build" else []
    message = assert_one_line_error(cli(*verb, *extra, root=small_project))
    assert message.startswith(f"graph/zz-planted.ttl:{line}:{column}: malformed Turtle"), message
    assert not (tmp_path / "dist").exists()


def test_malformed_turtle_in_validate_report(small_project, cli):
    text, line, column = TURTLE_DEFECTS["missing-semicolon"]
    (small_project.graph_dir / "zz-planted.ttl").write_text(text, encoding="utf-8")
    result = cli("validate", root=small_project)
    # validate reports the parse step and skips the rest; unusable input is status 2, not 1.
    assert result.exit_code == 2
    assert f"[FAIL] parse: graph/zz-planted.ttl:{line}:{column}: malformed Turtle" in result.stdout
    assert "[skip] shacl" in result.stdout


def test_malformed_turtle_in_an_existing_file(project_copy, cli):
    # The usual case: a curator's edit breaks a file that was fine; here a dot goes missing at
    # the end of the last statement of people.ttl, so the parser meets the end of the file.
    path = project_copy.graph_dir / "people.ttl"
    text = path.read_text(encoding="utf-8").rstrip()
    assert text.endswith(" .")
    path.write_text(text[:-2] + "\n", encoding="utf-8")
    message = assert_one_line_error(cli("stats", root=project_copy))
    assert re.match(r"graph/people\.ttl:\d+:\d+: malformed Turtle", message), message


def test_non_utf8_turtle(small_project, cli):
    (small_project.graph_dir / "zz-planted.ttl").write_bytes(
        PREFIXES.encode()
        + b'<https://w3id.org/peron-kg/id/person/p> skos:prefLabel "Per\xf3n"@es .\n'
    )
    message = assert_one_line_error(cli("stats", root=small_project))
    assert message.startswith("graph/zz-planted.ttl: not UTF-8"), message


# --- stored queries --------------------------------------------------------------------------


def misspell(name: str) -> str:
    """Swap two letters near the end, as a fast typist does ("record" -> "recrod")."""
    i = max(i for i in range(len(name) - 1) if name[i].isalpha() and name[i + 1].isalpha())
    i = max(1, i - 1)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def test_misspell_helper():
    assert misspell("bibliographic-record") == "bibliographic-recrod"


def test_unknown_query_suggests_the_closest_name(small_project, cli):
    names = sorted(p.stem for p in small_project.queries_dir.glob("*.rq"))
    assert names, "queries/ has no stored query to misspell"
    real = "bibliographic-record" if "bibliographic-record" in names else names[0]
    typo = misspell(real)
    assert typo != real and typo not in names
    message = assert_one_line_error(cli("query", typo, root=small_project))
    assert f"unknown query {typo!r}" in message
    closest = message.split("closest:", 1)[1]
    assert closest.split(",")[0].strip() == real


BROKEN_QUERY = """#+ summary: Broken on purpose
#+ description: A query whose seventh line lacks an object, for the error-message tests.
#+ tags: test
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s WHERE {
  ?s ?p ?o .
  ?s skos:prefLabel ) .
}
"""
# The ')' stands where the object of line 7 should be: column 21 (2 spaces, ?s, space, a
# 14-character name, space).
BROKEN_LINE, BROKEN_COLUMN = 7, 21


@pytest.mark.parametrize("engine", [["--engine", "oxigraph"], ["--engine", "rdflib"],
                                    ["--endpoint", "http://127.0.0.1:9/query"]])
def test_malformed_sparql_names_line_and_column(small_project, cli, tmp_path, engine):
    query = tmp_path / "broken.rq"
    query.write_text(BROKEN_QUERY, encoding="utf-8")
    # Only the first line here: that the message is one line is test_syntax_error_is_one_line.
    message = error_message(cli("query", query, *engine, root=small_project))
    m = re.match(rf"{re.escape(str(query))}:(\d+):(\d+): malformed SPARQL: ", message)
    assert m, message
    line, column = int(m[1]), int(m[2])
    assert line == BROKEN_LINE
    if engine[1] == "oxigraph":
        assert column == BROKEN_COLUMN
    else:
        # rdflib (pyparsing) points at the start of the triple pattern it could not finish.
        assert 1 <= column <= BROKEN_COLUMN


def test_malformed_stored_query_by_name(small_project, cli):
    (small_project.queries_dir / "broken.rq").write_text(BROKEN_QUERY, encoding="utf-8")
    message = error_message(cli("query", "broken", root=small_project))
    assert f"broken.rq:{BROKEN_LINE}:{BROKEN_COLUMN}: malformed SPARQL" in message


def undeclared_prefix_query(prefix: str) -> str:
    return f"SELECT ?s WHERE {{\n  ?s {prefix}:name ?name .\n}}\n"


@pytest.mark.parametrize("prefix", [
    # Regression: rdflib's algebra raised a plain Exception, and the CLI died with a traceback.
    "foo",
    # Regression: rdflib knows skos:, foaf:, schema: … by default, so it ran what Oxigraph and
    # endpoints refuse; Oxigraph's strict parser now checks the query first.
    "skos",
])
def test_undeclared_prefix_on_rdflib(small_project, cli, tmp_path, prefix):
    query = tmp_path / "undeclared.rq"
    query.write_text(undeclared_prefix_query(prefix), encoding="utf-8")
    message = assert_one_line_error(cli("query", query, "--engine", "rdflib", root=small_project))
    assert message.startswith(f"{query}:2:"), message
    assert prefix in message


@pytest.mark.parametrize("prefix", ["foo", "skos"])
def test_undeclared_prefix_on_oxigraph(small_project, cli, tmp_path, prefix):
    query = tmp_path / "undeclared.rq"
    query.write_text(undeclared_prefix_query(prefix), encoding="utf-8")
    message = error_message(cli("query", query, "--engine", "oxigraph", root=small_project))
    assert message.startswith(f"{query}:2:"), message


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_syntax_error_is_one_line(small_project, cli, tmp_path, engine):
    # Regression: Oxigraph's multi-line "expected one of ..." list used to reach stderr as is.
    query = tmp_path / "broken.rq"
    query.write_text(BROKEN_QUERY, encoding="utf-8")
    assert_one_line_error(cli("query", query, "--engine", engine, root=small_project))


def test_unreachable_endpoint(small_project, cli):
    # A loopback port nobody listens on: refused at once, no network needed.
    endpoint = f"http://127.0.0.1:{free_port()}/query"
    message = assert_one_line_error(cli("query", "checks/blank-node-violation",
                                        "--endpoint", endpoint, root=small_project))
    assert message.startswith(f"{endpoint}: unreachable"), message


# --- parameters ------------------------------------------------------------------------------

ODD_NAME = 'The "Odd" } Name'
ODD_PERSON = "https://w3id.org/peron-kg/id/person/planted-odd-name"


@pytest.fixture
def param_project(small_project):
    """The project with a person whose name holds SPARQL's own punctuation, and a query by name."""
    shutil.copy(TESTS / "queries" / "person-by-name.rq", small_project.queries_dir)
    (small_project.graph_dir / "zz-planted.ttl").write_text(
        PREFIXES + f'<{ODD_PERSON}> a pk:Person ;\n'
        '    skos:prefLabel "The \\"Odd\\" } Name"@en .\n',
        encoding="utf-8",
    )
    return small_project


def csv_rows(text: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_param_with_quote_and_brace_is_a_literal(param_project, cli, engine):
    result = cli("query", "person-by-name", "--engine", engine, "--format", "csv",
                 "--param", f"name={ODD_NAME}", root=param_project)
    assert result.exit_code == 0, result.stderr
    assert csv_rows(result.stdout) == [["person", "name"], [ODD_PERSON, ODD_NAME]]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_param_cannot_inject_a_pattern(param_project, cli, engine):
    # Pasted into the text, this value would close the FILTER and match every labelled node.
    injection = 'x") || true || ("'
    result = cli("query", "person-by-name", "--engine", engine, "--format", "csv",
                 "--param", f"name={injection}", root=param_project)
    assert result.exit_code == 0, result.stderr
    assert csv_rows(result.stdout) == [["person", "name"]]


def test_unknown_param_is_refused(param_project, cli):
    message = assert_one_line_error(cli("query", "person-by-name", "--param", "nmae=Abe Stein",
                                        root=param_project))
    assert "'nmae'" in message and "name" in message


# --- output that cannot be written -----------------------------------------------------------


@pytest.fixture
def earlier_dist(small_project, cli, tmp_path):
    out = tmp_path / "dist"
    # Not validated: the small project's data is incomplete, and any earlier output will do.
    result = cli("build", "--no-validate", "--out", out, root=small_project)
    assert result.exit_code == 0, result.stderr
    return out, tree_bytes(out)


def test_out_under_a_regular_file(small_project, cli, tmp_path, earlier_dist):
    # As root, chmod does not stop a write; a path through a regular file stops everyone.
    out, before = earlier_dist
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    message = assert_one_line_error(cli("build", "--no-validate", "--out", blocker / "dist",
                                        root=small_project))
    assert str(blocker / "dist") in message
    assert "cannot write" in message
    assert tree_bytes(out) == before
    assert blocker.read_text() == "x"


def test_export_under_a_regular_file(small_project, cli, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    target = blocker / "graph.nt"
    message = assert_one_line_error(cli("export", "--format", "nt", "-o", target,
                                        root=small_project))
    assert str(target) in message and "cannot write" in message
    assert blocker.read_text() == "x"
