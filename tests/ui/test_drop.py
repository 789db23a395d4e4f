"""Dropping files on the window identifies them, one after another."""

from __future__ import annotations

import numpy as np
import soundfile as sf
from PySide6.QtCore import Qt

from tests.ui.helpers import drop_files


def excerpt(src, dst, start_s: float, seconds: float):
    x, sr = sf.read(str(src), dtype="float32")
    sf.write(str(dst), x[int(start_s * sr) : int((start_s + seconds) * sr)], sr)
    return dst


def test_dropped_excerpt_is_identified_with_its_spectrogram_and_proof(
    make_window, library, ui_corpus, tmp_path
):
    clip = excerpt(ui_corpus.songs[0], tmp_path / "clip.wav", 4.0, 6.0)
    win = make_window(library)
    assert drop_files(win.listen_page, [clip])
    page = win.listen_page
    want = library.tracks()[0]
    assert page.card.kind == "match" and page.card.title.text() == want.title
    assert page.alignment.n_points > 0
    assert len(page.spectrogram.peaks.data) > 20  # the file's constellation is drawn
    assert page.spectrogram.image.image.shape[0] > 200  # about 6 s of columns
    assert library.history()[0].source == "file"


def test_several_files_in_turn_and_a_corrupt_one_gets_a_clear_message(
    make_window, library, ui_corpus, tmp_path
):
    bad = tmp_path / "broken.ogg"
    bad.write_bytes(b"OggS" + bytes(range(256)) * 20)
    clips = [excerpt(ui_corpus.songs[i], tmp_path / f"c{i}.wav", 10.0, 5.0) for i in (1, 2)]
    win = make_window(library)
    seen = []
    win.listener  # noqa: B018  (the window is idle)
    orig = win._show_result
    win._show_result = lambda r, took, q: (seen.append(q), orig(r, took, q))
    assert drop_files(win, [clips[0], bad, clips[1]])
    assert seen == ["c1.wav", "c2.wav"]
    assert [h.source for h in library.history()] == ["file", "file"]
    # The corrupt file's message was shown in its turn (the status is now the last result).
    win.identify_files([str(bad)])
    status = win.listen_page.panel.status.text()
    assert "broken.ogg" in status and "Traceback" not in status
    assert win.listen_page.card.title.text() == "Could not identify this file"


def test_a_song_not_in_the_library_says_no_match_and_what_it_sounds_like(
    make_window, library, ui_corpus
):
    win = make_window(library)
    win.identify_files([str(ui_corpus.stranger)])
    card = win.listen_page.card
    assert card.kind == "nomatch" and card.title.text() == "No match"
    assert "Sounds like" in card.details.text()
    assert win.listen_page.alignment.n_points == 0


def test_ctrl_o_opens_files_to_identify(make_window, library, ui_corpus, qtbot, tmp_path):
    from tests.ui.conftest import ScriptedPrompter

    clip = excerpt(ui_corpus.songs[2], tmp_path / "clip.wav", 3.0, 5.0)
    win = make_window(library, prompter=ScriptedPrompter(files=[str(clip)]))
    qtbot.keyClick(win, Qt.Key_O, Qt.ControlModifier)
    assert win.listen_page.card.kind == "match"


def test_silence_is_refused_in_a_sentence(make_window, library, tmp_path):
    p = tmp_path / "silence.wav"
    sf.write(str(p), np.zeros(11025 * 3, np.float32), 11025)
    win = make_window(library)
    win.identify_files([str(p)])
    assert "silent" in win.listen_page.panel.status.text()
