"""`xlsbridge rules`: the catalogue of everything `validate` can find."""

from __future__ import annotations

import click


@click.command(
    epilog="""\b
Example:
  xlsbridge rules                       # the list, in Japanese
  xlsbridge --lang en rules
  xlsbridge rules --markdown > docs/rules.md   # the rules page (both languages)
"""
)
@click.option("--markdown", is_flag=True,
              help="Print the Markdown page docs/rules.md is generated from (Japanese and English).")
def rules(markdown: bool) -> None:
    """List every finding `validate` can report: code, severity, name, what it means, rule-book section."""
    from ..domain.rules.docs import catalogue_markdown, catalogue_text

    click.echo(catalogue_markdown() if markdown else catalogue_text(), nl=False)
