"""Run SPARQL on pyoxigraph (the default), on rdflib, or on a remote endpoint.

Every engine's answer is turned into the same :class:`Result`, whose rows are SPARQL 1.1 JSON
terms, so the engines can be compared and printed alike. Parameters are bound as RDF terms:
``initBindings`` on rdflib; on pyoxigraph and an endpoint, a ``VALUES`` block of escaped terms
placed first in the query's WHERE group (:func:`with_values`). Raw text is never pasted in.

The embedded engines would follow a ``SERVICE <iri>`` clause to any host, so a query file could
make this machine send requests anywhere; :func:`check_services` refuses, before evaluation,
every ``SERVICE`` whose host is not on an allow-list (by default Wikidata's query service only).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import __version__
from .errors import EndpointError, InputError, ServiceNotAllowed
from .namespaces import ID, PREFIXES

if TYPE_CHECKING:
    from .loading import Assembled
    from .queries import StoredQuery

ENGINES = ("oxigraph", "rdflib")
XSD = PREFIXES["xsd"]
RDF_LANGSTRING = PREFIXES["rdf"] + "langString"
USER_AGENT = (
    f"peron-kg/{__version__} (https://w3id.org/peron-kg; SPARQL client of a linked-data edition)"
)
ENDPOINT_TIMEOUT_S = 60
#: Hosts a ``SERVICE`` clause may call from the embedded engines unless told otherwise.
DEFAULT_SERVICE_HOSTS = ("query.wikidata.org",)

#: A term as the SPARQL 1.1 JSON results format writes it.
Term = dict


@dataclass
class Result:
    """The answer to a query: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT)."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None
    #: CONSTRUCT / DESCRIBE: the triples as sorted N-Triples
    ntriples: str = ""

    def to_json(self) -> dict:
        """The SPARQL 1.1 Query Results JSON document."""
        if self.kind == "ask":
            return {"head": {}, "boolean": bool(self.boolean)}
        return {"head": {"vars": list(self.variables)}, "results": {"bindings": self.rows}}


# --- parameters ----------------------------------------------------------------------------

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_DATE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$")


def expand_iri(value: str) -> str:
    """An IRI from a full IRI, a CURIE with a known prefix, or ``kind/slug``.

    >>> expand_iri("person/luis-velasco")
    'https://w3id.org/peron-kg/id/person/luis-velasco'
    >>> expand_iri("skos:prefLabel")
    'http://www.w3.org/2004/02/skos/core#prefLabel'
    """
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if "://" not in value:
        prefix, sep, local = value.partition(":")
        if sep and prefix in PREFIXES:
            value = PREFIXES[prefix] + local
        elif re.fullmatch(r"[a-z]+/[a-z0-9][a-z0-9-]*", value):
            value = ID + value
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or _IRI_FORBIDDEN.search(value):
        raise InputError(f"not a valid IRI: {value!r}")
    return value


def make_term(raw: str, type_: str, name: str) -> Term:
    """A parameter value as a typed term; bad values get a message naming the parameter."""
    try:
        if type_ == "iri":
            return {"type": "uri", "value": expand_iri(raw)}
        if type_ == "integer":
            return {"type": "literal", "value": str(int(raw)), "datatype": XSD + "integer"}
        if type_ == "date":
            if not _DATE.match(raw):
                raise InputError(f"not an xsd:date: {raw!r}")
            return {"type": "literal", "value": raw, "datatype": XSD + "date"}
    except (ValueError, InputError) as e:
        raise InputError(f"parameter {name!r}: {e}") from None
    return {"type": "literal", "value": raw}


def _looks_like_iri(raw: str) -> bool:
    """For a query without declared parameters: does a value look like an IRI, a CURIE or
    ``kind/slug``?

    >>> [_looks_like_iri(v) for v in ("person/abe-stein", "skos:prefLabel", "Abe Stein")]
    [True, True, False]
    """
    try:
        expand_iri(raw)
    except InputError:
        return False
    return True


