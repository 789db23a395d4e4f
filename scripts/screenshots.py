#!/usr/bin/env python3
"""Render screenshots of the real app to docs/screenshots/ (light and dark palettes).

    xvfb-run -s "-screen 0 1920x1080x24" .venv/bin/python scripts/screenshots.py

Without a display it falls back to Qt's offscreen platform (same pictures, no window
manager).  Everything shown is generated here: a small library of synthesised songs with
cover art, a file-fed source that plays them in real time as a microphone would, and a
folder being indexed.  Shots:

  listening-<theme>.png         listening to a song that is not in the library: the
                                scrolling spectrogram with its constellation peaks
  match-<theme>.png             a library song recognised: result card, alignment plot
                                with the winning diagonal, offset histogram
  library-indexing-<theme>.png  the library view while a folder is being indexed
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def make_songs(folder: Path, seeds: list[int], seconds: float) -> list[Path]:
    from shazam_desktop.synth.music import corpus_filename, make_cover_png, make_spec, write_track

    out = []
    for s in seeds:
        spec = make_spec(s, seconds)
        p = folder / corpus_filename(spec, "ogg")
        if not p.exists():
            write_track(spec, p, sr=22050, cover=make_cover_png(spec, 256))
        out.append(p)
    return out


def wait(app, seconds: float, until=None) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        if until is not None and until():
            return True
        time.sleep(0.01)
    return until is None


def shoot(
    app,
    theme: str,
    work: Path,
    out: Path,
    size: tuple[int, int],
    song: Path,
    stranger: Path,
    n_new: int,
) -> list[Path]:
    """The three shots in one palette."""
    from PySide6.QtCore import QSettings, QThreadPool

    from shazam_desktop.audio.filesource import FileSource
    from shazam_desktop.store.library import Library
    from shazam_desktop.ui.main_window import MainWindow
    from shazam_desktop.ui.settings import AppSettings
    from shazam_desktop.ui.tasks import TaskRunner

    width, height = size
    tag = theme if size == (1280, 800) else f"{theme}-{width}x{height}"
    shots: list[Path] = []
    lib_dir = work / f"library-{tag}"
    lib = Library(lib_dir)
    if len(lib) == 0:
        lib.add_paths([work / "songs"])
    settings = AppSettings(QSettings(str(work / f"settings-{tag}.ini"), QSettings.IniFormat))
    settings.theme = theme
    pool = QThreadPool()
    pool.setMaxThreadCount(4)
    source = {"path": stranger, "start": 0.0}

    def factory(_name: str, source=source) -> FileSource:
        return FileSource(source["path"], sample_rate=44100, start_at_s=source["start"])

    win = MainWindow(
        lib,
        settings,
        TaskRunner(pool),
        source_factory=factory,
        source_lister=lambda: [
            ("Built-in Microphone  — default", ""),
            ("Speakers (what this computer plays)", "speakers.monitor"),
        ],
    )
    win.resize(width, height)
    win.show()
    wait(app, 0.5)

    # 1. Listening: a song that is not in the library, seven seconds in.
    win.listener.max_seconds = 30.0
    win.toggle_listening()
    wait(app, 7.5)
    shots.append(out / f"listening-{tag}.png")
    win.grab().save(str(shots[-1]))
    win.toggle_listening()
    wait(app, 0.5)

    # 2. A match: a library song played from 0:21, found as it plays.
    source.update(path=song, start=21.0)
    win.listener.max_seconds = 15.0
    win.toggle_listening()
    wait(app, 20.0, until=lambda: not win.listener.listening)
    wait(app, 0.8)  # let the scroll settle
    shots.append(out / f"match-{tag}.png")
    win.grab().save(str(shots[-1]))

    # 3. The library while a folder is being indexed.
    win.tabs.setCurrentIndex(1)
    win.add_paths([str(work / "more")])
    view = win.library_view
    wait(
        app, 60.0, until=lambda: view.progress.maximum() > 0 and view.progress.value() >= n_new // 3
    )
    shots.append(out / f"library-indexing-{tag}.png")
    win.grab().save(str(shots[-1]))
    wait(app, 60.0, until=lambda: not view.busy)
    win.close()
    pool.waitForDone(5000)
    return shots


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    ap.add_argument("--size", default="1280x800", help="window size, e.g. 1920x1080")
    ap.add_argument("--themes", default="light,dark")
    args = ap.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from shazam_desktop.ui.app import limit_blas_threads
    from shazam_desktop.ui.resources import app_icon
    from shazam_desktop.ui.theme import apply_theme

    app = QApplication(["shazam-desktop"])
    app.setApplicationName("Shazam Desktop")
    app.setWindowIcon(app_icon())
    pg.setConfigOptions(antialias=True)
    limit_blas_threads()

    work = Path(tempfile.mkdtemp(prefix="shazam-shots-"))
    print(f"generating songs in {work} ...", flush=True)
    songs = make_songs(work / "songs", [11, 23, 37, 42, 58, 64], 45.0)
    stranger = make_songs(work / "other", [913], 40.0)[0]
    to_index = make_songs(work / "more", list(range(100, 118)), 30.0)
    shots = []

    for theme in args.themes.split(","):
        apply_theme(app, theme)
        shots += shoot(app, theme, work, out, (width, height), songs[3], stranger, len(to_index))
    for s in shots:
        print(s)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
