"""Where the app's icons live: the checkout's resources/ or the installed package's copy."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

_HERE = Path(__file__).resolve().parent


def resource_dir() -> Path | None:
    for cand in (_HERE.parent / "resources", _HERE.parents[1] / "resources"):
        if (cand / "icons").is_dir():
            return cand
    return None


def resource(name: str) -> Path | None:
    base = resource_dir()
    if base is None:
        return None
    p = base / name
    return p if p.exists() else None


@cache
def app_icon() -> QIcon:
    """The app icon at every size we ship (SVG first, PNGs for platforms without SVG)."""
    icon = QIcon()
    base = resource_dir()
    if base is None:
        return icon
    svg = base / "icons" / "shazam-desktop.svg"
    if svg.exists():
        icon.addFile(str(svg))
    for png in sorted((base / "icons").glob("shazam-desktop-*.png")):
        icon.addFile(str(png))
    return icon
