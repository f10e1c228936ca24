"""The text model end to end (issue 3): a quote becomes W3C selectors that pass SHACL, a
corrupted offset fails SHACL clearly, and a missing quote stops the build naming the claim."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

from conftest import REPO, assert_one_line_error, copy_small_project
from peron_kg.loading import load
from peron_kg.validate import shacl_violations, validate

OA = Namespace("http://www.w3.org/ns/oa#")
PK = Namespace("https://w3id.org/peron-kg/ontology#")
ID = "https://w3id.org/peron-kg/id/"
TEXT_NODE = URIRef(ID + "text/velasco-1948")

# A claim as a curator writes it: only its exact words, nothing about offsets.
SAMPLE_CLAIM = """\
@prefix pk:      <https://w3id.org/peron-kg/ontology#> .
@prefix claim:   <https://w3id.org/peron-kg/id/claim/> .
@prefix article: <https://w3id.org/peron-kg/id/article/> .
@prefix person:  <https://w3id.org/peron-kg/id/person/> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .

claim:sample-capitalist-par-excellence
    a pk:Claim ;
    skos:prefLabel "Sample: the Argentine economy is capitalist par excellence"@en ;
    pk:heldBy person:luis-velasco ;
    pk:statedIn article:peron-argentine-sub-imperialist ;
    pk:paraphrase "Argentina's economy is thoroughly capitalist."@en ;
    pk:quote "The Argentine economy is capitalist par excellence." .
"""


PEOPLE = """\
@prefix pk:     <https://w3id.org/peron-kg/ontology#> .
@prefix person: <https://w3id.org/peron-kg/id/person/> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .

person:luis-velasco a pk:Person ; skos:prefLabel "Luis Velasco"@en .
person:abe-stein a pk:Person ; skos:prefLabel "Abe Stein"@en .
person:einde-ocallaghan a pk:Person ; skos:prefLabel "Einde O'Callaghan"@en ;
    skos:altLabel "Einde O’Callaghan"@en .
"""


@pytest.fixture
def sample_project(tmp_path):
    project = copy_small_project(REPO, tmp_path / "project", ("article.ttl", "dataset.ttl"))
    # The people the bibliographic record names, and nothing that would need more of the graph.
    (project.graph_dir / "people.ttl").write_text(PEOPLE, encoding="utf-8")
    # The small project has no entities for the overrides to point at.
    (project.source_dir / "mention-overrides.tsv").write_text("", encoding="utf-8")
    (project.graph_dir / "sample-claims.ttl").write_text(SAMPLE_CLAIM, encoding="utf-8")
    return project


def test_a_claim_written_with_only_its_quote_gets_selectors_that_pass_shacl(sample_project):
    assembled = load(sample_project)
    text = assembled.graph("text")
    claim = URIRef(ID + "claim/sample-capitalist-par-excellence")
    anchor = text.value(claim, PK.evidence)
    assert anchor == URIRef(ID + "anchor/claim-sample-capitalist-par-excellence-1")
    selectors = list(text.objects(anchor, OA.hasSelector))
    quote = next(s for s in selectors if (s, OA.exact, None) in text)
    position = next(s for s in selectors if (s, OA.start, None) in text)
    source = (REPO / "graph/source/velasco-1948-peron-argentine-sub-imperialist.txt").read_text(
        encoding="utf-8"
    )
    start = text.value(position, OA.start).toPython()
    end = text.value(position, OA.end).toPython()
    # Checked against the file itself, not against what the build says.
    assert source[start:end] == "The Argentine economy is capitalist par excellence."
    assert source[:start].endswith(str(text.value(quote, OA.prefix)))
    assert source[end:].startswith(str(text.value(quote, OA.suffix)))
    assert str(text.value(quote, OA.prefix)).endswith("(2) ")
    # Conclusion (2) opens paragraph 63 of the text.
    assert text.value(anchor, PK.inParagraph) == URIRef(ID + "paragraph/velasco-1948-063")
    report, _ = validate(sample_project, assembled)
    steps = {step.name: step for step in report.steps}
    # The small project lacks the article's entities, so only coverage may complain.
    for name in ("parse", "shacl", "checks"):
        assert steps[name].ok, report.to_text()


def test_a_corrupted_offset_fails_shacl_naming_the_anchor(sample_project):
    assembled = load(sample_project)
    text = assembled.graph("text")
    anchor = URIRef(ID + "anchor/claim-sample-capitalist-par-excellence-1")
    position = next(s for s in text.objects(anchor, OA.hasSelector) if (s, OA.start, None) in text)
    start = text.value(position, OA.start)
    text.remove((position, OA.start, start))
    text.add((position, OA.start, Literal(start.toPython() + 4, datatype=XSD.nonNegativeInteger)))
    shapes = Graph().parse(sample_project.shapes_file)
    found = [v for v in shacl_violations(assembled, shapes) if v.value == str(anchor)]
    assert len(found) == 1
    violation = found[0]
    assert violation.focus == str(TEXT_NODE)
    assert violation.path == str(OA.exact)
    assert "disagrees with the source text" in violation.message
    assert violation.file == "graph/source/source-text.ttl"


def test_a_quote_missing_from_the_text_stops_the_build(sample_project, cli, tmp_path):
    path = sample_project.graph_dir / "sample-claims.ttl"
    path.write_text(
        SAMPLE_CLAIM.replace("capitalist par excellence.", "capitalist through and through."),
        encoding="utf-8",
    )
    result = cli("build", "--out", tmp_path / "dist", root=sample_project)
    message = assert_one_line_error(result)
    assert message.startswith("graph/sample-claims.ttl: claim/sample-capitalist-par-excellence: "
                              "quote not found in the source text: ")
    assert "capitalist through and through." in message
    assert not (tmp_path / "dist").exists()


def test_an_ambiguous_quote_names_every_occurrence(sample_project, cli, tmp_path):
    path = sample_project.graph_dir / "sample-claims.ttl"
    # "capitalist par excellence" occurs twice in the article.
    path.write_text(
        SAMPLE_CLAIM.replace('"The Argentine economy is capitalist par excellence."',
                             '"capitalist par excellence"'),
        encoding="utf-8",
    )
    message = assert_one_line_error(cli("build", "--out", tmp_path / "dist", root=sample_project))
    assert "claim/sample-capitalist-par-excellence" in message
    assert "occurs 2 times" in message
