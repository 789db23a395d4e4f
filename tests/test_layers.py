"""Only ui/ may import Qt: every other module imports with PySide6 made unimportable."""

import importlib
import pkgutil
import subprocess
import sys

import shazam_desktop


def test_every_module_outside_ui_imports_without_qt():
    names = [
        m.name
        for m in pkgutil.walk_packages(shazam_desktop.__path__, "shazam_desktop.")
        if not m.name.startswith(("shazam_desktop.ui", "shazam_desktop.__main__"))
    ]
    assert "shazam_desktop.engine.matcher" in names and "shazam_desktop.cli" in names
    code = (
        "import sys, importlib\n"
        "for m in ('PySide6', 'pyqtgraph', 'PySide6.QtCore', 'PySide6.QtWidgets'): sys.modules[m] = None\n"
        f"for n in {names!r}: importlib.import_module(n)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph')) and sys.modules[m] is not None]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_engine_is_pure():
    for mod in (
        "spectrogram",
        "peaks",
        "landmarks",
        "embeddings",
        "matcher",
        "index",
        "fingerprint",
    ):
        src = importlib.util.find_spec(f"shazam_desktop.engine.{mod}").origin
        text = open(src).read()
        for forbidden in ("import sqlite3", "open(", "threading", "PySide6", "soundfile"):
            assert forbidden not in text, (mod, forbidden)
