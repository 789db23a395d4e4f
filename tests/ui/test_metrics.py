"""The GUI never blocks: event-loop stalls, spectrogram frame rate and CPU, measured.

The figures go to bench-out/ui_metrics.json (and stdout with -s) for the report; the
asserts are loose on purpose (a shared 2-core CI machine must not make them flaky).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter

import pytest
import soundfile as sf
from PySide6.QtCore import QObject, Qt, QTimer

from shazam_desktop.audio.filesource import FileSource
from tests.helpers import tone_song
from tests.ui.conftest import record_metric

HEARTBEAT_MS = 5


@pytest.fixture(autouse=True)
def app_conditions():
    """As run_app sets them: one BLAS thread in the app process."""
    from shazam_desktop.ui.app import limit_blas_threads

    limit_blas_threads()


def load_average() -> float:
    """Other work on this machine skews every timing here: record it beside the figures."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return -1.0


def thread_cpu() -> dict[str, float]:
    """CPU seconds used so far by each thread of this process, by role (Linux /proc)."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    main = threading.main_thread().native_id
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended meanwhile
        n = int(tid)
        role = "gui" if n == main else names.get(n, "qt or native")
        out[role] = out.get(role, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


class Heartbeat(QObject):
    """A fast GUI-thread timer; any gap beyond its interval is time the loop was blocked.

    A watcher thread notes where the GUI thread's Python code was during long gaps (the
    deepest app frame), so a stall comes with its culprit.
    """

    def __init__(self) -> None:
        super().__init__()
        self.gaps: list[float] = []
        self.last = None
        self.timer = QTimer(self)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.where: Counter[str] = Counter()
        self._gui = threading.get_ident()
        self._stop = threading.Event()

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()
        threading.Thread(target=self._watch, daemon=True).start()

    def stop(self) -> None:
        self.timer.stop()
        self._stop.set()

    def _watch(self) -> None:
        while not self._stop.wait(0.01):
            if time.perf_counter() - self.last > 0.05:
                frame = sys._current_frames().get(self._gui)
                spot = "Qt (C++)"
                while frame is not None:
                    code = frame.f_code
                    if "shazam_desktop" in code.co_filename or "pyqtgraph" in code.co_filename:
                        spot = (
                            f"{code.co_filename.rsplit('/', 2)[-1]}:{frame.f_lineno} {code.co_name}"
                        )
                        break
                    frame = frame.f_back
                self.where[spot] += 1

    def culprits(self) -> dict[str, int]:
        return dict(self.where.most_common(4))

    def _beat(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    def longest_stall_ms(self) -> float:
        return max(0.0, (max(self.gaps, default=0.0) * 1000) - HEARTBEAT_MS)

    def p99_ms(self) -> float:
        g = sorted(self.gaps)
        return g[int(0.99 * (len(g) - 1))] * 1000 if g else 0.0


def test_listening_with_nothing_found_stays_smooth_and_light(
    make_window, library, ui_corpus, qtbot
):
    win = make_window(
        library,
        threaded=True,
        source_factory=lambda n: FileSource(ui_corpus.stranger, sample_rate=44100, loop=True),
    )
    win.listener.max_seconds = 20.0  # long enough for both measuring windows below
    hb = Heartbeat()
    attempts = []
    win.listener.attempted.connect(attempts.append)
    hb.start()
    with qtbot.waitSignal(win.listener.started, timeout=5000):
        qtbot.keyClick(win, Qt.Key_Space)
    t0 = time.perf_counter()
    qtbot.waitUntil(lambda: len(attempts) >= 1, timeout=8000)  # recognition is running
    # Window 1, with the heartbeat: stalls and frame rate.
    wall0, frames0 = time.perf_counter(), win.listen_page.spectrogram.updates
    qtbot.wait(6000)
    wall1, frames1 = time.perf_counter(), win.listen_page.spectrogram.updates
    hb.stop()
    # Window 2, without it: the heartbeat (a 5-ms timer) and its watcher thread are the
    # test's own load, about 2 % of a core, and not the app's.
    cpu2, wall2, frames2, threads2 = (
        time.process_time(),
        time.perf_counter(),
        win.listen_page.spectrogram.updates,
        thread_cpu(),
    )
    qtbot.wait(6000)
    cpu3, wall3, frames3, threads3 = (
        time.process_time(),
        time.perf_counter(),
        win.listen_page.spectrogram.updates,
        thread_cpu(),
    )
    still_listening = win.listener.listening
    win.toggle_listening()
    fps = (frames1 - frames0) / (wall1 - wall0)
    cpu_share = (cpu3 - cpu2) / (wall3 - wall2)
    by_thread = {
        name: round((threads3.get(name, 0.0) - threads2.get(name, 0.0)) / (wall3 - wall2), 3)
        for name in threads3
    }
    record_metric("listen_longest_gui_stall_ms", round(hb.longest_stall_ms(), 1))
    record_metric("listen_gui_gap_p99_ms", round(hb.p99_ms(), 1))
    record_metric("listen_stall_samples_10ms", hb.culprits())
    record_metric("spectrogram_fps", round(fps, 1))
    record_metric("spectrogram_fps_cpu_window", round((frames3 - frames2) / (wall3 - wall2), 1))
    record_metric("cpu_one_core_share_listening_no_match", round(cpu_share, 3))
    record_metric("cpu_one_core_share_by_thread", by_thread)
    record_metric("identify_attempts_per_s", round(len(attempts) / (time.perf_counter() - t0), 2))
    record_metric("load_average_during_listen_test", load_average())
    # Targets (>= 25 fps, <= 25 % of a core, stalls < 100 ms) are reported, not asserted:
    # this 2-core machine is shared, and a timing assert would fail for someone else's load.
    assert still_listening  # both windows measured a session that was still looking
    assert fps > 5  # it scrolls at all
    assert len(attempts) >= 2  # recognition kept running


def test_indexing_50_tracks_keeps_the_gui_responsive(make_window, library, tmp_path, qtbot):
    folder = tmp_path / "fifty"
    folder.mkdir()
    for i in range(50):
        sf.write(str(folder / f"{i:02d}.wav"), tone_song(2000 + i, 10.0, 11025), 11025)
    win = make_window(library, threaded=True)
    view = win.library_view
    hb = Heartbeat()
    hb.start()
    # Every value the progress bar shows (a fast machine indexes the 50 files in half a
    # second: polling would see two of them).
    ticks: list[int] = []
    view.progress.valueChanged.connect(ticks.append)
    t0 = time.perf_counter()
    win.add_paths([str(folder)])
    # While it runs, keep using the app: type in the filter ten times a second, and look
    # at the Listen page (its plots are the heaviest paint) once a second.
    polls = 0
    while view.busy and time.perf_counter() - t0 < 120:
        qtbot.wait(100)
        polls += 1
        view.filter.setText("0" if polls % 2 else "")
        win.tabs.setCurrentIndex(0 if polls % 10 == 5 else 1)
    elapsed = time.perf_counter() - t0
    hb.stop()
    view.filter.setText("")
    record_metric("indexing_50_tracks_longest_gui_stall_ms", round(hb.longest_stall_ms(), 1))
    record_metric("indexing_50_tracks_gui_gap_p99_ms", round(hb.p99_ms(), 1))
    record_metric("indexing_stall_samples_10ms", hb.culprits())
    record_metric("indexing_50_tracks_10s_each_wall_s", round(elapsed, 1))
    record_metric("load_average_during_indexing_test", load_average())
    assert not view.busy
    assert view.model.rowCount() == 53
    # The bar showed real counts, only forwards; it repaints at most ten times a second,
    # so a job that lasts long enough for several repaints shows several steps (here a
    # fast machine may index the 50 files in half a second: one or two).
    shown = [t for t in ticks if t >= 0]
    assert shown and shown == sorted(shown) and shown[-1] <= 50
    if elapsed > 1.5:
        assert len(set(shown)) > 2, shown  # progress moved in steps the user could see
