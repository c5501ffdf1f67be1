"""The wheelhouse of the offline installer: xlsbridge and every dependency, as wheels, for the staff PCs.

``pip download --only-binary :all: --platform win_amd64 --python-version 3.X`` fetches wheels for
another system, but pip still evaluates environment markers against the machine it runs on: on
Linux, xlwings' ``pywin32; platform_system == "Windows"`` is skipped and a wheelhouse made that way
fails on the staff PC.  So after each download :func:`missing` walks the requirements again from the
wheels' own metadata with the *target's* markers and tags, and what is missing is downloaded too,
until nothing is.  :func:`missing` is also what the tests use to prove the wheelhouse complete.

Downloads go through a cache folder (default ``~/.cache/xlsbridge/wheelhouse``): each target is first
tried with ``--no-index --find-links CACHE``, and only what the cache lacks is fetched from the index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

from ..errors import UserError
from ..i18n import t

WINDOWS_PYTHONS = ("3.11", "3.12", "3.13")
WINDOWS_PLATFORM = "win_amd64"
DEFAULT_CACHE = Path("~/.cache/xlsbridge/wheelhouse")
MAX_ROUNDS = 6


@dataclass(frozen=True)
class Target:
    """Where the wheels will be installed: a CPython version on a platform (None: this machine)."""

    python: str  # "3.12"
    platform: str | None = WINDOWS_PLATFORM

    def label(self) -> str:
        return f"CPython {self.python} {self.platform or 'this machine'}"

    def pip_options(self) -> list[str]:
        if self.platform is None:
            return ["--only-binary", ":all:"]
        return ["--only-binary", ":all:", "--platform", self.platform, "--python-version", self.python,
                "--implementation", "cp"]

    def environment(self) -> dict[str, str]:
        """The values environment markers see on the target (PEP 508)."""
        from packaging.markers import default_environment

        env = dict(default_environment())
        env.update(python_version=self.python, python_full_version=f"{self.python}.0",
                   implementation_name="cpython", platform_python_implementation="CPython")
        if self.platform == WINDOWS_PLATFORM:
            env.update(os_name="nt", sys_platform="win32", platform_system="Windows", platform_machine="AMD64")
        return env

    def tags(self) -> set:
        from packaging import tags

        if self.platform is None:
            return set(tags.sys_tags())
        major, minor = (int(x) for x in self.python.split("."))
        return set(tags.cpython_tags((major, minor), platforms=[self.platform])) | set(
            tags.compatible_tags((major, minor), platforms=[self.platform]))


def windows_targets() -> list[Target]:
    return [Target(v) for v in WINDOWS_PYTHONS]


def this_machine() -> Target:
    return Target(f"{sys.version_info.major}.{sys.version_info.minor}", None)


# --- what a wheelhouse lacks ---------------------------------------------------------------------


def _metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(archive.read(name).decode("utf-8"))


def _wheels(folder: Path, target: Target) -> dict[str, list[tuple[object, Path]]]:
    """Canonical project name -> [(version, wheel)] of the wheels in ``folder`` that install on ``target``."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    wanted = target.tags()
    found: dict[str, list[tuple[object, Path]]] = {}
    for wheel in sorted(folder.glob("*.whl")):
        try:
            name, version, _, wheel_tags = parse_wheel_filename(wheel.name)
        except InvalidWheelFilename:
            continue
        if wanted & set(wheel_tags):
            found.setdefault(str(name), []).append((version, wheel))
    return found


