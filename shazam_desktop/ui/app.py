"""Start the desktop app: `shazam-desktop` with no subcommand lands here."""

from __future__ import annotations

import logging
import signal
import sys
import traceback
from pathlib import Path

from shazam_desktop.errors import ShazamError

log = logging.getLogger(__name__)


def _demo_dir() -> Path | None:
    try:
        from shazam_desktop.demo import demo_dir
    except ImportError:
        return None
    try:
        return demo_dir()
    except OSError:
        return None


def limit_blas_threads() -> None:
    """One BLAS thread in the app process.

    The app's numpy work is small (one query's embeddings at a time) and OpenBLAS's extra
    threads spin while they wait: measured, they took listening from 24 % to 35 % of a core
    for nothing.  Indexing runs in worker processes, which set their own limits.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1, user_api="blas")


def maybe_offer_demo(win, settings) -> None:
    """First run: an empty library is offered the bundled demo tracks (once)."""
    lib = win.library
    if lib is None or len(lib) > 0 or settings.qs.value("demo/offered", False, bool):
        return
    demo = _demo_dir()
    if demo is None:
        return
    settings.qs.setValue("demo/offered", True)
    win.offer_demo(demo)


def run_app(library_dir: str | None, argv: list[str]) -> int:
    """Open the main window on `library_dir` (else the remembered or default library)."""
    import pyqtgraph as pg
    from PySide6.QtCore import QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication

    from shazam_desktop.store.library import Library
    from shazam_desktop.ui.main_window import MainWindow
    from shazam_desktop.ui.qtcheck import problem
    from shazam_desktop.ui.resources import app_icon
    from shazam_desktop.ui.settings import APP, ORG, AppSettings
    from shazam_desktop.ui.tasks import TaskRunner
    from shazam_desktop.ui.theme import apply_theme

    trouble = problem()
    if trouble:
        print(f"shazam-desktop: {trouble}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(list(argv) or ["shazam-desktop"])
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setApplicationDisplayName(APP)
    app.setDesktopFileName("shazam-desktop")
    app.setWindowIcon(app_icon())
    pg.setConfigOptions(antialias=True)
    limit_blas_threads()
    settings = AppSettings()
    apply_theme(app, settings.theme)

    folder = library_dir or settings.library or None
    library, error = None, ""
    try:
        library = Library.open(folder)
    except ShazamError as e:
        error = str(e)
    except OSError as e:
        error = f"cannot open the library: {e.strerror or e}"

    pool = QThreadPool()
    pool.setMaxThreadCount(4)  # listen + index + identify + listing sources at once
    runner = TaskRunner(pool)
    win = MainWindow(library, settings, runner, library_error=error)

    def excepthook(kind, value, tb) -> None:
        # A bug must not become a traceback dialog or a dead window: log it, say so briefly.
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        win.statusBar().showMessage(
            f"Something went wrong ({kind.__name__}: {value}); see the log.", 10000
        )

    old_hook, sys.excepthook = sys.excepthook, excepthook
    old_sigint = signal.signal(signal.SIGINT, lambda *_: app.quit())
    heartbeat = QTimer()  # lets Python see Ctrl+C while Qt's loop runs
    heartbeat.start(250)
    heartbeat.timeout.connect(lambda: None)

    win.show()
    win.listen_page.panel.button.setFocus()
    QTimer.singleShot(0, lambda: maybe_offer_demo(win, settings))
    try:
        code = app.exec()
    finally:
        sys.excepthook = old_hook
        signal.signal(signal.SIGINT, old_sigint)
        heartbeat.stop()
    pool.waitForDone(5000)
    return int(code)
