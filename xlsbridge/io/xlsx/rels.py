"""Relationships (``_rels``) and content types of a package."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from typing import Callable

from .xmltext import _ATTRS, REL_OFFICE_DOCUMENT, attrs_of

def rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


@dataclass
class _Rel:
    id: str
    type: str
    target: str  # as written
    part: str | None  # resolved part name, None for an external target


def _parse_rels(xml: str, source: str) -> list[_Rel]:
    rels = []
    for m in re.finditer(r"<(?:[\w.-]+:)?Relationship(?=[\s/>])" + _ATTRS + r"/?>", xml):
        a = attrs_of(m.group(1))
        external = a.get("TargetMode", "").lower() == "external"
        target = a.get("Target", "")
        rels.append(_Rel(a.get("Id", ""), a.get("Type", ""), target, None if external else resolve(source, target)))
    return rels


_RELATIONSHIP = re.compile(r"<(?:[\w.-]+:)?Relationship(?=[\s/>])" + _ATTRS + r"/?>")
_OVERRIDE = re.compile(r"<(?:[\w.-]+:)?Override(?=[\s/>])" + _ATTRS + r"/?>")


PACKAGE_RELS = "_rels/.rels"
USUAL_WORKBOOK_PART = "xl/workbook.xml"


def workbook_part(member: Callable[[str], str | None], read: Callable[[str], str]) -> str | None:
    """The workbook part: the package's officeDocument relationship (``_rels/.rels``), else
    ``xl/workbook.xml`` when the package has it; None when neither names one.  ``member(part)`` is
    the zip member of a part (None when absent), ``read(member)`` its text."""
    package_rels = member(PACKAGE_RELS)
    if package_rels is not None:
        for rel in _parse_rels(read(package_rels), ""):
            if rel.type == REL_OFFICE_DOCUMENT and rel.part:
                return rel.part
    return USUAL_WORKBOOK_PART if member(USUAL_WORKBOOK_PART) is not None else None