def missing(folder: Path, roots: list[str], target: Target) -> list[str]:
    """The requirements (with their markers applied for ``target``) that no wheel in ``folder`` meets,
    following every dependency of the wheels chosen.  An empty list: the wheelhouse is complete."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    available = _wheels(Path(folder), target)
    env = target.environment()
    unmet: list[str] = []
    seen: set[tuple[str, frozenset]] = set()
    queue: list[tuple[str, frozenset]] = [(r, frozenset()) for r in roots]
    while queue:
        text, _ = queue.pop()
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        key = (name + str(requirement.specifier), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        candidates = [(v, w) for v, w in available.get(name, []) if requirement.specifier.contains(v, prereleases=True)]
        if not candidates:
            unmet.append(f"{requirement.name}{requirement.specifier}")
            continue
        _, wheel = max(candidates, key=lambda c: c[0])
        for dep in _metadata(wheel).get_all("Requires-Dist") or []:
            dep_req = Requirement(dep)
            extras = requirement.extras or {""}
            if dep_req.marker is None or any(dep_req.marker.evaluate({**env, "extra": e}) for e in extras):
                plain = Requirement(dep)
                plain.marker = None
                queue.append((str(plain), frozenset()))
    return sorted(set(unmet))


# --- downloading -----------------------------------------------------------------------------------


def _pip(args: list[str], pip: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    return subprocess.run([*pip, *args], capture_output=True, text=True, env=env, timeout=900)


def download(dest: Path, requirements: list[str], target: Target, *, cache: Path | None = None,
             pip: list[str] | None = None) -> list[Path]:
    """Put into ``dest`` the wheels of ``requirements`` and all their dependencies for ``target``.

    Returns the wheels of ``dest``.  Raises a UserError naming what could not be found.
    """
    pip = pip or [sys.executable, "-m", "pip"]
    cache = Path(os.path.expanduser(str(cache or DEFAULT_CACHE)))
    cache.mkdir(parents=True, exist_ok=True)
    dest.mkdir(parents=True, exist_ok=True)
    wanted = list(requirements)
    for _ in range(MAX_ROUNDS):
        offline = ["download", "--no-index", "--find-links", str(cache), "--find-links", str(dest),
                   "-d", str(dest), *target.pip_options(), *wanted]
        if _pip(offline, pip).returncode != 0:
            online = _pip(["download", "-d", str(cache), *target.pip_options(), *wanted], pip)
            if online.returncode != 0:
                raise UserError(
                    f"{target.label()} 用の wheel をそろえられませんでした。インターネットにつながっているか確かめてください:\n"
                    + _last_lines(online.stderr),
                    f"could not gather the wheels for {target.label()}; check the internet connection:\n"
                    + _last_lines(online.stderr))
            if _pip(offline, pip).returncode != 0:
                raise UserError(f"{target.label()} 用の wheel をキャッシュ {cache} から取り出せませんでした",
                                f"could not take the wheels for {target.label()} from the cache {cache}")
        lacking = missing(dest, [r for r in requirements if not r.endswith(".whl")] + _wheel_roots(requirements), target)
        if not lacking:
            return sorted(dest.glob("*.whl"))
        wanted = lacking  # what pip skipped because it read the markers for this machine, not the target
    raise UserError(f"{target.label()} 用の依存パッケージがそろいません: {', '.join(lacking)}",
                    f"dependencies missing for {target.label()}: {', '.join(lacking)}")


def _wheel_roots(requirements: list[str]) -> list[str]:
    """A wheel file given as a requirement stands for ``name==version``."""
    from packaging.utils import parse_wheel_filename

    roots = []
    for r in requirements:
        if r.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(Path(r).name)
            roots.append(f"{name}=={version}")
    return roots


def _last_lines(text: str, count: int = 5) -> str:
    return "\n".join(text.strip().splitlines()[-count:])


def build_own_wheel(dest: Path, *, pip: list[str] | None = None) -> Path:
    """Build this package's wheel from its source checkout (pyproject.toml beside the package)."""
    from .. import __version__

    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file():
        raise UserError("xlsbridge のソース（pyproject.toml）が見つかりません。--wheel で xlsbridge の .whl を指定してください",
                        "xlsbridge's source (pyproject.toml) is not here; give the xlsbridge .whl with --wheel")
    pip = pip or [sys.executable, "-m", "pip"]
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlsbridge-wheel-") as work:
        # build from a copy: a build inside the checkout leaves build/ and *.egg-info behind
        source = Path(work) / "src"
        shutil.copytree(root, source, ignore=shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info",
                                                                      "__pycache__", ".pytest_cache", "demo-output"))
        done = _pip(["wheel", "--no-deps", "-w", str(dest), str(source)], pip)
    wheels = sorted(dest.glob(f"xlsbridge-{__version__}-*.whl"))
    if done.returncode != 0 or not wheels:
        raise UserError("xlsbridge の wheel を作れませんでした:\n" + _last_lines(done.stderr),
                        "could not build the xlsbridge wheel:\n" + _last_lines(done.stderr))
    return wheels[-1]
