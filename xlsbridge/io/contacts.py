"""Recognising the contacts sheet (連絡先) by what it holds, not only by its name.

Excel names a copy 「連絡先 (2)」, staff rename it 「連絡先（非公開）」 or 「Contacts」, or keep addresses on a
sheet of their own: any sheet whose name starts like 連絡先/contacts, or whose first row heads an
address, a phone number or an e-mail column, is treated as contact data and left out of every copy
made to be handed around (``validate --annotate``), and carried as the contacts sheet by
``template upgrade``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..domain.layout import CONTACTS
from ..domain.text import fold

_NAMES = ("連絡先", "contacts", "contact", "住所録", "連絡帳")
_CONTACT_HEADERS = frozenset(fold(h) for h in (
    *(h for c in CONTACTS.columns if c.key in ("address", "phone", "email") for h in (c.header, *c.aliases)),
    "住所", "電話番号", "携帯", "携帯電話", "携帯番号", "TEL", "電話/携帯", "メールアドレス", "Eメール", "e-mail", "email",
    "mail", "郵便番号", "〒", "address", "phone", "連絡先電話",
))


def _norm(text: Any) -> str:
    return fold(text).lower()


def is_contacts_sheet(title: str, headers: Iterable[Any] = ()) -> bool:
    """Whether a sheet holds contact details: by its name, or by an address/phone/e-mail header in row 1."""
    name = _norm(title)
    if any(name.startswith(_norm(n)) for n in _NAMES):
        return True
    return any(_norm(h) in _CONTACT_HEADERS or fold(h) in _CONTACT_HEADERS for h in headers if h not in (None, ""))


def first_row(ws, limit: int = 200) -> list[Any]:
    """The values of an openpyxl sheet's first row (at most ``limit`` cells)."""
    for row in ws.iter_rows(min_row=1, max_row=1, max_col=limit, values_only=True):
        return list(row)
    return []
