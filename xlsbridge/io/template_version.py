"""The template version a ledger records, read in one place for every medium.

A ledger records the version of the template it was made from in three places, read in this order:
the 設定 sheet's row テンプレート版 (what staff can see), the defined name ``xlsbridge_template_version``
(a quoted constant such as ``"1.0"``, or a reference to the cell holding it), and the custom document
property of the same name.  The file reader, the template upgrade (openpyxl) and the ribbon's
self-check (xlwings) each hand over what their medium gives and get the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

_REFERENCE = re.compile(r"'?(.+?)'?!\$?([A-Z]{1,3})\$?(\d+)")
_CONSTANT = re.compile(r'=?\s*"(.*)"')


def defined_name_version(text: str | None, cell: Callable[[str, int, str], Any] | None = None) -> str | None:
    """The version a defined name's text gives: ``"1.0"`` (``="1.0"`` as Excel shows it), or a
    reference ``'設定'!$B$5`` whose cell ``cell(sheet, row, column letters)`` holds it."""
    raw = (text or "").strip()
    m = _CONSTANT.fullmatch(raw)
    if m:
        return m.group(1) or None
    m = _REFERENCE.fullmatch(raw.lstrip("="))
    if m and cell is not None:
        value = cell(m.group(1), int(m.group(3)), m.group(2))
        if value is not None and str(value).strip():
            from .reader import display

            return display(value)
    return None


def recorded_version(sheets: Mapping[str, Sequence[Sequence[Any]]] | None,
                     in_defined_name: Callable[[], str | None] | None = None,
                     in_document_property: Callable[[], str | None] | None = None) -> str | None:
    """The recorded version: the 設定 sheet's row (``sheets``: title -> rows, the 設定 sheet found by
    its folded name), else the defined name, else the document property.  The later sources are
    asked only when the earlier ones say nothing."""
    from .settings_sheet import read_template_version

    found = read_template_version(sheets) if sheets else None
    for source in (in_defined_name, in_document_property):
        if found or source is None:
            break
        found = source() or None
    return found


__all__ = ["defined_name_version", "recorded_version"]
