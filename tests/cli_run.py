"""Run the xlsbridge CLI in this process exactly as the console script does (run_cli: exit codes,
one-line errors), capturing stdout as bytes and stderr as text."""

from __future__ import annotations

import sys

from click.testing import CliRunner

from xlsbridge.cli.common import run_cli
from xlsbridge.cli.main import cli


def xlsbridge(*args: str, env: dict[str, str] | None = None) -> tuple[int, bytes, str]:
    runner = CliRunner()
    with runner.isolation(env=env) as (out, err, _):
        argv, sys.argv = sys.argv, ["xlsbridge", *args]
        try:
            code = run_cli(cli)
        finally:
            sys.argv = argv
        return code, out.getvalue(), err.getvalue().decode("utf-8")
