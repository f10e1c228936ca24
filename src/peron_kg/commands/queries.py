"""``peron-kg queries``."""

from __future__ import annotations

import click

from .options import project_from, root_option


@click.command("queries")
@click.option("--checks", is_flag=True, help="List the quality checks instead.")
@root_option
def command(checks: bool, root: str | None) -> None:
    """List the stored queries with their summaries."""
    from rich.console import Console
    from rich.table import Table

    from ..queries import stored_queries

    found = stored_queries(project_from(root), checks=checks)
    table = Table("name", "summary", "parameters", "tags")
    for q in found:
        params = ", ".join(f"{p.name} ({p.type})" for p in q.header.params)
        table.add_row(q.name, q.summary, params, ", ".join(q.header.tags))
    Console().print(table)