def bind_params(query: StoredQuery, given: dict[str, str]) -> dict[str, Term]:
    """Typed terms for the parameters given on the command line, plus declared defaults."""
    declared = {p.name: p for p in query.header.params}
    bindings: dict[str, Term] = {}
    for name, raw in given.items():
        if declared and name not in declared:
            raise InputError(
                f"{query.name}: unknown parameter {name!r}; it takes {', '.join(declared)}"
            )
        if name in declared:
            type_ = declared[name].type
        else:  # an ad-hoc query file without a header: IRIs look like IRIs
            if not re.search(rf"[?$]{re.escape(name)}\b", query.text):
                raise InputError(f"{query.name}: the query has no variable ?{name} to bind")
            type_ = "iri" if _looks_like_iri(raw) else "string"
        bindings[name] = make_term(raw, type_, name)
    for name, param in declared.items():
        if name not in bindings and param.default is not None:
            bindings[name] = make_term(param.default, param.type, name)
    return bindings


def term_to_sparql(term: Term) -> str:
    """A term in SPARQL syntax, escaped, for a ``VALUES`` block."""
    if term["type"] == "uri":
        return f"<{expand_iri(term['value'])}>"
    value = term["value"]
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    text = f'"{escaped}"'
    if "xml:lang" in term:
        return text + "@" + term["xml:lang"]
    if "datatype" in term:
        return text + f"^^<{expand_iri(term['datatype'])}>"
    return text


# --- term conversion -------------------------------------------------------------------------


def _literal(value: str, datatype: str | None, language: str | None) -> Term:
    term: Term = {"type": "literal", "value": value}
    if language:
        term["xml:lang"] = language
    elif datatype and datatype not in (XSD + "string", RDF_LANGSTRING):
        term["datatype"] = datatype
    return term


def from_oxigraph(node) -> Term:
    import pyoxigraph as ox

    if isinstance(node, ox.NamedNode):
        return {"type": "uri", "value": node.value}
    if isinstance(node, ox.BlankNode):
        return {"type": "bnode", "value": node.value}
    return _literal(node.value, node.datatype.value, node.language)


def to_oxigraph(term: Term):
    import pyoxigraph as ox

    if term["type"] == "uri":
        return ox.NamedNode(term["value"])
    if term["type"] == "bnode":
        return ox.BlankNode(term["value"])
    if "xml:lang" in term:
        return ox.Literal(term["value"], language=term["xml:lang"])
    if "datatype" in term:
        return ox.Literal(term["value"], datatype=ox.NamedNode(term["datatype"]))
    return ox.Literal(term["value"])


def from_rdflib(node) -> Term:
    from rdflib import BNode, Literal, URIRef

    if isinstance(node, URIRef):
        return {"type": "uri", "value": str(node)}
    if isinstance(node, BNode):
        return {"type": "bnode", "value": str(node)}
    if isinstance(node, Literal):
        dt = str(node.datatype) if node.datatype is not None else None
        return _literal(str(node), dt, node.language)
    raise TypeError(f"not an RDF term: {node!r}")


def to_rdflib(term: Term):
    from rdflib import BNode, Literal, URIRef

    if term["type"] == "uri":
        return URIRef(term["value"])
    if term["type"] == "bnode":
        return BNode(term["value"])
    if "xml:lang" in term:
        return Literal(term["value"], lang=term["xml:lang"])
    if "datatype" in term:
        return Literal(term["value"], datatype=URIRef(term["datatype"]))
    return Literal(term["value"])


# --- engines ----------------------------------------------------------------------------------


def oxigraph_store(assembled: Assembled):
    """A pyoxigraph in-memory store holding the dataset, named graphs kept."""
    import pyoxigraph as ox

    store = ox.Store()
    data = assembled.dataset.serialize(format="nquads", encoding="utf-8")
    store.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)
    return store


def _syntax_error(label: str, line: int | None, column: int | None, why: str) -> InputError:
    where = f"{label}:{line}:{column}" if line else label
    return InputError(f"{where}: malformed SPARQL: {why}")


