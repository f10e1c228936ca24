"""Options that several commands share, defined once."""

from __future__ import annotations

import click

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="The project folder (default: the nearest one at or above the current folder).",
)


def project_from(root: str | None):
    from ..project import find_project

    return find_project(root)
