"""``python -m peron_kg`` runs the CLI."""

from .cli import main

main()
