"""Anchoring quotes to the text: offsets in code points of NFC text, and clear failures."""

from __future__ import annotations

import unicodedata

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from peron_kg.anchors import anchor_quotes, find_quote, occurrences
from peron_kg.errors import InputError
from peron_kg.segments import segment

OA = Namespace("http://www.w3.org/ns/oa#")
PK = Namespace("https://w3id.org/peron-kg/ontology#")
ID = "https://w3id.org/peron-kg/id/"

# Accents, curly quotes, an en dash and a non-breaking space, as the article has them.
TEXT = "Perón’s “plan” – 1946.\n\nMariátegui said: “Perón’s plan”.\u00a0End."


def test_offsets_count_code_points_not_bytes():
    start, end = find_quote(TEXT, "“plan” – 1946", None, "claim/x")
    # "Perón’s " is 8 code points but 11 UTF-8 bytes; the quote starts after it.
    assert (start, end) == (8, 21)
    assert TEXT[start:end] == "“plan” – 1946"
    assert len(TEXT[:start].encode("utf-8")) == 11  # so bytes would have given another answer


def test_decomposed_quote_is_normalised_to_nfc():
    nfd = unicodedata.normalize("NFD", "Mariátegui said")
    assert nfd != "Mariátegui said"
    assert find_quote(TEXT, nfd, None, "claim/x") == (24, 39)


def test_quote_occurring_twice_needs_an_occurrence():
    assert occurrences(TEXT, "Perón’s") == [0, 42]
    with pytest.raises(InputError) as error:
        find_quote(TEXT, "Perón’s", None, "claim/twice")
    message = str(error.value)
    assert "claim/twice" in message and "occurs 2 times" in message and "0, 42" in message
    assert find_quote(TEXT, "Perón’s", 2, "claim/twice") == (42, 49)
    with pytest.raises(InputError, match="occurs 2 time"):
        find_quote(TEXT, "Perón’s", 3, "claim/twice")


def test_missing_quote_names_owner_and_hints_at_curly_apostrophe():
    with pytest.raises(InputError) as error:
        find_quote(TEXT, "Perón's plan", None, "claim/straight")
    message = str(error.value)
    assert message.startswith("claim/straight: quote not found")
    assert "’" in message  # the hint names the apostrophe the text uses


def _curated(*triples) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g


def test_a_claim_with_only_its_quote_gets_full_selectors():
    seg = segment(TEXT, [], "t")
    source = URIRef(ID + "text/sample")
    claim = URIRef(ID + "claim/sample")
    curated = _curated((claim, PK.quote, Literal("“Perón’s plan”")))
    out = Graph()
    assert anchor_quotes(curated, out, source, seg, lambda n: "claims.ttl") == 1
    anchor = out.value(claim, PK.evidence)
    assert str(anchor) == ID + "anchor/claim-sample-1"
    assert out.value(anchor, OA.hasSource) == source
    selectors = set(out.objects(anchor, OA.hasSelector))
    quote = next(s for s in selectors if out.value(s, OA.exact) is not None)
    position = next(s for s in selectors if out.value(s, OA.start) is not None)
    assert str(out.value(quote, OA.exact)) == "“Perón’s plan”"
    assert str(out.value(quote, OA.prefix)).endswith("said: ")
    assert str(out.value(quote, OA.suffix)) == ".\u00a0End."
    start, end = out.value(position, OA.start).toPython(), out.value(position, OA.end).toPython()
    assert TEXT[start:end] == "“Perón’s plan”"
    # The quote lies in the second paragraph.
    assert str(out.value(anchor, PK.inParagraph)).endswith("-002")


def test_an_anchor_node_with_an_occurrence_picks_that_occurrence():
    seg = segment(TEXT, [], "t")
    source = URIRef(ID + "text/sample")
    claim, anchor = URIRef(ID + "claim/sample"), URIRef(ID + "anchor/sample-second")
    curated = _curated(
        (claim, PK.evidence, anchor),
        (anchor, PK.quote, Literal("Perón’s")),
        (anchor, PK.occurrence, Literal(2)),
    )
    out = Graph()
    anchor_quotes(curated, out, source, seg, lambda n: "claims.ttl")
    position = next(s for s in out.objects(anchor, OA.hasSelector) if (s, OA.start, None) in out)
    assert out.value(position, OA.start).toPython() == 42


def test_missing_quote_fails_naming_file_and_claim():
    seg = segment(TEXT, [], "t")
    claim = URIRef(ID + "claim/ghost")
    curated = _curated((claim, PK.quote, Literal("words the article never wrote")))
    with pytest.raises(InputError) as error:
        anchor_quotes(curated, Graph(), URIRef(ID + "text/sample"), seg, lambda n: "claims.ttl")
    assert str(error.value).startswith("claims.ttl: claim/ghost: quote not found")
