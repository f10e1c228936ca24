"""``peron-kg stats``."""

from __future__ import annotations

import json

import click

from .options import project_from, root_option


@click.command("stats")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@root_option
def command(fmt: str, root: str | None) -> None:
    """Count triples, instances per class and triples per property."""
    from ..loading import load
    from ..namespaces import compact
    from ..stats import compute

    stats = compute(load(project_from(root)))
    if fmt == "json":
        click.echo(json.dumps(stats.to_json(), indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"{stats.triples} triples")
    graphs = Table("named graph", "triples")
    for role, n in stats.per_graph.items():
        graphs.add_row(role, str(n))
    console.print(graphs)
    for title, counts in (("class", stats.per_class), ("property", stats.per_property)):
        table = Table(title, "count")
        for iri, n in counts.items():
            table.add_row(compact(iri), str(n))
        console.print(table)
