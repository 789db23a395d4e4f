"""Listening: a worker runs the recognition loop, a GUI timer draws what is heard.

The worker opens the source (resolving a device may wait on the sound server), then runs
`shazam_desktop.listen.listen` - the same loop as the CLI's `listen` - once, or again and
again in continuous mode.  Meanwhile a ~30 Hz timer on the GUI thread drains the ring
buffer into the live spectrogram and the level meter.  Nothing here blocks the GUI.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from shazam_desktop.audio.capture import AudioSource
from shazam_desktop.listen import QUIET_DB, ListenOutcome, listen
from shazam_desktop.store.library import IdentifyResult, Library
from shazam_desktop.ui.live import LiveSpectrogram
from shazam_desktop.ui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)

SourceFactory = Callable[[], AudioSource]
FRAME_MS = 33
# In continuous mode, after a song is found, wait this long before looking again.
CONTINUOUS_PAUSE_S = 4.0
QUIET_AFTER_S = 2.0


@dataclass(frozen=True)
class _Opened:
    source: AudioSource


@dataclass(frozen=True)
class _Attempt:
    result: IdentifyResult


@dataclass(frozen=True)
class _Answer:
    outcome: ListenOutcome


class ListenController(QObject):
    """Start/stop listening; emits what the views need.  One session at a time."""

    started = Signal(object)  # the AudioSource, once it runs
    frame = Signal()  # `live` holds new columns: redraw
    level = Signal(float)  # dBFS
    attempted = Signal(object)  # IdentifyResult of an attempt without a match
    answered = Signal(object, float)  # ListenOutcome, seconds since Listen was pressed
    quiet = Signal(bool)  # the input has been too quiet for a while / is fine again
    failed = Signal(str)  # a sentence: the session ended because of it
    stopped = Signal()  # the session is over (after answered / failed, or on Stop)

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._tick)
        self.live: LiveSpectrogram | None = None
        self.source: AudioSource | None = None
        self.task: Task | None = None
        self.continuous = threading.Event()
        self.max_seconds = 15.0
        self.pause_after_match_s = CONTINUOUS_PAUSE_S
        self.t_press = 0.0
        self._quiet_since: float | None = None
        self._is_quiet = False
        self._sid = 0
        self._active = False

    @property
    def listening(self) -> bool:
        return self._active

    def set_continuous(self, on: bool) -> None:
        if on:
            self.continuous.set()
        else:
            self.continuous.clear()

    def start(self, library: Library, make_source: SourceFactory) -> None:
        if self._active:
            return
        self.t_press = time.perf_counter()
        self._quiet_since, self._is_quiet = None, False
        params = library.params
        max_s = self.max_seconds
        pause = self.pause_after_match_s
        continuous = self.continuous

        def work(task: Task) -> None:
            source = make_source()
            source.start()
            try:
                task.report(_Opened(source))
                while not task.cancel.is_set():
                    out = listen(
                        library,
                        source,
                        max_seconds=max_s,
                        cancel=task.cancel,
                        on_attempt=lambda r: task.report(_Attempt(r)),
                    )
                    if task.cancel.is_set():
                        break
                    task.report(_Answer(out))
                    if out.error or not continuous.is_set():
                        break
                    if out.matched:
                        task.cancel.wait(pause)
            finally:
                source.stop()

        self._sid += 1
        sid = self._sid
        self._active = True
        task = self.runner.run(
            work,
            on_progress=lambda v: self._progress(sid, v, params),
            on_error=lambda msg: self._failed(sid, msg),
            on_done=lambda _v: self._ended(sid),
            name="listen",
        )
        # A synchronous runner (tests) may have finished the whole session already.
        if self._active and self._sid == sid:
            self.task = task

    def stop(self) -> None:
        """Stop now: the GUI forgets the session at once; the worker winds down by itself."""
        if not self._active:
            return
        self._active = False
        self._sid += 1  # late reports from the old worker are ignored
        if self.task is not None:
            self.task.cancel.set()
        self.task = None
        self._teardown()
        self.stopped.emit()

    # --- from the worker ---
    def _progress(self, sid: int, value: object, params) -> None:
        if sid != self._sid:
            return
        if isinstance(value, _Opened):
            self.source = value.source
            self.live = LiveSpectrogram(params, value.source.sample_rate)
            self.timer.start()
            self.started.emit(value.source)
        elif isinstance(value, _Attempt):
            if value.result.match is None:
                self.attempted.emit(value.result)
        elif isinstance(value, _Answer):
            self._tick()
            self.answered.emit(value.outcome, time.perf_counter() - self.t_press)

    def _failed(self, sid: int, msg: str) -> None:
        if sid == self._sid and self._active:
            self._finish()
            self.failed.emit(msg)
            self.stopped.emit()

    def _ended(self, sid: int) -> None:
        if sid == self._sid and self._active:
            self._finish()
            self.stopped.emit()

    def _finish(self) -> None:
        self._active = False
        self.task = None
        self._teardown()

    def _teardown(self) -> None:
        self.timer.stop()
        self.source = None

    # --- the GUI timer ---
    def _tick(self) -> None:
        src, live = self.source, self.live
        if src is None or live is None:
            return
        if live.push(src.ring.read_new()):
            self.frame.emit()
        db = src.ring.level_db()
        self.level.emit(db)
        now = time.monotonic()
        if db < QUIET_DB:
            if self._quiet_since is None:
                self._quiet_since = now
            if not self._is_quiet and now - self._quiet_since > QUIET_AFTER_S:
                self._is_quiet = True
                self.quiet.emit(True)
        else:
            self._quiet_since = None
            if self._is_quiet:
                self._is_quiet = False
                self.quiet.emit(False)
