"""Build the committed workbooks: ``python -m xlsbridge.samples.workbooks``.

* ``workbooks/案件台帳テンプレート.xlsx`` — an empty ledger with the shipped WEK settings;
* ``workbooks/案件台帳サンプル.xlsx`` — the same with the fictional sample records (seed 1, 40 cases from
  2024-04, "today" 2026-03-01) and the deliberate mistakes listed in workbooks/README.md.

Both are byte-reproducible: building twice gives identical files, and ``--check`` fails (exit 1) when
a committed file differs from what the code builds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .generate import SAMPLE_CASES, SAMPLE_SEED, SAMPLE_START, SAMPLE_TODAY, generate_sample
from ..io.settings_toml import default_settings
from ..io.template import build_template, save_workbook_deterministic, workbook_bytes

TEMPLATE_FILE = "案件台帳テンプレート.xlsx"
SAMPLE_FILE = "案件台帳サンプル.xlsx"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "workbooks"


def template_workbook():
    return build_template(default_settings())


def sample_workbook():
    records = generate_sample(SAMPLE_CASES, SAMPLE_SEED, SAMPLE_START, today=SAMPLE_TODAY)
    return build_template(default_settings(), sample=records)


BUILDERS = {TEMPLATE_FILE: template_workbook, SAMPLE_FILE: sample_workbook}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xlsbridge.samples.workbooks", description=__doc__.split("\n")[0])
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_DIR, help="where to write (default: workbooks/)")
    parser.add_argument("--check", action="store_true", help="compare with the files there instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for name, build in BUILDERS.items():
        path = args.out_dir / name
        if args.check:
            if not path.exists() or path.read_bytes() != workbook_bytes(build()):
                stale.append(name)
            continue
        args.out_dir.mkdir(parents=True, exist_ok=True)
        save_workbook_deterministic(build(), path)
        print(f"wrote {path}")
    if stale:
        print("out of date (run python -m xlsbridge.samples.workbooks): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
