"""Managing the library from the app: add (with failures), remove, cancel, details."""

from __future__ import annotations

import numpy as np
import soundfile as sf
from PySide6.QtCore import Qt

from tests.helpers import tone_song
from tests.ui.conftest import ScriptedPrompter
from tests.ui.helpers import drop_files


def song_folder(root, n: int, seconds: float = 8.0, seed: int = 900):
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        sf.write(str(root / f"{i:03d} - Tune {i}.wav"), tone_song(seed + i, seconds, 11025), 11025)
    return root


def test_add_folder_with_a_corrupt_file_shows_its_error_row(make_window, library, tmp_path):
    folder = song_folder(tmp_path / "new", 2)
    (folder / "broken.ogg").write_bytes(b"OggS" + bytes(range(200)) * 10)
    win = make_window(library, prompter=ScriptedPrompter(folder=str(folder)))
    win.library_view.add_folder_btn.click()
    view = win.library_view
    assert view.model.rowCount() == 5  # 3 + 2 new
    assert view.failure_box.isVisibleTo(win)
    assert view.failures.rowCount() == 1
    assert view.failures.index(0, 0).data() == "broken.ogg"
    assert (
        "damaged" in view.failures.index(0, 1).data()
        or "format" in view.failures.index(0, 1).data()
    )
    assert "Added 2 tracks" in view.message.text() and "1 failed" in view.message.text()
    assert not view.strip.isVisibleTo(win)


def test_dropping_a_folder_on_the_library_adds_it(make_window, library, tmp_path):
    folder = song_folder(tmp_path / "dropped", 1)
    win = make_window(library)
    win.tabs.setCurrentIndex(1)
    assert drop_files(win.library_view, [folder])
    assert win.library_view.model.rowCount() == 4


def select_row(view, row: int) -> None:
    # QTableView.selectRow obeys the keyboard modifiers a previous test may have left set.
    sm = view.table.selectionModel()
    sm.select(view.proxy.index(row, 0), sm.SelectionFlag.ClearAndSelect | sm.SelectionFlag.Rows)


def test_remove_asks_first_and_takes_tracks_out(make_window, library, qtbot):
    prompter = ScriptedPrompter(confirm_answer=False)
    win = make_window(library, prompter=prompter)
    view = win.library_view
    win.tabs.setCurrentIndex(1)
    select_row(view, 0)
    view.remove_btn.click()
    assert prompter.asked == ["Remove tracks"] and view.model.rowCount() == 3
    prompter.confirm_answer = True
    win.activateWindow()
    view.table.setFocus()
    qtbot.waitUntil(view.table.hasFocus, timeout=2000)
    select_row(view, 0)
    gone = view.selected_ids()
    assert len(gone) == 1
    qtbot.keyClick(view.table, Qt.Key_Delete)
    assert view.model.rowCount() == 2
    assert all(t.id not in gone for t in library.tracks())


def test_cancel_indexing_stops_it_and_keeps_the_app_usable(make_window, library, tmp_path, qtbot):
    folder = song_folder(tmp_path / "many", 24, seconds=20.0, seed=950)
    win = make_window(library, threaded=True)
    view = win.library_view
    win.add_paths([str(folder)])
    assert view.strip.isVisible() and view.busy
    qtbot.waitUntil(
        lambda: view.progress.maximum() > 0 and view.progress.value() >= 1, timeout=20000
    )
    view.filter.setText("tune")  # still usable while it runs
    view.cancel_btn.click()
    assert not view.cancel_btn.isEnabled()
    qtbot.waitUntil(lambda: not view.busy, timeout=10000)
    assert "cancelled" in view.message.text()
    assert len(library.tracks()) < 3 + 24
    view.filter.setText("")
    assert view.model.rowCount() == len(library.tracks())


def test_double_click_reveals_details_not_playback(make_window, library, monkeypatch):
    from shazam_desktop.ui import library_view

    shown = []
    monkeypatch.setattr(library_view.TrackDetails, "exec", lambda self: shown.append(self) or 0)
    win = make_window(library)
    view = win.library_view
    idx = view.proxy.index(0, 0)
    view.table.doubleClicked.emit(idx)
    assert len(shown) == 1
    texts = " ".join(w.text() for w in shown[0].findChildren(library_view.QLabel))
    t = view.proxy.data(idx, library_view.ROW_ROLE)
    assert t.path in texts and f"{t.n_hashes:,}" in texts


def test_filter_and_sort(make_window, library):
    win = make_window(library)
    view = win.library_view
    title = library.tracks()[1].title
    view.filter.setText(title.split()[0])
    assert 1 <= view.proxy.rowCount() <= 3
    assert any(view.proxy.index(r, 0).data() == title for r in range(view.proxy.rowCount()))
    view.filter.setText("")
    view.table.sortByColumn(3, Qt.AscendingOrder)
    durations = [view.proxy.data(view.proxy.index(r, 3), Qt.UserRole + 1) for r in range(3)]
    assert durations == sorted(durations)
    assert np.isfinite(durations).all()
