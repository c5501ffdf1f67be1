"""Wheelhouses for the bundle tests, built once per session.

The wheels come from PyPI through a cache outside the repository (``~/.cache/xlsbridge/wheelhouse``,
or ``$XLSBRIDGE_WHEEL_CACHE``): the first run downloads about 30 MB, later runs take them from the
cache without asking the index (services/wheelhouse.py tries ``--no-index --find-links CACHE`` first).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xlsbridge.services.wheelhouse import DEFAULT_CACHE, build_own_wheel, download, this_machine, windows_targets


@pytest.fixture(scope="session")
def wheel_cache() -> Path:
    return Path(os.path.expanduser(os.environ.get("XLSBRIDGE_WHEEL_CACHE", str(DEFAULT_CACHE))))


@pytest.fixture(scope="session")
def own_wheel(tmp_path_factory) -> Path:
    """This checkout's xlsbridge wheel (pip wheel --no-deps)."""
    return build_own_wheel(tmp_path_factory.mktemp("own-wheel"))


@pytest.fixture(scope="session")
def windows_wheelhouse(tmp_path_factory, own_wheel, wheel_cache) -> Path:
    """What `xlsbridge bundle` ships: xlsbridge and its dependencies for win_amd64, CPython 3.11-3.13."""
    folder = tmp_path_factory.mktemp("windows") / "wheelhouse"
    for target in windows_targets():
        download(folder, [str(own_wheel)], target, cache=wheel_cache)
    return folder


@pytest.fixture(scope="session")
def linux_wheelhouse(tmp_path_factory, own_wheel, wheel_cache) -> Path:
    """The same, for this machine's Python: to run the install steps here."""
    folder = tmp_path_factory.mktemp("linux") / "wheelhouse"
    download(folder, [str(own_wheel)], this_machine(), cache=wheel_cache)
    return folder
