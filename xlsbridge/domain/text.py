"""The one way text that staff type is folded before it is compared or parsed.

Staff type full-width digits and letters (１２３, ＡＢＣ), an ideographic space, ㋿ for 令和; Excel keeps
what was typed.  NFKC folds all of these into their plain forms.  Every module that compares or parses
typed text goes through these two functions (the rules, the ledger reader, the settings sheets, dates,
ratios), so "Ｃ－００１ " and "C-001", "○" typed either way, read alike everywhere.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: object) -> str:
    """For comparing: full-width forms folded (NFKC) and every space removed; None is ""."""
    if text is None:
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text)))


def clean(text: object) -> str:
    """For keeping: full-width forms folded (NFKC), spaces at either end removed; None is ""."""
    if text is None:
        return ""
    return unicodedata.normalize("NFKC", str(text)).strip()


__all__ = ["clean", "fold"]
