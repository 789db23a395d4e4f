"""Fixtures for the app tests: a generated library, scripted prompts, a window factory."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import soundfile as sf  # noqa: E402

from tests.audio.conftest import pulse_sink  # noqa: E402,F401  (one PulseAudio fixture for all)
from tests.helpers import tone_song  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
METRICS = ROOT / "bench-out" / "ui_metrics.json"
SONG_S = 30.0
FILE_SR = 22050


@dataclass(frozen=True)
class UiCorpus:
    folder: Path
    songs: list[Path]  # in the library, in id order
    stranger: Path  # a song that is not in the library


@pytest.fixture(scope="session")
def ui_corpus(tmp_path_factory) -> UiCorpus:
    """Three generated songs with tags and cover art, and one song left out of the library."""
    d = tmp_path_factory.mktemp("ui_songs")
    songs = []
    try:
        from shazam_desktop.synth.music import make_cover_png, make_spec, write_track

        for i in range(3):
            spec = make_spec(500 + i, SONG_S)
            songs.append(
                write_track(spec, d / f"song{i}.ogg", sr=FILE_SR, cover=make_cover_png(spec, 128))
            )
    except ImportError:
        for i in range(3):
            x = tone_song(500 + i, SONG_S, FILE_SR)
            p = d / f"song{i}.wav"
            sf.write(str(p), x, FILE_SR)
            songs.append(p)
    # Not from the synthesiser: its songs share drum samples, which the engine can take for a
    # match (reported to the engine's owner); a different generator is a clean stranger.
    stranger = d / "stranger.wav"
    sf.write(str(stranger), tone_song(777, 20.0, FILE_SR), FILE_SR)
    return UiCorpus(d, songs, stranger)


@pytest.fixture(scope="session")
def built_library(ui_corpus, tmp_path_factory) -> Path:
    from shazam_desktop.store.library import Library

    folder = tmp_path_factory.mktemp("ui_lib") / "library"
    with Library(folder) as lib:
        for p in ui_corpus.songs:
            report = lib.add_paths([p], workers=1)
            assert len(report.added) == 1, report.errors
    return folder


@pytest.fixture
def library(built_library, tmp_path):
    """A private copy of the built library (tests may change it)."""
    from shazam_desktop.store.library import Library

    folder = tmp_path / "library"
    shutil.copytree(built_library, folder)
    lib = Library(folder)
    yield lib
    try:
        lib.close()
    except Exception:
        pass


@dataclass
class ScriptedPrompter:
    """Answers the app's questions without dialogs; records what was asked."""

    confirm_answer: bool = True
    files: list[str] = field(default_factory=list)
    folder: str | None = None
    save_path: str | None = None
    asked: list[str] = field(default_factory=list)

    def confirm(self, title: str, text: str, ok: str = "OK") -> bool:
        self.asked.append(title)
        return self.confirm_answer

    def inform(self, title: str, text: str) -> None:
        self.asked.append(title)

    def warn(self, title: str, text: str) -> None:
        self.asked.append(title)

    def open_files(self, title: str, filter: str = "") -> list[str]:
        return list(self.files)

    def open_folder(self, title: str, start: str = "") -> str | None:
        return self.folder

    def save_file(self, title: str, suggested: str, filter: str) -> str | None:
        return self.save_path


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    from shazam_desktop.ui.settings import AppSettings

    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))


@pytest.fixture
def make_window(qtbot, settings) -> Iterator[Callable]:
    """make_window(library, threaded=False, **kw) -> MainWindow (closed at teardown)."""
    from PySide6.QtCore import QThreadPool

    from shazam_desktop.ui.main_window import MainWindow
    from shazam_desktop.ui.tasks import SyncTaskRunner, TaskRunner

    made = []

    def make(library, threaded: bool = False, prompter=None, **kw):
        if threaded:
            pool = QThreadPool()
            pool.setMaxThreadCount(4)
            runner = TaskRunner(pool)
        else:
            runner = SyncTaskRunner()
        kw.setdefault("source_lister", lambda: [("Test input  — default", "")])
        win = MainWindow(library, settings, runner, prompter or ScriptedPrompter(), **kw)
        qtbot.addWidget(win)
        win.resize(1280, 800)
        # Tests start from a painted window: its first paint (all three plots cold, about
        # 45 ms of CPU) otherwise lands in whatever a test measures next, or not, by race.
        with qtbot.waitExposed(win):
            win.show()
        win.activateWindow()  # shortcuts (Space, Ctrl+O) need the active window
        qtbot.waitUntil(win.isActiveWindow, timeout=2000)
        made.append(win)
        return win

    yield make
    for w in made:
        if w.isVisible() or w.library is not None:
            w.close()


def record_metric(name: str, value) -> None:
    """Figures for the lead (issue 5's closing numbers): bench-out/ui_metrics.json."""
    METRICS.parent.mkdir(parents=True, exist_ok=True)
    data = {}
    if METRICS.exists():
        try:
            data = json.loads(METRICS.read_text())
        except ValueError:
            data = {}
    data[name] = value
    METRICS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(f"[ui metric] {name} = {value}")
