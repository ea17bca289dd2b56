"""`python -m claimwatch` runs the CLI."""

from claimwatch.cli import app

app()
