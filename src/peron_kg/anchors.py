"""Anchoring quotations to the source text with W3C Web Annotation selectors.

Curators write only the exact quotation, ``pk:quote "…"``, on a claim (or any resource),
or on an anchor node of their own with ``pk:occurrence`` when the quote occurs more than once.
The build finds the quote in the NFC text and writes an ``oa:SpecificResource`` with an
``oa:TextQuoteSelector`` (exact, prefix, suffix) and an ``oa:TextPositionSelector`` (start,
end), plus the paragraph that holds it. Offsets are Unicode code points (Python ``str``
indices) of the NFC text, ``end`` exclusive.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import InputError
from .namespaces import ID, ONTOLOGY, PREFIXES, compact

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from .segments import Segmentation

#: Characters of context kept in oa:prefix and oa:suffix.
CONTEXT = 32
OA = PREFIXES["oa"]


def occurrences(text: str, quote: str) -> list[int]:
    """Every start offset of ``quote`` in ``text``, overlapping ones included.

    >>> occurrences("a–b a–b", "a–b")
    [0, 4]
    """
    found, i = [], text.find(quote)
    while i != -1:
        found.append(i)
        i = text.find(quote, i + 1)
    return found


def find_quote(text: str, quote: str, occurrence: int | None, owner: str) -> tuple[int, int]:
    """The span of a quote; fails naming the owner and the quote if missing or ambiguous.

    >>> find_quote("Perón said “no”. Perón left.", "Perón", 2, "claim/x")
    (17, 22)
    >>> find_quote("Perón said “no”.", "said “no”", None, "claim/x")
    (6, 15)
    """
    quote = unicodedata.normalize("NFC", quote)
    shown = quote if len(quote) <= 80 else quote[:77] + "..."
    if not quote.strip():
        raise InputError(f"{owner}: empty quote")
    starts = occurrences(text, quote)
    if not starts:
        hint = ""
        for plain, curly in (("'", "’"), ('"', "“")):
            if plain in quote and occurrences(text, quote.replace(plain, curly)):
                hint = f" (the text writes {curly!r} where the quote has {plain!r})"
        raise InputError(f"{owner}: quote not found in the source text: {shown!r}{hint}")
    if occurrence is None:
        if len(starts) > 1:
            raise InputError(
                f"{owner}: quote occurs {len(starts)} times (at offsets "
                f"{', '.join(map(str, starts))}): {shown!r}; quote more words, or give an "
                "anchor node with pk:occurrence"
            )
        occurrence = 1
    if not 1 <= occurrence <= len(starts):
        raise InputError(
            f"{owner}: pk:occurrence {occurrence}, but the quote occurs {len(starts)} time(s): "
            f"{shown!r}"
        )
    start = starts[occurrence - 1]
    return start, start + len(quote)


@dataclass(frozen=True)
class Anchor:
    iri: str
    start: int
    end: int


def slug_of(node: Node, owner_label: str) -> str:
    """``kind-slug`` from a resource IRI ``…/id/{kind}/{slug}``."""
    iri = str(node)
    if not iri.startswith(ID) or iri[len(ID) :].count("/") != 1:
        raise InputError(f"{owner_label}: cannot anchor {iri}: not a https://w3id.org/peron-kg/id/"
                         "{kind}/{slug} IRI")
    return iri[len(ID) :].replace("/", "-")


def write_anchor(
    out: Graph, anchor_iri: str, source: Node, seg: Segmentation, start: int, end: int
) -> None:
    """The anchor as an oa:SpecificResource with both selectors, and its paragraph."""
    from rdflib import RDF, Literal, Namespace, URIRef
    from rdflib.namespace import XSD

    oa = Namespace(OA)
    pk = Namespace(ONTOLOGY)
    text = seg.text
    anchor = URIRef(anchor_iri)
    name = anchor_iri[len(ID) :].split("/", 1)[1]
    quote_sel = URIRef(f"{ID}selector/{name}-quote")
    position_sel = URIRef(f"{ID}selector/{name}-position")
    out.add((anchor, RDF.type, oa.SpecificResource))
    out.add((anchor, oa.hasSource, source))
    out.add((anchor, oa.hasSelector, quote_sel))
    out.add((anchor, oa.hasSelector, position_sel))
    block = seg.block_at(start)
    if block is not None:
        from .textgraph import block_iri

        out.add((anchor, pk.inParagraph, URIRef(block_iri(source, block))))
    out.add((quote_sel, RDF.type, oa.TextQuoteSelector))
    out.add((quote_sel, oa.exact, Literal(text[start:end])))
    out.add((quote_sel, oa.prefix, Literal(text[max(0, start - CONTEXT) : start])))
    out.add((quote_sel, oa.suffix, Literal(text[end : end + CONTEXT])))
    out.add((position_sel, RDF.type, oa.TextPositionSelector))
    out.add((position_sel, oa.start, Literal(start, datatype=XSD.nonNegativeInteger)))
    out.add((position_sel, oa.end, Literal(end, datatype=XSD.nonNegativeInteger)))


def anchor_quotes(curated: Graph, out: Graph, source: Node, seg: Segmentation, origin) -> int:
    """Anchor every ``pk:quote`` of the curated graph; return how many anchors were written.

    A ``pk:quote`` on a node that is the object of ``pk:evidence`` is that anchor's own quote
    (with an optional ``pk:occurrence``); on any other node it asks for a new anchor,
    ``…/id/anchor/{kind}-{slug}-{n}``, numbered in text order.
    """
    from rdflib import Namespace, URIRef

    pk = Namespace(ONTOLOGY)
    anchor_nodes = set(curated.objects(None, pk.evidence))
    pending: dict[Node, list[tuple[int, int]]] = {}
    count = 0
    for subject, quote in sorted(curated.subject_objects(pk.quote)):
        where = origin(subject) or "graph"
        owner = f"{where}: {compact(str(subject))}"
        if subject in anchor_nodes:
            occurrence = curated.value(subject, pk.occurrence)
            span = find_quote(seg.text, str(quote),
                              int(occurrence) if occurrence is not None else None, owner)
            write_anchor(out, str(subject), source, seg, *span)
            count += 1
        else:
            pending.setdefault(subject, []).append(find_quote(seg.text, str(quote), None, owner))
    for subject, spans in sorted(pending.items()):
        slug = slug_of(subject, origin(subject) or "graph")
        for n, (start, end) in enumerate(sorted(set(spans)), 1):
            anchor = f"{ID}anchor/{slug}-{n}"
            out.add((subject, pk.evidence, URIRef(anchor)))
            write_anchor(out, anchor, source, seg, start, end)
            count += 1
    return count
