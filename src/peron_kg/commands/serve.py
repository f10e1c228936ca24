"""``peron-kg serve``."""

from __future__ import annotations

import click

from .options import project_from, root_option

#: Shown after start-up: a query anyone can paste, with the full IRIs so it needs no prefixes.
EXAMPLE_QUERY = (
    "SELECT ?name WHERE { ?person a <https://w3id.org/peron-kg/ontology#Person> ; "
    "<http://www.w3.org/2004/02/skos/core#prefLabel> ?name } ORDER BY ?name LIMIT 5"
)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; anything but loopback exposes the server.")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True,
              help="Port to bind.")
@click.option("--timeout", "timeout_s", type=click.IntRange(min=1), default=30,
              show_default=True, help="Seconds a query may run before Oxigraph cancels it.")
@click.option("--dist", type=click.Path(file_okay=False, path_type=str), default=None,
              help="The build output holding peron-kg.nq (default: dist/ in the project).")
@click.option("--store", "store", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Oxigraph store folder (default: .oxigraph-store beside dist/).")
@root_option
def command(host: str, port: int, timeout_s: int, dist: str | None, store: str | None,
            root: str | None) -> None:
    """Serve the built dump read-only over SPARQL 1.1 with Oxigraph, until Ctrl-C.

    Loads dist/peron-kg.nq into the store only when the dump changed.
    """
    from pathlib import Path

    from ..errors import ServerError
    from ..serve import (
        DUMP_NAME,
        default_store,
        is_loopback,
        prepare_store,
        serve_until_stopped,
        store_lock,
    )

    dist_dir = Path(dist) if dist is not None else project_from(root).default_out
    store_dir = Path(store) if store is not None else default_store(dist_dir)
    dump = dist_dir / DUMP_NAME
    prepared = prepare_store(dump, store_dir)
    state = "loaded" if prepared.loaded else "up to date"
    click.echo(f"store {store_dir}: {state}, {prepared.quads} quads from {dump}")
    if not is_loopback(host):
        click.echo(
            f"warning: {host} is not a loopback address: anyone who can reach port {port} can "
            "query this server, and through SERVICE make this machine send HTTP requests; "
            "put it behind a reverse proxy instead (README, 'Serving and publishing')",
            err=True,
        )
    log = store_dir.parent / f"{store_dir.name}.log"

    def ready(proc, url: str) -> None:
        click.echo(f"SPARQL endpoint: {url} (read-only, query timeout {timeout_s} s, "
                   f"oxigraph pid {proc.pid}, log {log})")
        click.echo(f"try:  curl -s -H 'Accept: text/csv' --data-urlencode 'query={EXAMPLE_QUERY}' "
                   f"{url}")
        click.echo("Ctrl-C stops it.")

    with store_lock(store_dir, exclusive=False):
        stopped = serve_until_stopped(store_dir, host, port, timeout_s, log=log, on_ready=ready)
    if not stopped:
        raise ServerError(f"oxigraph exited by itself; see {log}")
    click.echo("stopped", err=True)
