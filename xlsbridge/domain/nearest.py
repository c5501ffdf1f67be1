"""The nearest known value to what someone typed: 小松 → 小松市, 野々市町 → 野々市市, K-001 → K-0001.

Pure functions over strings; the rules and the quote use them to say "did you mean …" in a finding
or an error, never to change what was typed.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

# A municipality's kind (市, 町, 村, 区) is the part a clerk leaves off or remembers from before a merger.
_MUNICIPAL_SUFFIX = re.compile(r"(市|町|村|区)$")


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def nearest(value: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known value closest to ``value`` (spelling, full-width forms and spaces aside), or None."""
    candidates = [k for k in dict.fromkeys(known) if k]
    if not value or not candidates:
        return None
    folded = {_fold(k): k for k in candidates}
    wanted = _fold(value)
    if wanted in folded and folded[wanted] != value:
        return folded[wanted]  # the same but for width or spaces
    hit = difflib.get_close_matches(wanted, list(folded), n=1, cutoff=cutoff)
    return folded[hit[0]] if hit and folded[hit[0]] != value else None


def nearest_municipality(value: str, known: Iterable[str], prefecture: str = "") -> str | None:
    """The municipality of the area table meant by ``value``: the same name with another or no kind
    (小松 → 小松市, 野々市町 → 野々市市), else the closest spelling."""
    candidates = [k for k in dict.fromkeys(known) if k]
    wanted = _fold(value)
    prefix = _fold(prefecture) if prefecture else ""
    if prefix and wanted.startswith(prefix) and len(wanted) > len(prefix):
        wanted = wanted[len(prefix):]
    stem = _MUNICIPAL_SUFFIX.sub("", wanted)
    if stem:
        same = [k for k in candidates if _MUNICIPAL_SUFFIX.sub("", _fold(k)) == stem and _fold(k) != wanted]
        if len(same) == 1:
            return same[0]
    return nearest(value, candidates, cutoff=0.6)


def hint(near: str | None) -> tuple[str, str]:
    """The "did you mean" sentence for a message, (ja, en); empty strings when nothing is near."""
    if near is None:
        return "", ""
    return f"もしかして「{near}」ですか？", f"did you mean '{near}'? "
