"""``peron-kg build``."""

from __future__ import annotations

import click

from .options import project_from, root_option


@click.command("build")
@click.option("--out", type=click.Path(path_type=str), default=None,
              help="Output folder (default: dist/ in the project).")
@click.option("--no-validate", is_flag=True, help="Skip validation (not for releases).")
@root_option
def command(out: str | None, no_validate: bool, root: str | None) -> None:
    """Validate the graph and write dumps, VoID/DCAT and a SHA-256 manifest."""
    from ..build import build
    from ..errors import ValidationFailed

    project = project_from(root)
    try:
        result = build(project, out=out, validate=not no_validate)
    except ValidationFailed as e:
        if e.report is not None:
            click.echo(e.report.to_text(), err=True)
        raise
    click.echo(f"built {project.relative(result.out)}: {result.triples} triples")
    for name, (size, _) in result.files.items():
        click.echo(f"  {name:<20} {size:>9} bytes")
