"""``peron-kg publish``."""

from __future__ import annotations

import sys

import click

from .options import project_from, root_option


@click.command("publish")
@click.option("--endpoint", required=True, metavar="URL",
              help="The store's SPARQL 1.1 Graph Store endpoint, http or https "
                   "(Oxigraph: http://host:port/store).")
@click.option("--graph", default=None, metavar="IRI",
              help="Upload only this named graph (an IRI, or a role: ontology, data, text, "
                   "links, wikidata).")
@click.option("--query-endpoint", default=None, metavar="URL",
              help="The store's SPARQL query endpoint, to verify the upload "
                   "(default: the endpoint with /store replaced by /query, as on Oxigraph).")
@click.option("--user", default=None, help="User name for HTTP basic authentication.")
@click.option("--password", default=None, envvar="PERON_KG_PASSWORD",
              help="Password for HTTP basic authentication (or $PERON_KG_PASSWORD).")
@click.option("--token", default=None, envvar="PERON_KG_TOKEN",
              help="Bearer token (or $PERON_KG_TOKEN), instead of --user/--password.")
@click.option("--timeout", "timeout_s", type=click.IntRange(min=1), default=60,
              show_default=True, help="Seconds to wait for each request.")
@click.option("--dist", type=click.Path(file_okay=False, path_type=str), default=None,
              help="The build output holding peron-kg.nq (default: dist/ in the project).")
@root_option
def command(endpoint: str, graph: str | None, query_endpoint: str | None, user: str | None,
            password: str | None, token: str | None, timeout_s: int, dist: str | None,
            root: str | None) -> None:
    """Upload the named graphs with the SPARQL 1.1 Graph Store Protocol, then verify them.

    One PUT a named graph (it replaces that graph whole); then each graph's triples are
    counted through the query endpoint. Exit status 1 if a count differs.
    """
    from pathlib import Path
    from urllib.parse import urlsplit

    from rich.console import Console
    from rich.table import Table

    from ..publish import Credentials, publish, redact
    from ..serve import DUMP_NAME, is_loopback

    credentials = Credentials(user, password, token)
    dist_dir = Path(dist) if dist is not None else project_from(root).default_out
    parts = urlsplit(endpoint)
    if credentials.header() and parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        click.echo("warning: sending credentials over plain http; anyone on the way can read "
                   "them", err=True)
    report = publish(dist_dir / DUMP_NAME, endpoint, graph=graph, query_endpoint=query_endpoint,
                     credentials=credentials, timeout=timeout_s)
    table = Table("graph", "local", "remote", "ok", title=f"Published to {redact(report.endpoint)}")
    for g in report.graphs:
        table.add_row(g.graph, str(g.local), str(g.remote), "ok" if g.ok else "DIFFERS")
    Console().print(table)
    if not report.ok:
        bad = [g.graph for g in report.graphs if not g.ok]
        click.echo(f"peron-kg: the store's counts differ for {', '.join(bad)}", err=True)
        sys.exit(1)
