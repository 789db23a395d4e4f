"""The main window: builds the pages and wires their signals to the library and workers.

No signal processing here: listening lives in `listener.py`, pictures in the views, and
every library call that may take time goes through the task runner.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox, QTabWidget

from shazam_desktop.audio.capture import AudioSource
from shazam_desktop.audio.decode import is_audio_path
from shazam_desktop.errors import ShazamError
from shazam_desktop.listen import ListenOutcome
from shazam_desktop.store.catalog import Track
from shazam_desktop.store.library import AddReport, IdentifyResult, Library, Progress, expand_paths
from shazam_desktop.ui import fmt
from shazam_desktop.ui.history_view import HistoryView, write_history_csv
from shazam_desktop.ui.library_view import FileDropTarget, LibraryView, TrackDetails, summarize
from shazam_desktop.ui.listen_page import ListenPage
from shazam_desktop.ui.listener import ListenController
from shazam_desktop.ui.models import Failure
from shazam_desktop.ui.prompts import AUDIO_FILTER, Prompter
from shazam_desktop.ui.resources import app_icon
from shazam_desktop.ui.settings import AppSettings, SettingsDialog, SettingsValues
from shazam_desktop.ui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)

SourceFactory = Callable[[str], AudioSource]
SourceLister = Callable[[], list[tuple[str, str]]]
LISTEN, LIBRARY, HISTORY = range(3)


@dataclass(frozen=True)
class JobUpdate:
    """What an indexing job tells the GUI: files to come, a step, the tracks committed so far."""

    progress: Progress | None = None
    tracks: list[Track] | None = None
    pending: list[str] | None = None


def default_source_factory(name: str) -> AudioSource:
    from shazam_desktop.audio.capture import MicSource

    return MicSource(name or None)


def default_source_lister() -> list[tuple[str, str]]:
    """(label, name) of every source, the default first; raises AudioDeviceError."""
    from shazam_desktop.audio.sources import import_sounddevice, list_sources

    import_sounddevice()  # PortAudioMissingError here says more than "no sources"
    out = []
    for s in list_sources():
        label = s.description + ("  — default" if s.is_default else "")
        out.append((label, s.name))
    return out


class MainWindow(FileDropTarget, QMainWindow):
    def __init__(
        self,
        library: Library | None,
        settings: AppSettings,
        runner: TaskRunner,
        prompter: Prompter | None = None,
        source_factory: SourceFactory = default_source_factory,
        source_lister: SourceLister | None = default_source_lister,
        library_error: str = "",
        open_library: Callable[[str], Library] = Library.open,
    ) -> None:
        super().__init__()
        self.library = library
        self.settings = settings
        self.runner = runner
        self.prompter = prompter or Prompter(self)
        self.source_factory = source_factory
        self.source_lister = source_lister
        self.open_library = open_library
        self.setWindowTitle("Shazam Desktop")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)

        self.listen_page = ListenPage()
        self.library_view = LibraryView()
        self.history_view = HistoryView()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.listen_page, "Listen")
        self.tabs.addTab(self.library_view, "Library")
        self.tabs.addTab(self.history_view, "History")
        self.setCentralWidget(self.tabs)
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)

        self.listener = ListenController(runner, self)
        self.listener.set_continuous(settings.continuous)
        self.job: Task | None = None  # the running add / remove / re-index job
        self.file_queue: list[str] = []
        self.identifying = False
        self.last_logged: int | None = None  # continuous mode: the last song written to history

        self._build_menus()
        self._wire()
        geo = settings.geometry()
        if geo is None or not self.restoreGeometry(geo):
            self.resize(1280, 800)
        self.tabs.setCurrentIndex(min(max(settings.tab(), 0), 2))
        self.set_library(library, library_error)
        self.refresh_sources()

    # ------------------------------------------------------------------ building
    def _build_menus(self) -> None:
        mb = self.menuBar()
        m_file = mb.addMenu("&File")
        self.act_open = self._action(
            m_file, "&Open audio file…", QKeySequence.Open, self.choose_files_to_identify
        )
        m_file.addSeparator()
        self.act_add_files = self._action(
            m_file, "Add &files to library…", None, self.choose_files_to_add
        )
        self.act_add_folder = self._action(
            m_file, "Add f&older to library…", "Ctrl+Shift+O", self.choose_folder_to_add
        )
        m_file.addSeparator()
        self.act_settings = self._action(
            m_file, "&Settings…", QKeySequence.Preferences, self.open_settings
        )
        if self.act_settings.shortcut().isEmpty():
            self.act_settings.setShortcut(QKeySequence("Ctrl+,"))
        m_file.addSeparator()
        act_quit = self._action(m_file, "&Quit", QKeySequence.Quit, self.close)
        if act_quit.shortcut().isEmpty():
            act_quit.setShortcut(QKeySequence("Ctrl+Q"))

        m_listen = mb.addMenu("&Listen")
        self.act_listen = self._action(m_listen, "&Listen / Stop", None, self.toggle_listening)
        # Shown in the menu; the window-wide shortcut below does the work.
        self.act_listen.setShortcut(QKeySequence(Qt.Key_Space))
        self.act_listen.setShortcutContext(Qt.WidgetShortcut)
        self.act_continuous = QAction(
            "&Continuous listening (log each new song)", self, checkable=True
        )
        self.act_continuous.setChecked(self.settings.continuous)
        self.act_continuous.toggled.connect(self.set_continuous)
        m_listen.addAction(self.act_continuous)
        self._action(m_listen, "&Refresh sources", None, self.refresh_sources)

        m_view = mb.addMenu("&View")
        for i, name in enumerate(("&Listen", "Li&brary", "&History")):
            self._action(
                m_view, name, f"Ctrl+{i + 1}", lambda _=False, i=i: self.tabs.setCurrentIndex(i)
            )

        m_help = mb.addMenu("&Help")
        self._action(m_help, "&About Shazam Desktop", None, self.about)

        # Space starts and stops listening anywhere in the window; text fields still type
        # spaces (they claim the key through ShortcutOverride).
        self.space = QShortcut(
            QKeySequence(Qt.Key_Space), self, self.toggle_listening, context=Qt.WindowShortcut
        )

    def _action(self, menu, text: str, shortcut, slot) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        a.triggered.connect(lambda _checked=False: slot())
        menu.addAction(a)
        return a

    def _wire(self) -> None:
        p = self.listen_page.panel
        p.listen_toggled.connect(self._listen_button)
        p.sources.chosen.connect(self._source_chosen)
        lc = self.listener
        lc.started.connect(self._listen_started)
        lc.frame.connect(lambda: self.listen_page.spectrogram.show_live(lc.live))
        lc.level.connect(p.meter.set_level)
        lc.attempted.connect(self._attempted)
        lc.answered.connect(self._answered)
        lc.quiet.connect(self._quiet)
        lc.failed.connect(self._listen_failed)
        lc.stopped.connect(self._listen_stopped)

        lv = self.library_view
        lv.add_files_btn.clicked.connect(self.choose_files_to_add)
        lv.add_folder_btn.clicked.connect(self.choose_folder_to_add)
        lv.add_requested.connect(self.add_paths)
        lv.remove_requested.connect(self.remove_tracks)
        lv.reindex_requested.connect(self.reindex)
        lv.cancel_requested.connect(self.cancel_job)
        lv.details_requested.connect(self.show_details)

        hv = self.history_view
        hv.clear_requested.connect(self.clear_history)
        hv.export_requested.connect(self.export_history)

    # ------------------------------------------------------------------ library
    def set_library(self, library: Library | None, error: str = "") -> None:
        self.library = library
        has = library is not None
        for w in (
            self.library_view.add_files_btn,
            self.library_view.add_folder_btn,
            self.library_view.reindex_btn,
            self.act_add_files,
            self.act_add_folder,
            self.act_open,
        ):
            w.setEnabled(has)
        if library is None:
            msg = fmt.sentence(error or "no library is open")
            self.library_view.show_message(msg + " Choose another folder in Settings (Ctrl+,).")
            self.listen_page.card.show_idle(msg)
            self.library_view.set_tracks([])
            self.history_view.set_entries([])
        else:
            self.refresh_tracks()
            self.refresh_history()
            if library.needs_reindex:
                self.library_view.show_message(
                    "This library was built with different engine settings. Re-index it before "
                    "recognising (Re-index above); its tracks are kept."
                )
            else:
                self.library_view.show_message("")
        self._update_status()

    def refresh_tracks(self, tracks: list[Track] | None = None) -> None:
        if self.library is None:
            return
        if tracks is None:
            if self.job is not None:
                return  # the library's write lock is held: the job's progress brings tracks
            tracks = self.library.tracks()
        self.library_view.set_tracks(tracks)
        self._update_status(len(tracks))

    def refresh_history(self) -> None:
        if self.library is not None:
            self.history_view.set_entries(self.library.history())

    def _update_status(self, n: int | None = None) -> None:
        if self.library is None:
            self.status_label.setText("No library")
            return
        n = len(self.library_view.model.rows) if n is None else n
        self.status_label.setText(f"{n} track{'s' if n != 1 else ''} · {self.library.folder}")

    # --- jobs: add, remove, re-index (one at a time; the app stays usable) ---
    def _start_job(
        self, what: str, fn: Callable[[Task], object], done: Callable[[object], None]
    ) -> bool:
        if self.library is None:
            return False
        if self.job is not None:
            self.prompter.inform(
                "Library busy", "Another library job is running; wait for it or cancel it."
            )
            return False
        self.library_view.job_started(what)
        self.job = self.runner.run(
            fn,
            on_progress=self._job_progress,
            on_done=lambda v: self._job_done(v, done),
            on_error=self._job_failed,
            name=what,
        )
        if self.job.finished:  # synchronous runner
            self.job = None
        return True

    def _job_progress(self, u: JobUpdate) -> None:
        if u.pending is not None:
            self.library_view.set_pending(u.pending)
        if u.tracks is not None:
            self.library_view.set_tracks(u.tracks)
            self._update_status(len(u.tracks))
        if u.progress is not None:
            self.library_view.job_progress(u.progress)

    def _job_done(self, value: object, done: Callable[[object], None]) -> None:
        self.job = None
        done(value)
        self.refresh_tracks()
        self._update_status()

    def _job_failed(self, msg: str) -> None:
        self.job = None
        self.library_view.job_finished(fmt.sentence(msg))
        self.refresh_tracks()

    def _indexing_fn(
        self,
        run: Callable[[Library, Callable, threading.Event], AddReport],
        files: Callable[[], list[str]] | None = None,
    ):
        lib = self.library

        def fn(task: Task) -> AddReport:
            if files is not None:
                task.report(JobUpdate(pending=files()))
            seen = [len(lib)]

            def progress(p: Progress) -> None:
                # Runs on the worker, which holds the library's lock: read the tracks here.
                n = len(lib)
                tracks = None
                if n != seen[0]:
                    seen[0] = n
                    tracks = lib.tracks()
                task.report(JobUpdate(progress=p, tracks=tracks))

            return run(lib, progress, task.cancel)

        return fn

    def add_paths(self, paths: list[str]) -> None:
        if not paths or self.library is None:
            return
        self.library_view.clear_failures()

        def files() -> list[str]:
            found, _missing = expand_paths(paths)
            return [str(f.resolve()) for f in found]

        fn = self._indexing_fn(
            lambda lib, prog, cancel: lib.add_paths(paths, progress=prog, cancel=cancel), files
        )
        if self._start_job(
            f"Adding {len(paths)} item{'s' if len(paths) != 1 else ''}…", fn, self._added
        ):
            self.tabs.setCurrentIndex(LIBRARY)

    def _added(self, report: AddReport) -> None:
        self.library_view.add_failures([Failure(p, m) for p, m in report.errors])
        self.library_view.job_finished(summarize(report))

    def remove_tracks(self, ids: list[int]) -> None:
        if self.library is None or not ids:
            return
        n = len(ids)
        if not self.prompter.confirm(
            "Remove tracks",
            f"Remove {n} track{'s' if n != 1 else ''} from the library?\n\n"
            "The audio files stay where they are; only the library forgets them.",
            "Remove",
        ):
            return
        lib = self.library

        def fn(task: Task) -> list[int]:
            return lib.remove(ids)

        self._start_job(f"Removing {n} track{'s' if n != 1 else ''}…", fn, self._removed)

    def _removed(self, removed: list[int]) -> None:
        self.library_view.job_finished(
            f"Removed {len(removed)} track{'s' if len(removed) != 1 else ''}."
        )

    def reindex(self) -> None:
        if self.library is None:
            return
        if not self.prompter.confirm(
            "Re-index the library",
            "Fingerprint every track again from its file? This takes a while; the app stays usable.",
            "Re-index",
        ):
            return
        paths = [t.path for t in self.library_view.model.rows if t.id >= 0]
        fn = self._indexing_fn(
            lambda lib, prog, cancel: lib.reindex(progress=prog, cancel=cancel), lambda: paths
        )
        self._start_job("Re-indexing…", fn, self._reindexed)

    def _reindexed(self, report: AddReport) -> None:
        self.library_view.add_failures([Failure(p, m) for p, m in report.errors])
        self.library_view.job_finished(summarize(report, "Re-indexed"))

    def cancel_job(self) -> None:
        if self.job is not None:
            self.job.cancel.set()

    def choose_files_to_add(self) -> None:
        files = self.prompter.open_files("Add audio files to the library")
        if files:
            self.add_paths(files)

    def choose_folder_to_add(self) -> None:
        d = self.prompter.open_folder("Add a folder of music to the library")
        if d:
            self.add_paths([d])

    def show_details(self, track: Track) -> None:
        cover = self.library.cover(track.id) if self.library and track.has_cover else None
        TrackDetails(track, cover, self).exec()

    def offer_demo(self, demo: Path) -> bool:
        """First run: an empty library is offered the bundled demo tracks."""
        n = len(list(demo.glob("*.ogg")))
        if self.prompter.confirm(
            "Welcome to Shazam Desktop",
            f"Your library is empty. Import the {n} demo tracks that come with the app?\n\n"
            "Then play one from a phone or another speaker and press Listen, or drop one on the "
            "window. You can add your own music at any time (Library > Add folder).",
            "Import demo tracks",
        ):
            self.add_paths([str(demo)])
            return True
        return False

    # ------------------------------------------------------------------ history
    def record(self, result: IdentifyResult, source: str, query: str) -> None:
        if self.library is None:
            return
        try:
            self.library.record(result, source, query)
        except ShazamError as e:
            log.warning("could not record history: %s", e)
        self.refresh_history()

    def clear_history(self) -> None:
        if self.library and self.prompter.confirm(
            "Clear history", "Forget every recognition in this library's history?", "Clear"
        ):
            self.library.clear_history()
            self.refresh_history()

    def export_history(self) -> None:
        if self.library is None:
            return
        path = self.prompter.save_file("Export history", "shazam-history.csv", "CSV files (*.csv)")
        if not path:
            return
        try:
            write_history_csv(self.library.history(), path)
        except OSError as e:
            self.prompter.warn("Export failed", fmt.sentence(f"{path}: {e.strerror or e}"))
        else:
            self.statusBar().showMessage(f"History exported to {path}", 5000)

    # ------------------------------------------------------------------ identify files
    def choose_files_to_identify(self) -> None:
        files = self.prompter.open_files("Identify audio files", AUDIO_FILTER)
        if files:
            self.identify_files(files)

    def identify_files(self, paths: list[str]) -> None:
        """Identify each file in turn: its spectrogram with peaks, then the answer."""
        files: list[str] = []
        for p in paths:
            if os.path.isdir(p):
                files.extend(
                    str(f) for f in sorted(Path(p).rglob("*")) if f.is_file() and is_audio_path(f)
                )
            else:
                files.append(p)
        if not files:
            return
        self.tabs.setCurrentIndex(LISTEN)
        if self.listener.listening:
            self.listener.stop()
        self.file_queue.extend(files)
        self._next_file()

    def _next_file(self) -> None:
        if self.identifying or not self.file_queue or self.library is None:
            return
        path = self.file_queue.pop(0)
        self.identifying = True
        lib = self.library
        left = len(self.file_queue)
        more = f" ({left} more queued)" if left else ""
        if self.job is not None:  # the library is being written: lookups wait for it
            more += " — waiting for the library job to finish"
        self.listen_page.panel.set_status(f"Identifying {Path(path).name}…{more}")
        self.listen_page.card.show_working(f"Identifying {Path(path).name}…")
        t0 = time.perf_counter()

        def fn(task: Task) -> IdentifyResult:
            return lib.identify_file(path)

        self.runner.run(
            fn,
            on_done=lambda r: self._file_done(path, r, time.perf_counter() - t0),
            on_error=lambda msg: self._file_failed(path, msg),
            name="identify file",
        )

    def _file_done(self, path: str, result: IdentifyResult, took: float) -> None:
        self.identifying = False
        name = Path(path).name
        self.listen_page.spectrogram.show_analysis(result.analysis, name)
        self._show_result(result, took, name)
        self.record(result, "file", path)
        self._next_file()

    def _file_failed(self, path: str, msg: str) -> None:
        self.identifying = False
        text = fmt.sentence(msg)
        self.listen_page.panel.set_status(text, error=True)
        self.listen_page.card.show_idle(text)
        self.listen_page.card.kind = "error"
        self.listen_page.card.title.setText("Could not identify this file")
        self.listen_page.alignment.clear()
        self._next_file()

    def _show_result(self, result: IdentifyResult, took: float | None, query: str) -> None:
        page = self.listen_page
        cover = None
        if result.track is not None and result.track.has_cover and self.library is not None:
            cover = self.library.cover(result.track.id)
        page.card.show_result(result, cover, took, query)
        if result.match is not None and result.track is not None:
            page.alignment.show_match(
                result.match, result.analysis.spectrogram.params.frames_per_second
            )
            m, t = result.match, result.track
            page.panel.set_status(
                f"Found “{t.title}” by {t.artist or 'an unknown artist'} — "
                f"confidence {fmt.percent(m.confidence)}, at {fmt.duration(m.offset_s)}."
            )
        else:
            page.alignment.clear()
            page.panel.set_status("No match: this doesn't seem to be in your library.")

    # ------------------------------------------------------------------ listening
    def refresh_sources(self) -> None:
        if self.source_lister is None:
            return
        lister = self.source_lister
        self.runner.run(
            lambda task: lister(),
            on_done=self._sources_listed,
            on_error=self._sources_failed,
            name="list sources",
        )

    def _sources_listed(self, items: list[tuple[str, str]]) -> None:
        self.listen_page.panel.sources.set_sources(items, self.settings.source)
        self.listen_page.panel.set_available()
        self.listen_page.panel.button.setEnabled(True)

    def _sources_failed(self, msg: str) -> None:
        # Listing failed: keep "Default input" and say why only if listening cannot work.
        self.listen_page.panel.sources.set_sources([], self.settings.source)
        if "PortAudio" in msg:
            self.listen_page.panel.set_unavailable(fmt.sentence(msg))
            self.listen_page.panel.button.setEnabled(False)
        else:
            self.listen_page.panel.button.setToolTip(fmt.sentence(msg))

    def _source_chosen(self, name: str) -> None:
        self.settings.source = name

    def set_continuous(self, on: bool) -> None:
        self.settings.continuous = on
        self.listener.set_continuous(on)
        if self.act_continuous.isChecked() != on:
            self.act_continuous.setChecked(on)

    def toggle_listening(self) -> None:
        self._listen_button(not self.listener.listening)

    def _listen_button(self, on: bool) -> None:
        page = self.listen_page
        if not on:
            self.listener.stop()
            return
        if self.library is None:
            page.panel.set_listening(False)
            page.panel.set_status("No library is open: choose one in Settings.", error=True)
            return
        if self.library.needs_reindex:
            page.panel.set_listening(False)
            page.panel.set_status("Re-index the library first (Library > Re-index).", error=True)
            return
        if len(self.library_view.model.rows) == 0 and self.job is None:
            page.panel.set_listening(False)
            page.panel.set_status(
                "Your library is empty: add music on the Library tab (or drop files there) first.",
                error=True,
            )
            return
        if not page.panel.button.isEnabled():
            page.panel.set_listening(False)
            return
        name = page.panel.sources.current_name()
        label = page.panel.sources.currentText()
        factory = self.source_factory
        self.tabs.setCurrentIndex(LISTEN)
        self.file_queue.clear()
        self.last_logged = None
        page.panel.set_listening(True)
        page.panel.set_status(f"Opening {label.split('  — ')[0]}…")
        page.card.show_working("Listening…")
        page.card.artist.setText("Most songs are found within a few seconds. Press Space to stop.")
        page.alignment.clear()
        page.spectrogram.clear()
        page.spectrogram.updates = 0
        self.listener.start(self.library, lambda: factory(name))

    def _listen_started(self, source: AudioSource) -> None:
        self.listen_page.panel.set_available()
        self.listen_page.spectrogram.start_live(self.listener.live)
        self.listen_page.panel.set_status(f"Listening to {source.label}…")

    def _attempted(self, result: IdentifyResult) -> None:
        src = self.listener.source
        heard = f"{src.elapsed_s:.0f} s" if src is not None else ""
        self.listen_page.panel.set_status(f"Listening… {heard} heard, no match yet.")

    def _answered(self, outcome: ListenOutcome, since_press: float) -> None:
        page = self.listen_page
        res = outcome.result
        src = self.listener.source
        kind = getattr(src, "kind", "")
        source = "mic" if kind == "microphone" else f"listen:{getattr(src, 'name', '') or 'source'}"
        query = getattr(src, "label", "") or source
        if outcome.error and not outcome.matched:
            self._listen_failed(outcome.error, "Listening stopped")
            return
        if res is None:
            return
        if outcome.matched:
            if self.listener.continuous.is_set():
                if res.match.track_id != self.last_logged:
                    self.last_logged = res.match.track_id
                    self.record(res, source, query)
                self._show_result(res, since_press, query)
                page.panel.set_status(
                    page.panel.status.text() + "  Still listening for the next song…"
                )
                return
            self.record(res, source, query)
            self._show_result(res, since_press, query)
        elif not self.listener.continuous.is_set():
            self.record(res, source, query)
            self._show_result(res, None, query)
            note = " ".join(fmt.sentence(n) for n in outcome.notes)
            page.panel.set_status(
                f"No match after {outcome.listened_s:.0f} s: this doesn't seem to be in your library. {note}".strip()
            )

    def _quiet(self, on: bool) -> None:
        if on and self.listener.listening:
            self.listen_page.panel.set_status(
                "The input is very quiet: turn the volume up, move closer, or choose another source.",
                error=True,
            )
        elif self.listener.listening:
            self.listen_page.panel.set_status("Listening…")

    def _listen_failed(self, msg: str, title: str = "Cannot listen") -> None:
        text = fmt.sentence(msg)
        self.listen_page.panel.set_status(text, error=True)
        self.listen_page.panel.button.setToolTip(f"Last try: {text}")  # the button explains itself
        self.listen_page.card.show_idle(text)
        self.listen_page.card.kind = "error"
        self.listen_page.card.title.setText(title)

    def _listen_stopped(self) -> None:
        page = self.listen_page
        page.panel.set_listening(False)
        if page.card.kind == "working":
            page.card.show_idle()
            page.panel.set_status("Stopped.")

    # ------------------------------------------------------------------ settings, about
    def open_settings(self) -> None:
        s = self.settings
        folder = str(self.library.folder) if self.library else s.library
        values = SettingsValues(
            self.listen_page.panel.sources.current_name(), folder, s.continuous, s.theme
        )
        dlg = SettingsDialog(values, self.listen_page.panel.sources.items(), self.prompter, self)
        if dlg.exec():
            self.apply_settings(dlg.values())

    def apply_settings(self, v: SettingsValues) -> None:
        s = self.settings
        sources = self.listen_page.panel.sources
        sources.setCurrentIndex(max(0, sources.findData(v.source)))
        s.source = v.source
        self.set_continuous(v.continuous)
        if v.theme != s.theme:
            s.theme = v.theme
            from shazam_desktop.ui.theme import apply_theme

            apply_theme(QApplication.instance(), v.theme)
        current = str(self.library.folder) if self.library else ""
        if v.library and os.path.abspath(os.path.expanduser(v.library)) != os.path.abspath(current):
            self.switch_library(v.library)

    def switch_library(self, folder: str) -> None:
        if self.job is not None:
            self.prompter.warn(
                "Library busy", "Wait for the library job to finish (or cancel it) first."
            )
            return
        self.listener.stop()
        self.file_queue.clear()
        try:
            lib = self.open_library(folder)
        except ShazamError as e:
            self.prompter.warn("Cannot open the library", fmt.sentence(str(e)))
            return
        old, self.library = self.library, None
        if old is not None:
            try:
                old.close()
            except ShazamError as e:
                log.warning("closing the old library: %s", e)
        self.settings.library = str(lib.folder)
        self.set_library(lib)

    def about(self) -> None:
        from shazam_desktop import __version__

        QMessageBox.about(
            self,
            "About Shazam Desktop",
            f"<b>Shazam Desktop {__version__}</b><p>An offline music recogniser: it listens, finds "
            "the song in your own library with landmark fingerprints (Wang 2003), and shows the "
            "proof. Nothing leaves this computer.</p>",
        )

    # ------------------------------------------------------------------ drops, closing
    def files_dropped(self, paths: list[str]) -> None:
        self.identify_files(paths)

    def closeEvent(self, e: QCloseEvent) -> None:
        # The tab is remembered here, not on each switch: QSettings rewrote its file on the
        # GUI thread every time (16-35 ms a switch, measured).
        self.settings.set_tab(self.tabs.currentIndex())
        self.settings.set_geometry(self.saveGeometry())
        self.settings.sync()
        self.listener.stop()
        self.runner.cancel_all()
        self.runner.wait(5000)
        if self.library is not None:
            try:
                self.library.close()
            except ShazamError as err:
                log.warning("closing the library: %s", err)
            self.library = None
        super().closeEvent(e)
