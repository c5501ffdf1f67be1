#!/usr/bin/env bash
# Create .venv (if needed), install xlsbridge, run the demo on a copy of the shipped sample ledger.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/xlsbridge demo "$@"
