"""Links to Wikidata: check them, suggest new ones, refresh the snapshot; all over SPARQL.

The graph links an entity to a Wikidata item with ``owl:sameAs`` (people, organisations,
places), ``skos:exactMatch`` or ``skos:closeMatch``. The project keeps a small snapshot of the
linked items (``graph/wikidata-snapshot.ttl``, the named graph ``…/graph/wikidata``) in
Wikidata's own RDF vocabulary: ``rdfs:label``, ``skos:altLabel``, ``schema:description`` (with
Wikidata's ``http://schema.org/``), ``wdt:P31``, ``wdt:P569``, ``wdt:P570``, and the English
Wikipedia article about the item (``schema:about``, ``schema:name``). Every fact is also
an ``rdf:Statement`` that says where it came from (``prov:wasDerivedFrom`` a source with
Wikidata's reference properties: ``pr:P854`` reference URL, ``pr:P813`` retrieved).

The same SPARQL queries run on the snapshot (in pyoxigraph) and on an endpoint (through
SPARQLWrapper, see :func:`peron_kg.engines.run_endpoint`): POST, at most :data:`MAX_BATCH`
QIDs in a ``VALUES`` block a query, one request at a time, our User-Agent, a timeout, and
back-off on HTTP 429 and 503.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .namespaces import ID, PREFIXES

if TYPE_CHECKING:
    from .engines import Result, Retry
    from .loading import Assembled
    from .project import Project

WDQS = "https://query.wikidata.org/sparql"
WD = PREFIXES["wd"]
WDT = PREFIXES["wdt"]
#: Wikidata writes descriptions with http://schema.org/, not the https of our own data.
WD_SCHEMA = "http://schema.org/"
PR = "http://www.wikidata.org/prop/reference/"
RDFS = PREFIXES["rdfs"]
SKOS = PREFIXES["skos"]
OWL = PREFIXES["owl"]
RDF = PREFIXES["rdf"]
PK = PREFIXES["pk"]
PROV = PREFIXES["prov"]
SCHEMA = PREFIXES["schema"]
XSD = PREFIXES["xsd"]

#: The most QIDs one query names in its VALUES block.
MAX_BATCH = 200
#: Languages of the labels, aliases and descriptions we keep.
LANGUAGES = ("en", "es")
LINK_PROPERTIES = (OWL + "sameAs", SKOS + "exactMatch", SKOS + "closeMatch")
#: The facts a snapshot keeps, by the short name the snapshot's fact IRIs use.
FACTS = {
    "label": RDFS + "label",
    "alias": SKOS + "altLabel",
    "description": WD_SCHEMA + "description",
    "P31": WDT + "P31",
    "P279": WDT + "P279",
    "P569": WDT + "P569",
    "P570": WDT + "P570",
    #: an English Wikipedia article about the item (Wikidata's sitelink: schema:about)
    "sitelink": WD_SCHEMA + "about",
}
ENWIKI = "https://en.wikipedia.org/"
FACT_OF = {iri: name for name, iri in FACTS.items()}
FACT_IRI = ID + "wikidata-fact/"
SOURCE_IRI = ID + "wikidata-source/"
SNAPSHOT_IRI = ID + "dataset/wikidata-snapshot"
_QID = re.compile(r"^Q[1-9][0-9]*$")


def qid_of(iri: str) -> str | None:
    """The QID of a Wikidata item IRI, else None.

    >>> qid_of("http://www.wikidata.org/entity/Q414"), qid_of("https://example.org/Q1")
    ('Q414', None)
    """
    if iri.startswith(WD) and _QID.match(iri[len(WD):]):
        return iri[len(WD):]
    return None


def fold(text: str) -> str:
    """A name for comparison: no accents, no case, punctuation as space.

    >>> fold("  Juan Domingo Perón "), fold("O'Callaghan"), fold("Unión Cívica Radical")
    ('juan domingo peron', 'o callaghan', 'union civica radical')
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", bare.casefold()).split())


# --- what the graph links ----------------------------------------------------------------------


@dataclass
class Entity:
    """One entity of our graph, with what the checks compare."""

    iri: str
    label: str
    labels: set[str] = field(default_factory=set)
    #: the languages of those labels
    languages: set[str] = field(default_factory=set)
    #: our classes, asserted and inherited, each with its distance from an asserted one
    classes: dict[str, int] = field(default_factory=dict)
    #: (date, what) of the events and regimes the entity acts in, for people
    acts: list[tuple[str, str]] = field(default_factory=list)
    #: (property, QID) of each Wikidata link
    links: list[tuple[str, str]] = field(default_factory=list)


