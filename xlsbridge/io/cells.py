"""Writing values that came from users into cells and CSV without them turning into formulas.

openpyxl stores any string that starts with ``=`` as a formula; a name typed as ``=HYPERLINK(...)``
must stay text in every sheet and CSV we generate (formula injection).
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

# The ASCII leaders, and their full-width forms: Japanese Excel takes ＝SUM(…) typed or pasted as a formula.
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def set_value(cell: Cell, value: Any) -> None:
    """Set a cell; text is always stored as text, never as a formula.

    Control characters a cell can hold (Excel stores them as ``_x0007_``; calamine reads them back
    as the character) are written in that same escaped form: openpyxl refuses them raw, and the
    refusal used to stop ``plan``/``fees`` with a traceback carrying the cell's text (a name).
    """
    cell.value = xml_text(value) if isinstance(value, str) else value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def xml_text(text: str) -> str:
    """Text fit for any XML part of a workbook (cells, comments): control characters in Excel's
    ``_x0007_`` form (the XML writer refuses them raw and the save fails)."""
    if ILLEGAL_CHARACTERS_RE.search(text):
        return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text


def csv_safe(value: Any) -> Any:
    """A CSV field a spreadsheet will not evaluate: text starting like a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADERS):
        return "'" + value
    return value
