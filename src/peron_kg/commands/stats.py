"""``peron-kg stats``."""

from __future__ import annotations

import json

import click

from .options import project_from, root_option


@click.command("stats")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@click.option("--coverage", is_flag=True,
              help="Report how complete the encoding is instead: claims anchored, paragraphs "
                   "without a claim, names no mention covers.")
@root_option
def command(fmt: str, coverage: bool, root: str | None) -> None:
    """Count triples, instances per class and triples per property."""
    from ..loading import load
    from ..namespaces import compact
    from ..stats import compute

    assembled = load(project_from(root))
    if coverage:
        _print_coverage(assembled, fmt)
        return
    stats = compute(assembled)
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


def _print_coverage(assembled, fmt: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..namespaces import compact
    from ..stats import coverage_report

    report = coverage_report(assembled)
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        return
    console = Console()
    kinds = Table("kind", "resources", title="Resources per kind")
    for kind, n in report.per_kind.items():
        kinds.add_row(kind, str(n))
    console.print(kinds)
    holders = Table("holder", "claims", title="Claims per holder")
    for holder, n in report.claims_per_holder.items():
        holders.add_row(compact(holder), str(n))
    console.print(holders)
    console.print(
        f"claims anchored: {report.claims_anchored}/{report.claims} "
        f"({report.anchored_share:.0%})"
    )
    without = len(report.paragraphs_without_claim)
    console.print(f"body paragraphs without a claim: {without}/{report.body_paragraphs}")
    for p in report.paragraphs_without_claim:
        console.print(f"  - {compact(p)}")
    console.print(
        f"mentions: {report.mentions}; mention coverage of capitalised names: "
        f"{report.mention_ratio:.1%} ({report.capitalised_words} capitalised words in the body)"
    )
    console.print(f"capitalised names no mention covers: {len(report.uncovered_names)}")
    for phrase in report.uncovered_names:
        console.print(f"  - {phrase}")