def entities(assembled: Assembled) -> list[Entity]:
    """Every typed entity of the data and links graphs, with labels, classes, acts and links."""
    from rdflib import URIRef

    union = assembled.union()
    ontology = assembled.graph("ontology")
    rdf_type = URIRef(RDF + "type")
    found: dict[str, Entity] = {}
    for subject, cls in union.subject_objects(rdf_type):
        s, c = str(subject), str(cls)
        if not s.startswith(ID) or not c.startswith(PK):
            continue
        label = union.value(subject, URIRef(SKOS + "prefLabel"))
        if label is None:
            continue
        entity = found.setdefault(s, Entity(s, str(label)))
        for sup, distance in superclasses(ontology, c).items():
            entity.classes[sup] = min(distance, entity.classes.get(sup, distance))
    for entity in found.values():
        node = URIRef(entity.iri)
        for prop in ("prefLabel", "altLabel", "hiddenLabel"):
            for o in union.objects(node, URIRef(SKOS + prop)):
                entity.labels.add(str(o))
                entity.languages.add(getattr(o, "language", None) or "")
        for prop in LINK_PROPERTIES:
            for o in union.objects(node, URIRef(prop)):
                qid = qid_of(str(o))
                if qid:
                    entity.links.append((prop, qid))
        for act_prop in (PROV + "wasAssociatedWith", PK + "headOfRegime"):
            for act in union.subjects(URIRef(act_prop), node):
                start = union.value(act, URIRef(SCHEMA + "startDate"))
                if start is not None:
                    entity.acts.append((str(start), str(act)))
        entity.links.sort()
        entity.acts.sort()
    return [found[k] for k in sorted(found)]


def superclasses(ontology, cls: str) -> dict[str, int]:
    """A class and its ``rdfs:subClassOf`` ancestors in our ontology, each with its distance."""
    from rdflib import URIRef

    seen: dict[str, int] = {}
    todo = [(cls, 0)]
    while todo:
        c, d = todo.pop(0)
        if c in seen:
            continue
        seen[c] = d
        todo.extend((str(o), d + 1)
                    for o in ontology.objects(URIRef(c), URIRef(RDFS + "subClassOf"))
                    if str(o).startswith(PK))
    return seen


# --- the classes each of our classes may link to ----------------------------------------------


