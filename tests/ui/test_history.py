"""History: every recognition is kept in the library, survives a restart, clears, exports."""

from __future__ import annotations

import csv

from shazam_desktop.store.library import Library
from tests.ui.conftest import ScriptedPrompter


def test_history_survives_a_restart_then_clears_and_exports(
    make_window, library, ui_corpus, tmp_path
):
    folder = library.folder
    win = make_window(library)
    win.identify_files([str(ui_corpus.songs[0]), str(ui_corpus.stranger)])
    assert win.history_view.model.rowCount() == 2
    win.close()  # closes the library too

    again = Library(folder)
    out = tmp_path / "history.csv"
    prompter = ScriptedPrompter(save_path=str(out))
    win2 = make_window(again, prompter=prompter)
    hv = win2.history_view
    assert hv.model.rowCount() == 2
    results = sorted(hv.model.index(r, 2).data() for r in range(2))
    assert "No match" in results

    hv.export_btn.click()
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 2 and {r["source"] for r in rows} == {"file"}
    assert any(r["title"] for r in rows) and any(not r["title"] for r in rows)

    prompter.confirm_answer = False
    hv.clear_btn.click()
    assert hv.model.rowCount() == 2
    prompter.confirm_answer = True
    hv.clear_btn.click()
    assert hv.model.rowCount() == 0 and again.history() == []
    assert not hv.clear_btn.isEnabled()