def run_oxigraph(text: str, store, bindings: dict[str, Term], label: str) -> Result:
    import pyoxigraph as ox

    try:  # pyoxigraph's own substitutions bind projected variables only; VALUES binds any
        answer = store.query(with_values(text, bindings), use_default_graph_as_union=True)
    except SyntaxError as e:
        raise _oxigraph_syntax_error(e, label, text) from None
    except (OSError, RuntimeError) as e:  # evaluation errors, e.g. a SERVICE that fails
        raise InputError(f"{label}: query failed: {e}") from None
    if isinstance(answer, ox.QueryBoolean):
        return Result("ask", boolean=bool(answer))
    try:  # solutions are computed lazily, so evaluation errors also surface while iterating
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows = []
            for solution in answer:
                row = {}
                for v in variables:
                    value = solution[v]
                    if value is not None:
                        row[v] = from_oxigraph(value)
                rows.append(row)
            return Result("select", variables, rows)
        lines = sorted({f"{t} ." for t in answer})
    except (OSError, RuntimeError) as e:
        raise InputError(f"{label}: query failed: {e}") from None
    return Result("graph", ntriples="".join(line + "\n" for line in lines))


def parse_sparql(text: str, label: str):
    """Parse with rdflib's SPARQL parser (no evaluation); a syntax error names line and column."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return parseQuery(text)
    except ParseException as e:
        raise _syntax_error(label, e.lineno, e.col, e.msg) from None


def _prefix_location(text: str, why: str) -> tuple[int | None, int | None]:
    """Where an unknown prefix named in rdflib's message is first used (rdflib gives no place).

    >>> _prefix_location("# foo: no\\nSELECT * { ?s foo:p ?o }", "Unknown namespace prefix : foo")
    (2, 15)
    """
    m = re.search(r"prefix\s*:\s*(\S*)", why)
    if not m:
        return None, None
    use = re.compile(rf"(?<![\w?$:-]){re.escape(m[1])}:")
    for n, line in enumerate(text.splitlines(), 1):
        code = line.split("#", 1)[0] if "<" not in line and '"' not in line else line
        found = use.search(code)
        if found:
            return n, found.start() + 1
    return None, None


def _oxigraph_syntax_error(error: SyntaxError, label: str, text: str = "") -> InputError:
    """One line for Oxigraph's syntax error, which lists what it expected over many lines.

    Where the error stands on a prefixed name whose prefix the query never declares, say so:
    that is the usual cause, and Oxigraph's list of expected characters does not name it.

    >>> q = "SELECT ?s WHERE {\\n  ?s skos:name ?n .\\n}"
    >>> str(_oxigraph_syntax_error(SyntaxError("error at 2:15: expected one of …"), "q.rq", q))
    'q.rq:2:15: malformed SPARQL: undeclared prefix skos: (add PREFIX skos: <…>)'
    """
    m = re.match(r"error at (\d+):(\d+): (.*)", str(error), re.S)
    if not m:
        return _syntax_error(label, None, None, " ".join(str(error).split()))
    line, column, why = int(m[1]), int(m[2]), " ".join(m[3].split())
    lines = text.splitlines()
    if 0 < line <= len(lines):
        # Oxigraph points at the colon, or just after the prefix; look back to the name's start.
        row = lines[line - 1]
        start = column - 1
        while start > 0 and re.match(r"[\w.:-]", row[start - 1]):
            start -= 1
        name = re.match(r"([A-Za-z][\w.-]*)?:", row[start:])
        declared = re.findall(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?:", text)
        if name and (name[1] or "") not in declared:
            prefix = name[1] or ""
            why = f"undeclared prefix {prefix}: (add PREFIX {prefix}: <…>)"
    return _syntax_error(label, line, column, why)


def run_rdflib(text: str, assembled: Assembled, bindings: dict[str, Term], label: str) -> Result:
    import pyoxigraph as ox
    from pyparsing import ParseException
    from rdflib import Variable
    from rdflib.plugins.sparql import prepareQuery

    # rdflib's parser knows prefixes no query declared (skos:, foaf:, schema: …), so a query
    # that Oxigraph and every endpoint refuse would run here. Oxigraph's strict parser goes
    # first, on an empty store; a query with SERVICE is left to rdflib, so that nothing is sent.
    if not re.search(r"service", _expand_codepoints(text), re.I):
        try:
            ox.Store().query(text)
        except SyntaxError as e:
            raise _oxigraph_syntax_error(e, label, text) from None

    try:  # no initNs: a prefix the query does not declare must fail here as on Oxigraph
        prepared = prepareQuery(text, initNs={})
    except ParseException as e:
        raise _syntax_error(label, e.lineno, e.col, e.msg) from None
    except Exception as e:  # rdflib's algebra raises plain exceptions, e.g. an unknown prefix
        why = " ".join(str(e).split())
        line, column = _prefix_location(text, why)
        raise _syntax_error(label, line, column, why) from None
    init = {Variable(k): to_rdflib(v) for k, v in bindings.items()}
    try:
        answer = assembled.dataset.query(prepared, initBindings=init)
        if answer.type == "SELECT":
            answer.bindings  # evaluate now, inside the try: rdflib is lazy  # noqa: B018
    except Exception as e:  # rdflib raises plain exceptions for evaluation errors
        raise InputError(f"{label}: rdflib could not evaluate the query: {e}") from None
    if answer.type == "ASK":
        return Result("ask", boolean=bool(answer.askAnswer))
    if answer.type == "SELECT":
        variables = [str(v) for v in answer.vars]
        rows = []
        for solution in answer:
            row = {}
            for v in variables:
                value = solution[v] if v in solution.labels else None
                if value is not None:
                    row[v] = from_rdflib(value)
            rows.append(row)
        return Result("select", variables, rows)
    data = answer.graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted({line for line in data.splitlines() if line.strip()})
    return Result("graph", ntriples="".join(line + "\n" for line in lines))


def query_form(parsed) -> str:
    """``select``, ``ask`` or ``graph`` for a query parsed by :func:`parse_sparql`."""
    name = parsed[1].name
    return {"SelectQuery": "select", "AskQuery": "ask"}.get(name, "graph")


_IRI_AT = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD_AT = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")


def where_group_start(text: str) -> int:
    """The index just inside the ``{`` that opens the query's WHERE group, or -1.

    Comments, strings, IRIs and variables are skipped, so a ``{`` or the word WHERE in them
    does not count. Without the keyword WHERE (``SELECT * { … }``), the first group counts.

    >>> q = 'SELECT ?x # where {\\nWHERE { ?x <http://a/{b}> "}" }'
    >>> q[where_group_start(q):]
    ' ?x <http://a/{b}> "}" }'
    >>> where_group_start("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    30
    """
    i, n, depth = 0, len(text), 0
    first_group, after_where = -1, False
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
            continue
        elif c == "<" and (m := _IRI_AT.match(text, i)):
            i = m.end()
            continue
        elif c in "?$":
            m = _WORD_AT.match(text, i + 1)
            i = m.end() if m else i + 1
            continue
        elif c == "{":
            if depth == 0:
                if after_where:
                    return i + 1
                if first_group < 0:
                    first_group = i + 1
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and (m := _WORD_AT.match(text, i)):
            if m.group().upper() == "WHERE":
                after_where = True
            i = m.end()
            continue
        i += 1
    return -1 if after_where else first_group


def with_values(text: str, bindings: dict[str, Term]) -> str:
    """The query with a ``VALUES`` block binding each parameter, placed first in its WHERE
    group, so that the group's filters see the bound values as they do with rdflib's
    ``initBindings`` (a trailing block would be joined only after them).

    >>> with_values("SELECT * { ?s ?p ?o }", {"s": {"type": "uri", "value": "http://a/b"}})
    'SELECT * { VALUES (?s) { (<http://a/b>) } ?s ?p ?o }'
    """
    if not bindings:
        return text
    names = sorted(bindings)
    head = " ".join(f"?{n}" for n in names)
    row = " ".join(term_to_sparql(bindings[n]) for n in names)
    block = f"VALUES ({head}) {{ ({row}) }}"
    at = where_group_start(text)
    if at < 0:  # no group found: the SPARQL 1.1 trailing form still binds the results
        return f"{text.rstrip()}\n{block}\n"
    return f"{text[:at]} {block}{text[at:]}"


# --- endpoints and SERVICE hosts ---------------------------------------------------------------


def check_endpoint_url(url: str) -> str:
    """``url`` if it is an http(s) URL with a host, else an :class:`EndpointError`.

    urllib, under SPARQLWrapper and ``publish``, also opens ``file:``, ``ftp:`` and ``data:``
    URLs, so an endpoint option would otherwise read local files.

    >>> check_endpoint_url("http://127.0.0.1:7878/query")
    'http://127.0.0.1:7878/query'
    >>> check_endpoint_url("file:///etc/passwd")
    Traceback (most recent call last):
    ...
    peron_kg.errors.EndpointError: file:///etc/passwd: not an http or https URL; ...
    """
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        raise EndpointError(
            f"{url}: not an http or https URL; an endpoint is http(s)://host[:port]/path"
        )
    return url


#: SPARQL expands ``\uXXXX`` and ``\UXXXXXXXX`` anywhere in a query before parsing it (SPARQL
#: 1.1 section 19.2), as Oxigraph and rdflib do; so must a search for the SERVICE keyword.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _expand_codepoints(text: str) -> str:
    def expand(m: re.Match) -> str:
        try:
            return chr(int(m[1] or m[2], 16))
        except (ValueError, OverflowError):
            return m[0]

    return _CODEPOINT.sub(expand, text)


def normalise_hosts(hosts) -> tuple[str, ...]:
    """Allowed hosts, lower-cased; a URL or a host with a path is refused.

    >>> normalise_hosts(["Query.Wikidata.org", " localhost "])
    ('query.wikidata.org', 'localhost')
    """
    found = []
    for host in hosts:
        clean = host.strip().lower()
        if not clean or "/" in clean or any(c.isspace() for c in clean):
            raise InputError(f"--allow-service {host!r}: give a host name, such as "
                             f"{DEFAULT_SERVICE_HOSTS[0]}, not a URL")
        found.append(clean)
    return tuple(found)


def service_allowed(iri: str | None, hosts=DEFAULT_SERVICE_HOSTS) -> bool:
    """Whether a ``SERVICE`` IRI may be called: http(s), and its host exactly on the list.

    ``None`` stands for a variable (``SERVICE ?x``), which could name any host, so it is never
    allowed. The host is read the way an HTTP client reads it, so user-info and look-alike
    names do not pass.

    >>> service_allowed("https://query.wikidata.org/sparql")
    True
    >>> service_allowed("https://QUERY.wikidata.org:443/sparql")
    True
    >>> service_allowed("https://query.wikidata.org@evil.example/sparql")
    False
    >>> service_allowed("https://query.wikidata.org.evil.example/sparql")
    False
    >>> service_allowed("file:///etc/passwd"), service_allowed(None)
    (False, False)
    >>> service_allowed("http://127.0.0.1:7878/query", ["127.0.0.1"])
    True
    """
    from urllib.parse import urlsplit

    if iri is None:
        return False
    try:
        parts = urlsplit(iri)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not host:
        return False
    return host.lower() in {h.lower() for h in hosts}


def service_iris(text: str, label: str) -> list[str | None]:
    """The IRI of every ``SERVICE`` clause of a query, ``None`` for a variable; no evaluation.

    Read from rdflib's parse of the query, so comments and strings that mention SERVICE do not
    count, and clauses nested in sub-queries, EXISTS and MINUS do; prefixed names and BASE are
    resolved.

    >>> service_iris("SELECT * { ?s ?p ?o } # SERVICE <http://a.example/>", "q")
    []
    >>> service_iris('SELECT * { BIND("SERVICE <http://b.example/>" AS ?x) }', "q")
    []
    >>> service_iris("PREFIX w: <https://query.wikidata.org/> "
    ...              "ASK { FILTER EXISTS { SERVICE w:sparql { } } }", "q")
    ['https://query.wikidata.org/sparql']
    >>> service_iris("SELECT * { { SELECT * { SERVICE SILENT ?x { ?s ?p ?o } } } }", "q")
    [None]
    """
    if "service" not in _expand_codepoints(text).lower():
        return []  # no SERVICE keyword at all: spare the slow parse
    from pyparsing import ParseException
    from rdflib import Variable
    from rdflib.plugins.sparql.algebra import translateQuery, traverse
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        algebra = translateQuery(parseQuery(text)).algebra
    except ParseException as e:
        raise _syntax_error(label, e.lineno, e.col, e.msg) from None
    except Exception as e:  # rdflib raises plain exceptions, e.g. for an unknown prefix
        # Unreadable here means unchecked: refuse rather than let the engine call out.
        why = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InputError(f"{label}: cannot check its SERVICE clauses ({why})") from None
    found: list[str | None] = []

    def visit(node):
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            term = node.get("term")
            found.append(None if isinstance(term, Variable) or term is None else str(term))

    traverse(algebra, visitPre=visit)
    return found


def check_services(text: str, label: str, hosts=DEFAULT_SERVICE_HOSTS) -> None:
    """Refuse a query with a ``SERVICE`` to a host not on ``hosts``, before any evaluation.

    >>> check_services("SELECT * { SERVICE <https://query.wikidata.org/sparql> { } }", "q")
    >>> check_services("SELECT * { SERVICE <http://169.254.169.254/latest> { } }", "q")
    Traceback (most recent call last):
    ...
    peron_kg.errors.ServiceNotAllowed: q: SERVICE <http://169.254.169.254/latest> is not ...
    """
    from urllib.parse import urlsplit

    hosts = normalise_hosts(hosts)
    allowed = ", ".join(hosts) or "empty"
    for iri in service_iris(text, label):
        if service_allowed(iri, hosts):
            continue
        if iri is None:
            raise ServiceNotAllowed(
                f"{label}: SERVICE with a variable is not allowed: it could call any host "
                f"(allowed: {allowed})"
            )
        try:
            host = urlsplit(iri).hostname
        except ValueError:
            host = None
        why = (f"host {host} is not on the allow-list ({allowed}); add it with --allow-service "
               "HOST") if host else "only http(s) IRIs with a host are allowed"
        raise ServiceNotAllowed(f"{label}: SERVICE <{iri}> is not allowed: {why}")


@dataclass(frozen=True)
class Retry:
    """How an endpoint client waits out HTTP 429 (Too Many Requests) and 503 (Unavailable).

    SPARQLWrapper has no handling of its own for these: they surface as
    ``urllib.error.HTTPError``. We wait the seconds the ``Retry-After`` header asks for (or,
    without one, ``first_wait_s`` doubling each time) and try again, ``attempts`` tries in
    all; a server that asks for more than ``max_wait_s`` gets a clear error at once.
    """

    attempts: int = 4
    max_wait_s: float = 120.0
    first_wait_s: float = 2.0
    sleep: Callable[[float], None] = time.sleep


RETRY_STATUSES = (429, 503)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds: delay-seconds or an HTTP-date.

    >>> retry_after_seconds("7"), retry_after_seconds(None), retry_after_seconds("soon")
    (7.0, None, None)
    >>> retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0)
    10.0
    >>> retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0)
    0.0
    """
    from email.utils import parsedate_to_datetime

    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def run_endpoint(text: str, endpoint: str, bindings: dict[str, Term], label: str,
                 *, retry: Retry | None = None, timeout: float = ENDPOINT_TIMEOUT_S) -> Result:
    """POST the query to a SPARQL 1.1 endpoint through SPARQLWrapper.

    HTTP 429 and 503 are retried as ``retry`` says (by default :class:`Retry`'s bounds).
    """
    import urllib.error

    check_endpoint_url(endpoint)

    import pyoxigraph as ox
    from SPARQLWrapper import JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    retry = retry or Retry()
    parsed = parse_sparql(text, label)
    form = query_form(parsed)
    parsed_form = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
                   "DescribeQuery": "DESCRIBE"}[parsed[1].name]
    client = SPARQLWrapper(endpoint, agent=USER_AGENT)
    client.setMethod(POST)
    # SPARQLWrapper keeps whole seconds, and takes 0 for "no timeout": never round down to it
    client.setTimeout(max(1, math.ceil(timeout)))
    client.setQuery(with_values(text, bindings))
    # SPARQLWrapper guesses the form with a regex that reads comments too (a header saying
    # "delete" makes it send an update); the parser has told us the real one.
    client.queryType = parsed_form
    if form == "graph":
        client.setOnlyConneg(True)
        client.addCustomHttpHeader("Accept", "application/n-triples")
    else:
        client.setReturnFormat(JSON)
    attempt = 0
    while True:
        attempt += 1
        try:
            response = client.query()
            if form == "graph":
                body = response.response.read()
                triples = ox.parse(input=body, format=ox.RdfFormat.N_TRIPLES)
                lines = sorted({f"{t} ." for t in triples})
                return Result("graph", ntriples="".join(line + "\n" for line in lines))
            doc = response.convert()
            break
        except urllib.error.HTTPError as e:
            if e.code not in RETRY_STATUSES:
                raise EndpointError(f"{endpoint}: HTTP {e.code} {e.reason}") from None
            asked = retry_after_seconds(e.headers.get("Retry-After") if e.headers else None)
            if attempt >= retry.attempts:
                raise EndpointError(
                    f"{endpoint}: HTTP {e.code} {e.reason}, still after {attempt} "
                    f"tr{'y' if attempt == 1 else 'ies'}; try again later"
                ) from None
            wait = asked if asked is not None else retry.first_wait_s * 2 ** (attempt - 1)
            if wait > retry.max_wait_s:
                raise EndpointError(
                    f"{endpoint}: HTTP {e.code} {e.reason}; it asks to wait {wait:.0f} s "
                    f"(Retry-After), more than the {retry.max_wait_s:.0f} s we wait; "
                    "try again later"
                ) from None
            retry.sleep(wait)
        except urllib.error.URLError as e:
            if isinstance(e.reason, TimeoutError):
                raise EndpointError(f"{endpoint}: no answer within {timeout:g} s") from None
            raise EndpointError(f"{endpoint}: unreachable ({e.reason})") from None
        except TimeoutError:
            raise EndpointError(f"{endpoint}: no answer within {timeout:g} s") from None
        except SPARQLWrapperException as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise EndpointError(f"{endpoint}: {first}") from None
        except (ValueError, SyntaxError) as e:
            raise EndpointError(f"{endpoint}: unreadable answer ({e})") from None
    if not isinstance(doc, dict):
        raise EndpointError(f"{endpoint}: answer is not SPARQL JSON results")
    if "boolean" in doc:
        return Result("ask", boolean=bool(doc["boolean"]))
    variables = list(doc.get("head", {}).get("vars", []))
    rows = []
    for binding in doc.get("results", {}).get("bindings", []):
        row = {}
        for v, term in binding.items():
            if term.get("type") in ("literal", "typed-literal"):  # typed-literal: older servers
                row[v] = _literal(term["value"], term.get("datatype"), term.get("xml:lang"))
            else:
                row[v] = {"type": term["type"], "value": term["value"]}
        rows.append(row)
    return Result("select", variables, rows)


def run(
    query: StoredQuery,
    *,
    engine: str = "oxigraph",
    assembled: Assembled | None = None,
    endpoint: str | None = None,
    params: dict[str, str] | None = None,
    store=None,
    allow_services=DEFAULT_SERVICE_HOSTS,
) -> Result:
    """Run a stored query on one engine; ``endpoint`` overrides ``engine``.

    On the embedded engines a ``SERVICE`` clause may only name a host of ``allow_services``;
    a remote endpoint applies its own policy.
    """
    bindings = bind_params(query, params or {})
    label = str(query.path) if query.path else query.name
    if endpoint:
        return run_endpoint(query.text, endpoint, bindings, label)
    if engine in ENGINES:
        check_services(query.text, label, allow_services)
    if engine == "rdflib":
        if assembled is None:
            raise ValueError("the rdflib engine needs the assembled dataset")
        return run_rdflib(query.text, assembled, bindings, label)
    if engine == "oxigraph":
        if store is None:
            if assembled is None:
                raise ValueError("the oxigraph engine needs a store or the assembled dataset")
            store = oxigraph_store(assembled)
        return run_oxigraph(query.text, store, bindings, label)
    raise InputError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