@dataclass
class TypeRules:
    """For each of our classes, the Wikidata classes its entities may be instances of."""

    allowed: dict[str, set[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def for_entity(self, classes: dict[str, int]) -> set[str] | None:
        """The allowed Wikidata classes for an entity of these classes: those of its nearest
        classes that have rules (a country's, not a place's); None when none has.

        >>> rules = TypeRules({PK + "Place": {"Q1"}, PK + "Country": {"Q2"}})
        >>> rules.for_entity({PK + "Country": 0, PK + "Polity": 1, PK + "Place": 2})
        {'Q2'}
        >>> rules.for_entity({PK + "Region": 0, PK + "Place": 1})
        {'Q1'}
        >>> rules.for_entity({PK + "Concept": 0}) is None
        True
        """
        ranked = {c: d for c, d in classes.items() if c in self.allowed}
        if not ranked:
            return None
        nearest = min(ranked.values())
        out: set[str] = set()
        for c, d in ranked.items():
            if d == nearest:
                out |= self.allowed[c]
        return out

    def name(self, qid: str) -> str:
        return f"{qid} ({self.labels[qid]})" if qid in self.labels else qid


def read_type_rules(project: Project) -> TypeRules:
    """``ontology/wikidata-types.tsv``: our class, a Wikidata class QID, its label, its source."""
    from .tsv import rows

    path = project.wikidata_types
    label = project.relative(path)
    rules = TypeRules()
    for n, fields in rows(path, label, required=True):
        if len(fields) < 4 or not all(f.strip() for f in fields[:4]):
            raise InputError(f"{label}:{n}: expected 4 tab-separated fields: our class, a "
                             "Wikidata class QID, its label, its source")
        ours, qid, name = fields[0].strip(), fields[1].strip(), fields[2].strip()
        if not ours.startswith("pk:"):
            raise InputError(f"{label}:{n}: {ours!r} is not one of our classes (pk:…)")
        if not _QID.match(qid):
            raise InputError(f"{label}:{n}: {qid!r} is not a QID")
        rules.allowed.setdefault(PK + ours[3:], set()).add(qid)
        rules.labels[qid] = name
    return rules


# --- items: what Wikidata (or the snapshot) says -----------------------------------------------


@dataclass
class Item:
    """What a source says of one Wikidata item."""

    qid: str
    labels: dict[str, list[str]] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    descriptions: dict[str, list[str]] = field(default_factory=dict)
    types: set[str] = field(default_factory=set)
    born: list[str] = field(default_factory=list)
    died: list[str] = field(default_factory=list)
    #: titles of the item's Wikipedia articles, by language (sitelinks)
    sitelinks: dict[str, list[str]] = field(default_factory=dict)
    #: the IRIs of those articles
    articles: list[str] = field(default_factory=list)

    def names(self, languages: Iterable[str] | None = None, titles: bool = True) -> list[str]:
        """Labels, aliases and (with ``titles``) article titles, in the given languages
        (default: all)."""
        out = []
        for d in (self.labels, self.aliases, self.sitelinks if titles else {}):
            for lang in sorted(d):
                if languages is None or lang in languages:
                    out.extend(d[lang])
        return out

    def label(self, lang: str = "en") -> str:
        for d in (self.labels, self.aliases, self.sitelinks):
            for key in (lang, *sorted(d)):
                if d.get(key):
                    return d[key][0]
        return ""

    def description(self) -> str:
        for key in ("en", *sorted(self.descriptions)):
            if self.descriptions.get(key):
                return self.descriptions[key][0]
        return ""


def batches(values: list[str], size: int = MAX_BATCH) -> Iterator[list[str]]:
    """Consecutive slices of at most ``size`` values.

    >>> [len(b) for b in batches([str(i) for i in range(450)])]
    [200, 200, 50]
    """
    if size < 1:
        raise ValueError("batch size must be at least 1")
    for i in range(0, len(values), size):
        yield values[i:i + size]


def items_query(qids: list[str]) -> str:
    """One query for the labels, aliases, descriptions, P31, P569, P570 and English Wikipedia
    article (its title) of some items."""
    if len(qids) > MAX_BATCH:
        raise ValueError(f"at most {MAX_BATCH} QIDs a query, not {len(qids)}")
    values = " ".join(f"wd:{q}" for q in qids)
    langs = ", ".join(f'"{lang}"' for lang in LANGUAGES)
    return f"""PREFIX rdfs: <{RDFS}>
PREFIX schema: <{WD_SCHEMA}>
PREFIX skos: <{SKOS}>
PREFIX wd: <{WD}>
PREFIX wdt: <{WDT}>
SELECT ?item ?fact ?value ?article WHERE {{
  VALUES ?item {{ {values} }}
  {{ ?item rdfs:label ?value . BIND("label" AS ?fact) FILTER(LANG(?value) IN ({langs})) }}
  UNION {{ ?item skos:altLabel ?value . BIND("alias" AS ?fact) FILTER(LANG(?value) IN ({langs})) }}
  UNION {{ ?item schema:description ?value . BIND("description" AS ?fact)
           FILTER(LANG(?value) IN ({langs})) }}
  UNION {{ ?item wdt:P31 ?value . BIND("P31" AS ?fact) }}
  UNION {{ ?item wdt:P569 ?value . BIND("P569" AS ?fact) }}
  UNION {{ ?item wdt:P570 ?value . BIND("P570" AS ?fact) }}
  UNION {{ ?article schema:about ?item ; schema:isPartOf <{ENWIKI}> ; schema:name ?value .
           BIND("sitelink" AS ?fact) }}
}}
"""


def superclass_query(types: list[str], classes: list[str]) -> str:
    """Which of ``classes`` each of ``types`` is a subclass of (``wdt:P279+``)."""
    return f"""PREFIX wd: <{WD}>
PREFIX wdt: <{WDT}>
SELECT DISTINCT ?type ?class WHERE {{
  VALUES ?type {{ {" ".join(f"wd:{q}" for q in types)} }}
  VALUES ?class {{ {" ".join(f"wd:{q}" for q in classes)} }}
  ?type wdt:P279+ ?class .
}}
"""


def mwapi_query(text: str, language: str = "en", limit: int = 5) -> str:
    """Wikidata's own entity search, through the query service's ``mwapi`` service."""
    from .engines import term_to_sparql

    search = term_to_sparql({"type": "literal", "value": text})
    return f"""PREFIX bd: <http://www.bigdata.com/rdf#>
PREFIX mwapi: <https://www.mediawiki.org/ontology#API/>
PREFIX wikibase: <http://wikiba.se/ontology#>
SELECT ?item ?ordinal WHERE {{
  SERVICE wikibase:mwapi {{
    bd:serviceParam wikibase:endpoint "www.wikidata.org" ;
                    wikibase:api "EntitySearch" ;
                    mwapi:search {search} ;
                    mwapi:language "{language}" ;
                    mwapi:limit "{int(limit)}" .
    ?item wikibase:apiOutputItem mwapi:item .
    ?ordinal wikibase:apiOrdinal true .
  }}
}}
ORDER BY ?ordinal
"""


def label_match_query(needles: list[str], limit: int = 1000) -> str:
    """Items any of whose labels or aliases contains one of ``needles`` (lower case): the
    search for an endpoint without ``mwapi``, such as a local Oxigraph."""
    from .engines import term_to_sparql

    values = " ".join(term_to_sparql({"type": "literal", "value": n.lower()}) for n in needles)
    return f"""PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
SELECT DISTINCT ?needle ?item WHERE {{
  VALUES ?needle {{ {values} }}
  ?item rdfs:label|skos:altLabel ?name .
  FILTER(STRSTARTS(STR(?item), "{WD}"))
  FILTER(CONTAINS(LCASE(STR(?name)), ?needle))
}}
ORDER BY ?needle ?item
LIMIT {int(limit)}
"""


class Source:
    """Where item facts come from: the snapshot (in pyoxigraph) or a SPARQL endpoint."""

    def __init__(self, run: Callable[[str, str], Result], name: str, *,
                 is_wdqs: bool = False) -> None:
        self._run = run
        self.name = name
        self.is_wdqs = is_wdqs
        #: the requests sent, for the record (and the tests)
        self.requests = 0

    def select(self, text: str, label: str) -> list[dict]:
        self.requests += 1
        return self._run(text, label).rows

    @classmethod
    def endpoint(cls, url: str, *, retry: Retry | None = None,
                 timeout: float | None = None) -> Source:
        from urllib.parse import urlsplit

        from .engines import ENDPOINT_TIMEOUT_S, check_endpoint_url, run_endpoint

        check_endpoint_url(url)
        wait = ENDPOINT_TIMEOUT_S if timeout is None else timeout

        def run(text: str, label: str) -> Result:
            return run_endpoint(text, url, {}, label, retry=retry, timeout=wait)

        host = (urlsplit(url).hostname or "").lower()
        return cls(run, url, is_wdqs=host == "query.wikidata.org")

    @classmethod
    def snapshot(cls, project: Project) -> Source:
        """The snapshot file alone, in a pyoxigraph store."""
        import pyoxigraph as ox

        from .engines import run_oxigraph
        from .loading import parse_turtle

        path = project.wikidata_snapshot
        label = project.relative(path)
        graph = parse_turtle(path, label)  # a clear error for malformed Turtle
        store = ox.Store()
        store.bulk_load(input=graph.serialize(format="nt", encoding="utf-8"),
                        format=ox.RdfFormat.N_TRIPLES)

        def run(text: str, query_label: str) -> Result:
            return run_oxigraph(text, store, {}, query_label)

        return cls(run, label)


def fetch_items(source: Source, qids: Iterable[str]) -> dict[str, Item]:
    """Every fact the source holds about the items, in batches of at most MAX_BATCH."""
    wanted = sorted(set(qids), key=lambda q: int(q[1:]))
    items: dict[str, Item] = {}
    for batch in batches(wanted):
        for row in source.select(items_query(batch), "wikidata items"):
            qid = qid_of(row["item"]["value"])
            if qid is None or "value" not in row:
                continue
            item = items.setdefault(qid, Item(qid))
            fact, value = row["fact"]["value"], row["value"]
            if fact in ("label", "alias", "description"):
                lang = value.get("xml:lang", "")
                bucket = {"label": item.labels, "alias": item.aliases,
                          "description": item.descriptions}[fact]
                bucket.setdefault(lang, [])
                if value["value"] not in bucket[lang]:
                    bucket[lang].append(value["value"])
            elif fact == "P31":
                t = qid_of(value["value"])
                if t:
                    item.types.add(t)
            elif fact in ("P569", "P570"):
                (item.born if fact == "P569" else item.died).append(value["value"])
            elif fact == "sitelink":
                titles = item.sitelinks.setdefault("en", [])
                if value["value"] not in titles:
                    titles.append(value["value"])
                if "article" in row and row["article"]["value"] not in item.articles:
                    item.articles.append(row["article"]["value"])
    for item in items.values():
        for d in (item.labels, item.aliases, item.descriptions, item.sitelinks):
            for lang in d:
                d[lang].sort()
        item.born.sort()
        item.died.sort()
        item.articles.sort()
    return items


def superclasses_of(source: Source, types: Iterable[str], classes: Iterable[str]
                    ) -> dict[str, set[str]]:
    """For each type, which of ``classes`` it is a subclass of, as far as the source knows."""
    types, classes = sorted(set(types)), sorted(set(classes))
    found: dict[str, set[str]] = {}
    if not types or not classes:
        return found
    for batch in batches(types, MAX_BATCH // 2):
        for cbatch in batches(classes, MAX_BATCH // 2):
            for row in source.select(superclass_query(batch, cbatch), "wikidata classes"):
                t, c = qid_of(row["type"]["value"]), qid_of(row["class"]["value"])
                if t and c:
                    found.setdefault(t, set()).add(c)
    return found


# --- check --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One result of checking a link: a mismatch (exit 1) or a fact we could not check."""

    entity: str
    qid: str
    aspect: str  # item, label, type, date
    reason: str
    mismatch: bool = True


def names_match(a: str, b: str) -> bool:
    """Whether two names name the same thing: equal without accents and case, or the words of
    the shorter (two or more) all among the longer's, as with a middle name or a qualifier.

    >>> names_match("Juan Perón", "Juan Domingo Peron"), names_match("UCR", "ucr")
    (True, True)
    >>> names_match("Socialist Party", "Socialist Party of Argentina")
    True
    >>> names_match("Brazil", "Hipólito Yrigoyen"), names_match("Party", "Socialist Party")
    (False, False)
    """
    fa, fb = fold(a), fold(b)
    if fa == fb:
        return True
    short, long_ = sorted((fa.split(), fb.split()), key=len)
    return len(short) >= 2 and set(short) <= set(long_)


def _year(date: str) -> int | None:
    m = re.match(r"^(-?\d{4,})", date.strip())
    return int(m[1]) if m else None


def born_after(birth: str, act: str) -> bool:
    """Whether a birth date comes after an act's date; partial dates compare by what they give.

    >>> born_after("1895-10-08T00:00:00Z", "1943-06-04"), born_after("1950-01-01", "1943")
    (False, True)
    >>> born_after("1943-07-01", "1943"), born_after("1943-07-01", "1943-06-04")
    (False, True)
    """
    by, ay = _year(birth), _year(act)
    if by is None or ay is None:
        return False
    if by != ay:
        return by > ay
    b, a = birth[:10], act[:10]
    if len(a) < 10 or len(b) < 10:
        return False  # the same year, and one date gives no day: not a contradiction
    return b > a


def check_links(people_and_things: list[Entity], items: dict[str, Item], rules: TypeRules,
                supers: dict[str, set[str]]) -> list[Finding]:
    """Compare each link with what the source says of its item: label, type, dates."""
    from .namespaces import compact

    out: list[Finding] = []
    for entity in people_and_things:
        who = compact(entity.iri)
        for _prop, qid in entity.links:
            item = items.get(qid)
            if item is None:
                out.append(Finding(who, qid, "item", "the source holds nothing about this item "
                                   "(no label, no type): a wrong QID, or one missing from the "
                                   "snapshot"))
                continue
            # label: any of ours against any of theirs (article titles too); a miss counts only
            # when Wikidata has a label in a language of ours (a Spanish label alone is no
            # reason to doubt an English one, nor is an English article with a Spanish title)
            theirs = item.names()
            if not theirs:
                out.append(Finding(who, qid, "label", "no label to compare", mismatch=False))
            elif not any(names_match(a, b) for a in entity.labels for b in theirs):
                comparable = item.names(entity.languages, titles=False)
                if comparable:
                    out.append(Finding(who, qid, "label", f"our labels ({_list(entity.labels)}) "
                                       f"match none of Wikidata's ({_list(comparable)})"))
                else:
                    out.append(Finding(who, qid, "label", "no label in a language of ours "
                                       f"to compare (only {_list(theirs)})", mismatch=False))
            # type
            allowed = rules.for_entity(entity.classes)
            if allowed is None:
                pass  # no rule for this kind of entity (concepts, for one)
            elif not item.types:
                out.append(Finding(who, qid, "type", "no instance of (P31) to compare",
                                   mismatch=False))
            else:
                reach = set(item.types)
                for t in item.types:
                    reach |= supers.get(t, set())
                if not reach & allowed:
                    nearest = min(d for c, d in entity.classes.items() if c in rules.allowed)
                    kinds = ", ".join(sorted(compact(c) for c, d in entity.classes.items()
                                             if c in rules.allowed and d == nearest))
                    out.append(Finding(
                        who, qid, "type",
                        f"instance of {_list(rules.name(t) for t in item.types)}, but a "
                        f"{kinds} must be an instance of "
                        f"{_list(rules.name(t) for t in allowed)} (or a subclass)"))
            # dates: a person is born before the events they act in
            if PK + "Person" in entity.classes and entity.acts:
                if not item.born:
                    out.append(Finding(who, qid, "date", "no date of birth (P569) to compare",
                                       mismatch=False))
                else:
                    birth = item.born[0]
                    for when, act in entity.acts:
                        if born_after(birth, when):
                            out.append(Finding(who, qid, "date",
                                               f"born {birth[:10]}, after {compact(act)} "
                                               f"({when})"))
                            break
    return out


def _list(values: Iterable[str]) -> str:
    vals = sorted(set(values))
    return ", ".join(f"'{v}'" if not _QID.match(v.split(" ")[0]) else v for v in vals)


def check(project: Project, source: Source) -> tuple[list[Finding], int]:
    """Check every link of the graph against the source; the findings and the links checked."""
    from .loading import load

    assembled = load(project, generate=False)
    found = entities(assembled)
    rules = read_type_rules(project)
    qids = {qid for e in found for _, qid in e.links}
    items = fetch_items(source, qids)
    types = {t for item in items.values() for t in item.types}
    classes = {c for allowed in rules.allowed.values() for c in allowed}
    supers = superclasses_of(source, types - classes, classes)
    links = sum(len(e.links) for e in found)
    return check_links(found, items, rules, supers), links


# --- suggest ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    entity: str
    label: str
    qid: str
    item_label: str
    description: str
    score: float
    why: str


def score(entity: Entity, item: Item, rules: TypeRules, supers: dict[str, set[str]]
          ) -> tuple[float, str]:
    """How well an item fits an entity, from 0 to 1: 0.8 for the best label likeness (difflib's
    ratio of folded names), 0.2 for the type (0.1 when unknown).

    >>> e = Entity("x", "Brazil", {"Brazil"}, {"en"}, {PK + "Country": 0})
    >>> rules = TypeRules({PK + "Country": {"Q6256"}}, {"Q6256": "country"})
    >>> score(e, Item("Q155", labels={"en": ["Brazil"]}, types={"Q6256"}), rules, {})
    (1.0, 'label 1.00, type fits')
    >>> score(e, Item("Q1", labels={"en": ["Brazil nut"]}, types={"Q5"}), rules, {})
    (0.6, 'label 0.75, type does not fit')
    """
    names = item.names()
    likeness = max((difflib.SequenceMatcher(None, fold(a), fold(b)).ratio()
                    for a in entity.labels for b in names), default=0.0)
    allowed = rules.for_entity(entity.classes)
    if allowed is None or not item.types:
        fit, why = 0.5, "type unknown"
    else:
        reach = set(item.types)
        for t in item.types:
            reach |= supers.get(t, set())
        fit, why = (1.0, "type fits") if reach & allowed else (0.0, "type does not fit")
    return round(0.8 * likeness + 0.2 * fit, 2), f"label {likeness:.2f}, {why}"


def suggest(project: Project, source: Source, *, limit: int = 3, search: str = "auto",
            only: Iterable[str] = ()) -> list[Suggestion]:
    """Candidates for the entities that have no link, best first; nothing is written."""
    from .loading import load
    from .namespaces import compact

    if search == "auto":
        search = "mwapi" if source.is_wdqs else "label"
    if search not in ("mwapi", "label"):
        raise InputError(f"unknown search {search!r}; choose mwapi or label")
    assembled = load(project, generate=False)
    rules = read_type_rules(project)
    wanted = set(only)
    unlinked = [e for e in entities(assembled)
                if not e.links and (not wanted or compact(e.iri) in wanted or e.iri in wanted)]
    if wanted and not unlinked:
        raise InputError(f"no unlinked entity named {', '.join(sorted(wanted))}")
    candidates: dict[str, list[str]] = {}
    if search == "mwapi":
        for e in unlinked:
            rows = source.select(mwapi_query(e.label, limit=max(limit, 5)), "wikidata search")
            candidates[e.iri] = [q for q in (qid_of(r["item"]["value"]) for r in rows
                                             if "item" in r) if q]
    else:
        needle_of: dict[str, list[str]] = {}
        for e in unlinked:
            for name in e.labels:
                if len(fold(name)) >= 3:
                    needle_of.setdefault(name.lower(), []).append(e.iri)
        for batch in batches(sorted(needle_of)):
            for row in source.select(label_match_query(batch), "wikidata label search"):
                qid = qid_of(row["item"]["value"])
                for iri in needle_of.get(row["needle"]["value"], []):
                    if qid and qid not in candidates.setdefault(iri, []):
                        candidates[iri].append(qid)
    items = fetch_items(source, {q for qs in candidates.values() for q in qs})
    classes = {c for allowed in rules.allowed.values() for c in allowed}
    types = {t for item in items.values() for t in item.types}
    supers = superclasses_of(source, types - classes, classes)
    out: list[Suggestion] = []
    for e in unlinked:
        ranked = []
        for qid in candidates.get(e.iri, []):
            item = items.get(qid, Item(qid))
            s, why = score(e, item, rules, supers)
            ranked.append(Suggestion(compact(e.iri), e.label, qid, item.label(),
                                     item.description(), s, why))
        ranked.sort(key=lambda x: (-x.score, int(x.qid[1:])))
        out.extend(ranked[:limit])
    return out


# --- the snapshot -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotSource:
    """Where facts were read: a reference URL, the day it was read, and a note."""

    slug: str
    url: str
    retrieved: str  # YYYY-MM-DD
    note: str = ""


@dataclass
class Fact:
    qid: str
    fact: str  # a key of FACTS
    value: str  # a QID for P31/P279, a date for P569/P570, an article URL for a sitelink, else text
    lang: str = ""
    sources: list[str] = field(default_factory=list)  # slugs of SnapshotSource


def _turtle_string(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r"))
    return f'"{escaped}"'


def article_iri(url: str) -> str:
    """An English Wikipedia article's IRI as Wikidata writes it, from any form of its URL.

    >>> article_iri("https://en.wikipedia.org/wiki/Socialist_Party_%28Argentina%29")
    'https://en.wikipedia.org/wiki/Socialist_Party_(Argentina)'
    """
    from urllib.parse import quote, unquote

    if not url.startswith(ENWIKI + "wiki/"):
        raise InputError(f"{url!r} is not an English Wikipedia article")
    title = unquote(url[len(ENWIKI + "wiki/"):]).replace(" ", "_")
    return ENWIKI + "wiki/" + quote(title, safe="()',!$*;:@/~-._")


def article_title(url: str) -> str:
    """The title of an English Wikipedia article, from its URL.

    >>> article_title("https://en.wikipedia.org/wiki/Socialist_Party_%28Argentina%29")
    'Socialist Party (Argentina)'
    """
    from urllib.parse import unquote

    return unquote(article_iri(url)[len(ENWIKI + "wiki/"):]).replace("_", " ")


def _object(fact: Fact) -> str:
    if fact.fact in ("P31", "P279"):
        if not _QID.match(fact.value):
            raise InputError(f"{fact.qid} {fact.fact}: {fact.value!r} is not a QID")
        return f"wd:{fact.value}"
    if fact.fact in ("P569", "P570"):
        date = fact.value[:10]
        if not re.match(r"^-?\d{4}-\d{2}-\d{2}$", date):
            raise InputError(f"{fact.qid} {fact.fact}: {fact.value!r} is not a date")
        return f'"{date}T00:00:00Z"^^xsd:dateTime'
    if not fact.lang:
        raise InputError(f"{fact.qid} {fact.fact}: {fact.value!r} needs a language")
    return f"{_turtle_string(fact.value)}@{fact.lang}"


def _fact_slug(fact: Fact) -> str:
    import hashlib

    if fact.fact in ("P31", "P279"):
        return f"{fact.qid}-{fact.fact}-{fact.value}"
    if fact.fact in ("P569", "P570"):
        return f"{fact.qid}-{fact.fact}-{fact.value[:10]}"
    if fact.fact == "sitelink":
        digest = hashlib.sha256(article_iri(fact.value).encode()).hexdigest()[:8]
        return f"{fact.qid}-sitelink-en-{digest}"
    digest = hashlib.sha256(f"{fact.value}@{fact.lang}".encode()).hexdigest()[:8]
    return f"{fact.qid}-{fact.fact}-{fact.lang}-{digest}"


def snapshot_turtle(facts: list[Fact], sources: list[SnapshotSource], *, comment: str = "",
                    created: str = "") -> str:
    """The snapshot as Turtle, byte for byte the same for the same facts."""
    by_slug = {s.slug: s for s in sources}
    merged: dict[tuple[str, str, str, str], Fact] = {}
    for f in facts:
        key = (f.qid, f.fact, f.value, f.lang)
        known = merged.setdefault(key, Fact(f.qid, f.fact, f.value, f.lang))
        for s in f.sources:
            if s not in by_slug:
                raise InputError(f"{f.qid} {f.fact}: unknown source {s!r}")
            if s not in known.sources:
                known.sources.append(s)
    ordered = sorted(merged.values(), key=lambda f: (int(f.qid[1:]), list(FACTS).index(f.fact),
                                                     f.lang, f.value))
    lines = [f"# {line}".rstrip() for line in comment.strip().splitlines()] if comment else []
    lines += [
        "",
        f"@prefix dcterms: <{PREFIXES['dcterms']}> .",
        f"@prefix fact:    <{FACT_IRI}> .",
        f"@prefix pr:      <{PR}> .",
        f"@prefix prov:    <{PROV}> .",
        f"@prefix rdf:     <{RDF}> .",
        f"@prefix rdfs:    <{RDFS}> .",
        f"@prefix schema:  <{WD_SCHEMA}> .",
        f"@prefix skos:    <{SKOS}> .",
        f"@prefix source:  <{SOURCE_IRI}> .",
        f"@prefix wd:      <{WD}> .",
        f"@prefix wdt:     <{WDT}> .",
        f"@prefix xsd:     <{XSD}> .",
        "",
        f"<{SNAPSHOT_IRI}>",
        "    a prov:Entity ;",
        '    rdfs:label "Wikidata snapshot of the items the graph links to"@en ;',
    ]
    if created:
        lines.append(f'    dcterms:created "{created}"^^xsd:date ;')
    used = sorted({s for f in ordered for s in f.sources})
    lines.append("    prov:wasDerivedFrom " + ", ".join(f"source:{s}" for s in used) + " .")
    lines.append("")
    lines.append("# --- sources " + "-" * 86)
    for slug in used:
        s = by_slug[slug]
        lines += ["", f"source:{slug}", "    a prov:Entity ;",
                  f"    pr:P854 <{s.url}> ;",
                  f'    pr:P813 "{s.retrieved}T00:00:00Z"^^xsd:dateTime'
                  + (" ;" if s.note else " .")]
        if s.note:
            lines.append(f"    rdfs:comment {_turtle_string(s.note)}@en .")
    current = None
    for f in ordered:
        if f.qid != current:
            current = f.qid
            lines += ["", "# --- " + f.qid + " " + "-" * (92 - len(f.qid))]
        sources = ", ".join(f"source:{s}" for s in sorted(f.sources))
        if f.fact == "sitelink":  # Wikidata's sitelink: the article is about the item
            iri, title = article_iri(f.value), _turtle_string(article_title(f.value))
            slug = _fact_slug(f)
            lines += ["", f"<{iri}> schema:about wd:{f.qid} ;",
                      f"    schema:isPartOf <{ENWIKI}> ;",
                      f"    schema:name {title}@en .",
                      f"fact:{slug} a rdf:Statement ;",
                      f"    rdf:subject <{iri}> ; rdf:predicate schema:about ; "
                      f"rdf:object wd:{f.qid} ;",
                      f"    prov:wasDerivedFrom {sources} .",
                      f"fact:{slug}-title a rdf:Statement ;",
                      f"    rdf:subject <{iri}> ; rdf:predicate schema:name ; "
                      f"rdf:object {title}@en ;",
                      f"    prov:wasDerivedFrom {sources} ."]
            continue
        obj = _object(f)
        pred = {"label": "rdfs:label", "alias": "skos:altLabel",
                "description": "schema:description"}.get(f.fact, f"wdt:{f.fact}")
        lines += ["", f"wd:{f.qid} {pred} {obj} .",
                  f"fact:{_fact_slug(f)} a rdf:Statement ;",
                  f"    rdf:subject wd:{f.qid} ; rdf:predicate {pred} ; rdf:object {obj} ;",
                  "    prov:wasDerivedFrom " + ", ".join(f"source:{s}" for s in sorted(f.sources))
                  + " ."]
    return "\n".join(lines) + "\n"


def refresh(project: Project, source: Source, retrieved: str) -> tuple[Path, int, int]:
    """Rebuild the snapshot from the endpoint: every linked item, and the classes of their
    types; written atomically. The path, the items and the facts written."""
    from .atomic import atomic_write_bytes
    from .loading import load

    assembled = load(project, generate=False)
    qids = {qid for e in entities(assembled) for _, qid in e.links}
    items = fetch_items(source, qids)
    rules = read_type_rules(project)
    slug = "endpoint-" + re.sub(r"[^a-z0-9]+", "-", source.name.lower()).strip("-")[:60]
    src = SnapshotSource(slug, source.name, retrieved,
                         f"Read from the SPARQL endpoint {source.name} by peron-kg link "
                         "wikidata --refresh.")
    facts: list[Fact] = []
    for item in items.values():
        for name, d in (("label", item.labels), ("alias", item.aliases),
                        ("description", item.descriptions)):
            for lang, values in d.items():
                facts += [Fact(item.qid, name, v, lang, [slug]) for v in values]
        facts += [Fact(item.qid, "P31", t, "", [slug]) for t in sorted(item.types)]
        facts += [Fact(item.qid, "P569", d[:10], "", [slug]) for d in item.born
                  if re.match(r"^-?\d{4}-\d{2}-\d{2}", d)]
        facts += [Fact(item.qid, "P570", d[:10], "", [slug]) for d in item.died
                  if re.match(r"^-?\d{4}-\d{2}-\d{2}", d)]
        facts += [Fact(item.qid, "sitelink", url, "en", [slug]) for url in item.articles]
    classes = {t for item in items.values() for t in item.types}
    classes |= {c for allowed in rules.allowed.values() for c in allowed}
    for cls in fetch_items(source, classes - set(items)).values():
        facts += [Fact(cls.qid, "label", v, "en", [slug]) for v in cls.labels.get("en", [])]
    comment = (f"A snapshot of Wikidata for the items the graph links to, rebuilt by "
               f"'peron-kg link wikidata --refresh' from {source.name} on {retrieved}.\n"
               "Each fact is also an rdf:Statement with its source (pr:P854 reference URL, "
               "pr:P813 retrieved).")
    text = snapshot_turtle(facts, [src], comment=comment, created=retrieved)
    atomic_write_bytes(project.wikidata_snapshot, text.encode("utf-8"))
    return project.wikidata_snapshot, len(items), len(facts)
