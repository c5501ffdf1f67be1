"""Message language for everything a user sees: Japanese by default, English on request.

Every user-facing text is written as a pair at the place it is raised, ``t("日本語", "English")``,
so the two versions never drift apart in separate catalogues.  The CLI sets the language once per
run from ``--lang``; library code only ever calls :func:`t`.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Literal

Lang = Literal["ja", "en"]

_current: contextvars.ContextVar[Lang] = contextvars.ContextVar("xlsbridge_lang", default="ja")


def set_lang(lang: Lang) -> None:
    if lang not in ("ja", "en"):
        raise ValueError(f"unknown language {lang!r}")
    _current.set(lang)


def get_lang() -> Lang:
    return _current.get()


@contextlib.contextmanager
def using_lang(lang: Lang):
    """Speak ``lang`` inside the block (what goes into a ledger follows the ledger's language)."""
    token = _current.set(lang if lang in ("ja", "en") else "ja")
    try:
        yield
    finally:
        _current.reset(token)


def t(ja: str, en: str) -> str:
    """Pick the text for the current language."""
    return en if _current.get() == "en" else ja
