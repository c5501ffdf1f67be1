"""Whole-yen arithmetic: the parents' ratio and splitting an amount without losing a yen."""

from __future__ import annotations

import functools
import re
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .settings import Parent
from .text import fold


class RatioError(ValueError):
    def __init__(self, text: str):
        super().__init__(
            "負担割合は「父:母」の2つの数（例 1:1、60:40）か、父の割合「50%」で書いてください"
            " / write the ratio as father:mother (e.g. 1:1, 60:40) or the father's share as 50%"
        )
        self.text = text


class Ratio(BaseModel):
    """Father : mother.  One side may be zero (one parent pays all), never both."""

    model_config = ConfigDict(frozen=True)

    father: Fraction = Field(ge=0)
    mother: Fraction = Field(ge=0)

    @model_validator(mode="after")
    def _not_both_zero(self) -> "Ratio":
        if self.father == 0 and self.mother == 0:
            raise ValueError("負担割合が 0:0 です / the ratio is 0:0")
        return self

    @classmethod
    def even(cls) -> "Ratio":
        return cls(father=Fraction(1), mother=Fraction(1))

    @classmethod
    def parse(cls, text: object) -> "Ratio":
        """Read what staff type: ``1:1``, ``６０：４０``, ``2対1``, ``50%`` (father's part), ``0.6`` (father's part)."""
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            # A cell formatted as a percentage holds 0.6 for 60 %.
            value = Fraction(str(text))
            if not 0 <= value <= 1:
                raise RatioError(str(text))
            return cls(father=value, mother=1 - value)
        raw = fold(text or "")
        m = re.fullmatch(r"(\d+(?:\.\d+)?)(?::|対|/)(\d+(?:\.\d+)?)", raw)
        if m:
            father, mother = Fraction(m.group(1)), Fraction(m.group(2))
            if father == 0 and mother == 0:
                raise RatioError(raw)
            return cls(father=father, mother=mother)
        m = re.fullmatch(r"(\d+(?:\.\d+)?)%", raw)
        if m:
            father = Fraction(m.group(1)) / 100
            if father > 1:
                raise RatioError(raw)
            return cls(father=father, mother=1 - father)
        raise RatioError(raw)

    def part(self, parent: Parent) -> Fraction:
        total = self.father + self.mother
        return (self.father if parent == "father" else self.mother) / total

    def label(self) -> str:
        def fmt(x: Fraction) -> str:
            return str(x.numerator) if x.denominator == 1 else f"{float(x):g}"

        return f"{fmt(self.father)}:{fmt(self.mother)}"


@functools.lru_cache(maxsize=256)
def _part(fn: int, fd: int, mn: int, md: int, parent: Parent) -> tuple[int, int]:
    """``Ratio.part`` as (numerator, denominator): split runs once a visit and parent, over a few ratios."""
    father, mother = Fraction(fn, fd), Fraction(mn, md)
    part = (father if parent == "father" else mother) / (father + mother)
    return part.numerator, part.denominator


def split(amount: int, ratio: Ratio, odd_yen_to: Parent) -> dict[Parent, int]:
    """Split ``amount`` yen by ``ratio``; the two parts always add up to ``amount``.

    The parent named by ``odd_yen_to`` takes their exact part rounded up; the other takes the rest
    (domain.md: round one share, give the remainder to the other).
    """
    if amount < 0:
        raise ValueError("amount must not be negative")
    other: Parent = "mother" if odd_yen_to == "father" else "father"
    f, m = ratio.father, ratio.mother  # keyed by ints: hashing a Fraction costs more than the sum
    numerator, denominator = _part(f.numerator, f.denominator, m.numerator, m.denominator, odd_yen_to)
    taker = -((-amount * numerator) // denominator)  # ceiling of amount × part, without floats
    return {odd_yen_to: taker, other: amount - taker}


def fraction_of(amount: int, numerator: int, denominator: int) -> int:
    """Whole yen of a fraction of an amount, rounded down (a parent is never overcharged by rounding)."""
    return amount * numerator // denominator
