"""``publish``: push the build's named graphs to any store that speaks the SPARQL 1.1 Graph
Store HTTP Protocol, then check each graph's size through the store's query endpoint.

One ``PUT URL?graph=IRI`` a named graph (ontology, data, text, links), body N-Triples: PUT
replaces the graph whole, so publishing twice leaves the same store, and the other graphs of
the store are not touched. Oxigraph, Apache Jena Fuseki, GraphDB, Virtuoso and QLever take it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

from .engines import ENDPOINT_TIMEOUT_S, USER_AGENT, check_endpoint_url
from .errors import EndpointError, InputError


@dataclass(frozen=True)
class GraphCount:
    graph: str
    local: int
    #: triples the store reports after the upload
    remote: int | None = None
    #: the HTTP status of the PUT
    status: int | None = None

    @property
    def ok(self) -> bool:
        return self.remote == self.local


@dataclass
class PublishReport:
    endpoint: str
    query_endpoint: str
    graphs: list[GraphCount] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(g.ok for g in self.graphs)


@dataclass(frozen=True)
class Credentials:
    """Basic auth (user and password) or a bearer token; ``repr`` hides the secrets."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.token is not None and (self.user is not None or self.password is not None):
            raise InputError("give either --user and --password or --token, not both")
        if (self.user is None) != (self.password is None):
            raise InputError("--user and --password go together")

    def header(self) -> dict[str, str]:
        """The ``Authorization`` header, if any.

        >>> Credentials("ann", "secret").header()
        {'Authorization': 'Basic YW5uOnNlY3JldA=='}
        >>> Credentials(token="t0k").header()
        {'Authorization': 'Bearer t0k'}
        >>> Credentials().header()
        {}
        """
        if self.token is not None:
            return {"Authorization": f"Bearer {self.token}"}
        if self.user is not None:
            pair = f"{self.user}:{self.password}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        return {}


def redact(url: str) -> str:
    """A URL fit for messages: user-info (``user:password@``) removed.

    >>> redact("https://ann:secret@example.org/store")
    'https://example.org/store'
    """
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def derive_query_endpoint(store_url: str) -> str:
    """The query endpoint beside a Graph Store endpoint, as Oxigraph lays them out.

    >>> derive_query_endpoint("http://127.0.0.1:7878/store")
    'http://127.0.0.1:7878/query'
    """
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(store_url)
    if not parts.path.endswith("/store"):
        raise EndpointError(
            f"{redact(store_url)}: cannot tell its SPARQL query endpoint (Oxigraph's ends in "
            "/store, its query endpoint in /query); give --query-endpoint"
        )
    return urlunsplit(parts._replace(path=parts.path[: -len("store")] + "query", query=""))


def graph_url(endpoint: str, graph: str) -> str:
    """The Graph Store URL of one named graph (indirect identification, ``?graph=``).

    >>> graph_url("http://h/store", "https://w3id.org/peron-kg/graph/data")
    'http://h/store?graph=https%3A%2F%2Fw3id.org%2Fperon-kg%2Fgraph%2Fdata'
    """
    from urllib.parse import urlencode

    return endpoint + ("&" if "?" in endpoint else "?") + urlencode({"graph": graph})


def read_graphs(dump: Path) -> dict[str, list[str]]:
    """The named graphs of an N-Quads dump: graph IRI -> its distinct triples as sorted
    N-Triples lines, graphs in the order of the roles (ontology, data, text, links)."""
    import pyoxigraph as ox

    from .namespaces import GRAPH_ROLES, graph_iri

    dump = Path(dump)
    if not dump.is_file():
        raise InputError(f"{dump}: no N-Quads dump to publish; run `peron-kg build` first")
    graphs: dict[str, set[str]] = {}
    default = 0
    try:
        with open(dump, "rb") as f:
            for quad in ox.parse(f, format=ox.RdfFormat.N_QUADS):
                if isinstance(quad.graph_name, ox.NamedNode):
                    graphs.setdefault(quad.graph_name.value, set()).add(f"{quad.triple} .\n")
                else:
                    default += 1
    except SyntaxError as e:
        raise InputError(f"{dump}: malformed N-Quads: {e}") from None
    if default:
        raise InputError(f"{dump}: {default} statements outside a named graph; publish uploads "
                         "named graphs only")
    order = {graph_iri(role): i for i, role in enumerate(GRAPH_ROLES)}
    return {g: sorted(graphs[g])
            for g in sorted(graphs, key=lambda g: (order.get(g, len(order)), g))}


