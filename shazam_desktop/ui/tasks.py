"""A small task runner: work runs on a QThreadPool, results come back to the GUI by signal.

    task = runner.run(fn, on_done=..., on_error=..., on_progress=...)
    # fn(task) runs on a worker thread; it may call task.report(x) and check task.cancel.

`SyncTaskRunner` runs the function at once on the calling thread (tests: deterministic).
Exceptions become one sentence (`describe_error`); a ShazamError's message is already one.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from shazam_desktop.errors import ShazamError

log = logging.getLogger(__name__)


def describe_error(exc: BaseException) -> str:
    """One sentence for a person: our own errors carry it, anything else gets its type."""
    if isinstance(exc, ShazamError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        return f"{where}{exc.strerror or exc}"
    if isinstance(exc, MemoryError):
        return "not enough memory for this job"
    return f"unexpected error ({type(exc).__name__}: {exc})"


class Task(QObject):
    """One job's handle: its signals, its cancel flag, and `report` for progress."""

    progress = Signal(object)
    done = Signal(object)
    failed = Signal(str)
    ended = Signal()  # after done or failed, whichever happened

    def __init__(self, fn: Callable[[Task], Any], name: str = "") -> None:
        super().__init__()
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "task")
        self.cancel = threading.Event()
        self.finished = False

    def report(self, value: object) -> None:
        """Called from the worker: hand a progress value to the GUI thread."""
        self.progress.emit(value)

    def execute(self) -> None:
        try:
            value = self.fn(self)
        except BaseException as e:  # never let a worker die silently or show a traceback
            if isinstance(e, ShazamError):
                log.info("%s failed: %s", self.name, e)
            else:
                log.error("%s failed:\n%s", self.name, traceback.format_exc())
            self.failed.emit(describe_error(e))
        else:
            self.done.emit(value)
        self.ended.emit()


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task = task
        self.setAutoDelete(True)

    def run(self) -> None:
        self.task.execute()


class TaskRunner(QObject):
    """Runs tasks on a thread pool and keeps them alive until they end."""

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._live: set[Task] = set()

    def run(
        self,
        fn: Callable[[Task], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        name: str = "",
    ) -> Task:
        task = Task(fn, name)
        if on_progress:
            task.progress.connect(on_progress)
        if on_done:
            task.done.connect(on_done)
        if on_error:
            task.failed.connect(on_error)
        self._live.add(task)
        task.ended.connect(lambda: self._forget(task))
        self._start(task)
        return task

    def _start(self, task: Task) -> None:
        self.pool.start(_Runnable(task))

    def _forget(self, task: Task) -> None:
        task.finished = True
        self._live.discard(task)

    @property
    def busy(self) -> bool:
        return bool(self._live)

    def cancel_all(self) -> None:
        for t in list(self._live):
            t.cancel.set()

    def wait(self, msecs: int = -1) -> bool:
        """Block until every task ended (used when the window closes)."""
        return self.pool.waitForDone(msecs)


class SyncTaskRunner(TaskRunner):
    """Runs each task immediately on the caller's thread: for deterministic tests."""

    def _start(self, task: Task) -> None:
        task.execute()

    def wait(self, msecs: int = -1) -> bool:
        return True
