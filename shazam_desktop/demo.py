"""Where the bundled demo library lives (inside the package, or the checkout's library/)."""

from __future__ import annotations

from pathlib import Path


def demo_dir() -> Path | None:
    """The folder of demo tracks, or None when this install has none."""
    here = Path(__file__).resolve().parent
    for cand in (here / "demo", here.parent / "library"):
        if cand.is_dir() and any(cand.glob("*.ogg")):
            return cand
    return None
