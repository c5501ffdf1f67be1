"""Support types as staff type them: the key (accompanied), the label (付き添い型), the label without 型,
the English label, and the usual other spellings (付添い, 受渡し, ひらがな).

The spellings are data: :data:`SPELLINGS` maps a way of writing part of a label to the way the
settings write it, so an organisation's own types (e.g. 見守り型) get the same treatment.
"""

from __future__ import annotations

import re
import unicodedata

from .settings import Settings

# other spelling -> the settings' spelling (applied to what was typed, longest first)
SPELLINGS: dict[str, str] = {
    "付添い": "付き添い",
    "付添": "付き添い",
    "付きそい": "付き添い",
    "つき添い": "付き添い",
    "つきそい": "付き添い",
    "受渡し": "受け渡し",
    "受渡": "受け渡し",
    "受けわたし": "受け渡し",
    "うけわたし": "受け渡し",
    "受け渡": "受け渡し",
    "れんらく調整": "連絡調整",
    "れんらくちょうせい": "連絡調整",
    "連絡・調整": "連絡調整",
}


def _fold(text: str) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()
    return text.removesuffix("型")


def _canonical(text: str) -> str:
    folded = _fold(text)
    for other in sorted(SPELLINGS, key=len, reverse=True):
        if other in folded and SPELLINGS[other] not in folded:
            folded = folded.replace(other, SPELLINGS[other])
    return folded


def spellings(settings: Settings) -> dict[str, str]:
    """Every folded way of writing each support type of the settings -> its key."""
    table: dict[str, str] = {}
    for schedule in settings.schedules:
        for st in schedule.support_types:
            for label in (st.key, st.label_ja, st.label_en):
                if label:
                    table.setdefault(_canonical(label), st.key)
    return table


def resolve_support_type(text: str, settings: Settings) -> str | None:
    """The key of the support type ``text`` names (付き添い型, 付添い, Accompanied → accompanied), or None."""
    if not text:
        return None
    return spellings(settings).get(_canonical(text))
