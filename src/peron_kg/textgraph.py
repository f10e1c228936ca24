"""What the build derives from the source text, into the ``text`` named graph.

For each source text: its full text (``rdf:value``), its sections and blocks with their
offsets, an anchor for every curated quotation, and a mention annotation for every place the
text names an entity. Nothing here is hand-edited; ``graph/source/*.tsv`` steer it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .namespaces import ID, ONTOLOGY, PREFIXES

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from .loading import Assembled
    from .mentions import Coverage, Mention
    from .project import Project
    from .segments import Block, Segmentation
    from .sourcetext import SourceText

STRUCTURE_FILE = "structure.tsv"
OVERRIDES_FILE = "mention-overrides.tsv"
NOT_ENTITIES_FILE = "not-entities.tsv"
BLOCK_CLASSES = {"paragraph": "Paragraph", "heading": "Heading", "apparatus": "Apparatus"}


def text_slug(source: Node) -> str:
    return str(source).rsplit("/", 1)[-1]


def block_iri(source: Node, block: Block) -> str:
    return f"{ID}paragraph/{text_slug(source)}-{block.order:03d}"


def section_iri(source: Node, slug: str) -> str:
    return f"{ID}section/{text_slug(source)}-{slug}"


@dataclass
class TextModel:
    """What was derived from one source text, kept for ``validate`` and ``stats``."""

    source: SourceText
    segmentation: Segmentation
    mentions: list[Mention] = field(default_factory=list)
    coverage: Coverage | None = None
    anchors: int = 0


def write_segments(out: Graph, source: Node, seg: Segmentation) -> None:
    from rdflib import RDF, Literal, Namespace, URIRef
    from rdflib.namespace import SKOS, XSD

    pk = Namespace(ONTOLOGY)

    def offsets(node, order: int, start: int, end: int) -> None:
        out.add((node, pk.order, Literal(order, datatype=XSD.nonNegativeInteger)))
        out.add((node, pk.start, Literal(start, datatype=XSD.nonNegativeInteger)))
        out.add((node, pk.end, Literal(end, datatype=XSD.nonNegativeInteger)))
        out.add((node, pk.sourceText, source))

    out.add((source, RDF.value, Literal(seg.text)))
    for section in seg.sections:
        node = URIRef(section_iri(source, section.slug))
        out.add((node, RDF.type, pk.Section))
        out.add((node, SKOS.prefLabel, Literal(section.title, lang="en")))
        offsets(node, section.order, section.start, section.end)
    for block in seg.blocks:
        node = URIRef(block_iri(source, block))
        out.add((node, RDF.type, pk[BLOCK_CLASSES[block.kind]]))
        kind = "apparatus" if block.kind == "apparatus" else block.kind
        out.add((node, SKOS.prefLabel, Literal(f"{kind} {block.order}", lang="en")))
        out.add((node, RDF.value, Literal(seg.block_text(block))))
        offsets(node, block.order, block.start, block.end)
        if block.section is not None:
            section = next(s for s in seg.sections if s.order == block.section)
            out.add((node, pk.inSection, URIRef(section_iri(source, section.slug))))


def entity_labels(curated: Graph) -> dict[str, set[str]]:
    """Label -> entities, from the prefLabels and altLabels of the curated resources."""
    from rdflib.namespace import SKOS

    from .namespaces import DATASET_IRI

    labels: dict[str, set[str]] = {}
    for prop in (SKOS.prefLabel, SKOS.altLabel):
        for subject, label in curated.subject_objects(prop):
            iri = str(subject)
            if iri == DATASET_IRI or not iri.startswith(("http://", "https://")):
                continue
            labels.setdefault(str(label), set()).add(iri)
    return labels


def write_mentions(out: Graph, source: Node, seg: Segmentation, mentions: list[Mention]) -> None:
    from rdflib import RDF, URIRef
    from rdflib import Namespace as NS

    from .anchors import write_anchor

    oa = NS(PREFIXES["oa"])
    counters: dict[str, int] = {}
    for m in mentions:
        entity = m.entity
        name = entity[len(ID) :].replace("/", "-") if entity.startswith(ID) else _external(entity)
        counters[name] = counters.get(name, 0) + 1
        mention = URIRef(f"{ID}mention/{name}-{counters[name]}")
        target = f"{ID}anchor/mention-{name}-{counters[name]}"
        out.add((mention, RDF.type, oa.Annotation))
        out.add((mention, oa.motivatedBy, oa.identifying))
        out.add((mention, oa.hasBody, URIRef(entity)))
        out.add((mention, oa.hasTarget, URIRef(target)))
        write_anchor(out, target, source, seg, m.start, m.end)


def _external(iri: str) -> str:
    """A slug for a resource outside our IRI space (e.g. the ETOL web page)."""
    from .segments import slugify

    return "web-" + slugify(iri.split("://", 1)[-1])[:60]


def generate_text_graph(project: Project, assembled: Assembled) -> list[TextModel]:
    """Derive the text graph; return what was derived, one model per source text."""
    from rdflib import Graph

    from .anchors import anchor_quotes
    from .engines import expand_iri
    from .mentions import coverage, find_mentions, read_not_entities, read_overrides
    from .segments import read_structure, segment
    from .sourcetext import source_texts, verify

    models = []
    out = assembled.graph("text")
    curated = Graph()
    for role in ("data", "links"):
        for triple in assembled.graph(role):
            curated.add(triple)
    sources = source_texts(project, assembled)
    structure_path = project.source_dir / STRUCTURE_FILE
    for source in sources:
        verify(project, source)
        text = source.read()
        structure = read_structure(structure_path, project.relative(structure_path))
        seg = segment(text, structure, project.relative(structure_path))
        write_segments(out, source.node, seg)
        model = TextModel(source, seg)
        if len(sources) == 1:
            model.anchors = anchor_quotes(curated, out, source.node, seg, assembled.origin)
            overrides_path = project.source_dir / OVERRIDES_FILE
            overrides = read_overrides(overrides_path, project.relative(overrides_path),
                                       expand_iri)
            model.mentions = find_mentions(
                text, entity_labels(curated), overrides, project.relative(overrides_path)
            )
            write_mentions(out, source.node, seg, model.mentions)
            not_entities_path = project.source_dir / NOT_ENTITIES_FILE
            model.coverage = coverage(
                seg, model.mentions,
                read_not_entities(not_entities_path, project.relative(not_entities_path)),
            )
        models.append(model)
    assembled.text_models = models
    return models
