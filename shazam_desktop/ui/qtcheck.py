"""Refuse, in one sentence, to run on a PySide6 build that corrupts Python's reference counts.

PySide6 6.12.0 on Python 3.11 returns None (from every void method) and True (from
`Signal.emit`) without taking a reference.  Python 3.12+ makes those objects immortal and
never notices; 3.11 aborts with "none_dealloc: deallocating None" within minutes of
drawing plots.  6.11.x is sound.  The check costs microseconds.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF


def reference_counts_are_sound() -> bool:
    p = QPointF()
    before = sys.getrefcount(None)
    for _ in range(16):
        p.setX(1.0)
    return sys.getrefcount(None) - before > -16


def problem() -> str | None:
    """A sentence when this PySide6 cannot run the app safely, else None."""
    if reference_counts_are_sound():
        return None
    import PySide6

    return (
        f"PySide6 {PySide6.__version__} has a reference-counting bug on Python "
        f"{sys.version_info.major}.{sys.version_info.minor} that crashes the app: install "
        "another version (pip install 'PySide6-Essentials>=6.6,<6.12') or use Python 3.12+"
    )
