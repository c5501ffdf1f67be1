"""The layers hold: domain/ imports nothing from io/, services/, excel/ (or the shells above them), and
no module of xlsbridge/ grows past 700 lines (pure data tables may, when listed here by name).

Read from the source (ast), so a lazy import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "xlsbridge"
OUTER = ("io", "services", "excel", "cli", "lite", "addin", "samples")
MAX_LINES = 700
# Modules allowed past MAX_LINES because they are pure data tables (none today).
DATA_TABLES: frozenset[str] = frozenset()


def _imported(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return found


def test_domain_imports_nothing_from_the_outer_layers():
    wrong = []
    for path in sorted((PACKAGE / "domain").rglob("*.py")):
        for line, name in _imported(path):
            parts = name.split(".")
            if parts[0] == "xlsbridge" and len(parts) > 1 and parts[1] in OUTER:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_relative_imports():
    """The resolver itself: domain/rules/_common.py's ``from ..layout import …`` is xlsbridge.domain.layout."""
    names = {name for _, name in _imported(PACKAGE / "domain" / "rules" / "_common.py")}
    assert "xlsbridge.domain.layout" in names and "xlsbridge.domain.text" in names


def test_no_module_over_700_lines_but_listed_data_tables():
    long = {str(p.relative_to(PACKAGE.parent)): sum(1 for _ in p.open(encoding="utf-8"))
            for p in PACKAGE.rglob("*.py")}
    over = {name: n for name, n in long.items() if n > MAX_LINES and name not in DATA_TABLES}
    assert not over, over
