"""Small text formatters shared by the views."""

from __future__ import annotations

import time


def duration(seconds: float) -> str:
    """1:23 or 1:02:03."""
    s = max(0, int(round(seconds)))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def when(epoch: float) -> str:
    """A local date and time, short."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch))


def percent(x: float) -> str:
    return f"{100 * x:.0f} %"


def source_label(source: str) -> str:
    """History's source field for a person: mic, file, listen:<name>."""
    if source == "mic":
        return "Microphone"
    if source == "file":
        return "File"
    if source.startswith("listen:"):
        name = source.split(":", 1)[1]
        if name.endswith(".monitor"):
            return "This computer"
        return name or "Listen"
    return source


def sentence(text: str) -> str:
    """'the input is silent' -> 'The input is silent.' (errors arrive as lower-case clauses)."""
    t = text.strip()
    if not t:
        return t
    first = t.split(None, 1)[0].rstrip(":,")
    if first.isalpha() and first.islower():  # never touch a file name or a quoted term
        t = t[0].upper() + t[1:]
    return t if t[-1] in ".!?" else t + "."
