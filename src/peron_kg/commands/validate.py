"""``peron-kg validate``."""

from __future__ import annotations

import json
import sys

import click

from .options import project_from, root_option


@click.command("validate")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Report format.")
@root_option
def command(fmt: str, root: str | None) -> None:
    """Run the steps parse, shacl, checks and coverage.

    Exit status: 0 conforms, 1 violations, 2 unusable input.
    """
    from ..validate import validate

    report, _ = validate(project_from(root))
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.to_text())
    sys.exit(report.exit_code)
