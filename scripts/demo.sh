#!/usr/bin/env bash
# Run the demo on a copy of the shipped sample ledger. The first run creates .venv and installs
# xlsbridge into it (editable: later changes to the source are picked up without reinstalling);
# later runs reuse it. Set XLSBRIDGE_REINSTALL=1 to install again (e.g. after pyproject.toml changed).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/xlsbridge ] || [ "${XLSBRIDGE_REINSTALL:-}" = 1 ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  echo "xlsbridge を .venv に入れています（初回だけ）…" >&2
  # pip's own upgrade notice and setuptools' editable-install notes are not for the user
  PIP_DISABLE_PIP_VERSION_CHECK=1 .venv/bin/python -m pip install -q -e . 2>&1 \
    | grep -v -i -e "editable" -e "setuptools" -e "^ *$" >&2 || true
  .venv/bin/xlsbridge --version >/dev/null  # the install worked
fi
exec .venv/bin/xlsbridge demo "$@"