def _http_error(url: str, code: int, reason: str, body: bytes = b"") -> EndpointError:
    detail = body.decode("utf-8", "replace").strip().splitlines()[:1]
    hint = ""
    if code in (401, 403):
        hint = " (authentication failed or not allowed: check --user/--password or --token)"
    elif detail:
        hint = f": {detail[0][:200]}"
    return EndpointError(f"{redact(url)}: HTTP {code} {reason}{hint}")


def put_graph(endpoint: str, graph: str, ntriples: str, credentials: Credentials | None = None,
              timeout: float = ENDPOINT_TIMEOUT_S) -> int:
    """PUT one graph's triples; returns the HTTP status (201 created, 204 replaced, 200)."""
    import urllib.error
    import urllib.request

    url = graph_url(endpoint, graph)
    headers = {"Content-Type": "application/n-triples", "User-Agent": USER_AGENT,
               **(credentials or Credentials()).header()}
    request = urllib.request.Request(url, data=ntriples.encode("utf-8"), headers=headers,
                                     method="PUT")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as e:
        raise _http_error(url, e.code, e.reason, e.read()) from None
    except urllib.error.URLError as e:
        raise EndpointError(f"{redact(endpoint)}: unreachable ({e.reason})") from None
    except TimeoutError:
        raise EndpointError(f"{redact(endpoint)}: no answer within {timeout:g} s") from None
    except (ConnectionError, OSError) as e:
        raise EndpointError(f"{redact(endpoint)}: connection failed ({e})") from None


def remote_count(query_endpoint: str, graph: str, credentials: Credentials | None = None,
                 timeout: float = ENDPOINT_TIMEOUT_S) -> int:
    """How many triples the store holds in ``graph``, asked through SPARQLWrapper."""
    import urllib.error

    from SPARQLWrapper import JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import (
        EndPointInternalError,
        EndPointNotFound,
        QueryBadFormed,
        Unauthorized,
    )

    credentials = credentials or Credentials()
    client = SPARQLWrapper(query_endpoint, agent=USER_AGENT)
    client.setMethod(POST)
    client.setTimeout(int(timeout))
    client.setReturnFormat(JSON)
    client.setQuery(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    for name, value in credentials.header().items():
        client.addCustomHttpHeader(name, value)
    statuses = {QueryBadFormed: (400, "Bad Request"), EndPointNotFound: (404, "Not Found"),
                Unauthorized: (401, "Unauthorized"),
                EndPointInternalError: (500, "Internal Server Error")}
    try:
        doc = client.query().convert()
        return int(doc["results"]["bindings"][0]["n"]["value"])
    except tuple(statuses) as e:
        code, reason = statuses[type(e)]
        raise _http_error(query_endpoint, code, reason) from None
    except urllib.error.HTTPError as e:
        raise _http_error(query_endpoint, e.code, e.reason) from None
    except urllib.error.URLError as e:
        raise EndpointError(f"{redact(query_endpoint)}: unreachable ({e.reason})") from None
    except TimeoutError:
        raise EndpointError(f"{redact(query_endpoint)}: no answer within {timeout:g} s") from None
    except (KeyError, IndexError, TypeError, ValueError) as e:
        raise EndpointError(f"{redact(query_endpoint)}: unreadable count ({e})") from None


def resolve_graph(graph: str, available: list[str]) -> str:
    """A graph named by IRI or by role (``data``), checked against the dump's graphs.

    >>> resolve_graph("data", ["https://w3id.org/peron-kg/graph/data"])
    'https://w3id.org/peron-kg/graph/data'
    """
    from .namespaces import GRAPH_ROLES, graph_iri

    iri = graph_iri(graph) if graph in GRAPH_ROLES else graph
    if iri not in available:
        raise InputError(f"--graph {graph}: not a graph of the dump; it has {', '.join(available)}")
    return iri


def publish(dump: Path, endpoint: str, graph: str | None = None,
            query_endpoint: str | None = None, credentials: Credentials | None = None,
            timeout: float = ENDPOINT_TIMEOUT_S) -> PublishReport:
    """Upload the dump's named graphs (or one), then count each one's triples in the store.

    Every URL is checked before anything is read or sent.
    """
    check_endpoint_url(endpoint)
    query_endpoint = check_endpoint_url(query_endpoint or derive_query_endpoint(endpoint))
    graphs = read_graphs(dump)
    chosen = [resolve_graph(graph, list(graphs))] if graph else list(graphs)
    statuses = {iri: put_graph(endpoint, iri, "".join(graphs[iri]), credentials, timeout)
                for iri in chosen}
    report = PublishReport(endpoint, query_endpoint)
    for iri in chosen:
        remote = remote_count(query_endpoint, iri, credentials, timeout)
        report.graphs.append(GraphCount(iri, len(graphs[iri]), remote, statuses[iri]))
    return report
