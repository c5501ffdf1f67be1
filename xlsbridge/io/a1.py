"""Excel's A1 column letters (kept free of openpyxl so the fast readers need not import it)."""

from __future__ import annotations


def column_letter(index: int) -> str:
    """0-based column index → letters: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """Letters → 0-based column index: A → 0, AA → 26."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1
