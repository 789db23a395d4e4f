"""Listen end to end: a file-backed source plays a library track in real time."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from shazam_desktop.audio.filesource import FileSource
from tests.ui.conftest import record_metric

NATIVE_SR = 44100  # like a sound card: the app must resample to the engine rate


def listen_once(qtbot, win, timeout_ms: int = 25000):
    with qtbot.waitSignal(win.listener.stopped, timeout=timeout_ms):
        with qtbot.waitSignal(win.listener.answered, timeout=timeout_ms) as answer:
            qtbot.keyClick(win, Qt.Key_Space)
    return answer.args


def test_listen_finds_the_song_and_shows_the_proof(make_window, library, ui_corpus, qtbot):
    song = ui_corpus.songs[1]
    win = make_window(
        library,
        threaded=True,
        source_factory=lambda name: FileSource(song, sample_rate=NATIVE_SR, start_at_s=9.0),
    )
    outcome, since_press = listen_once(qtbot, win)
    assert outcome.matched
    page = win.listen_page
    want = library.track(outcome.result.match.track_id)
    assert want.path == str(song.resolve())
    assert page.card.kind == "match" and page.card.title.text() == want.title
    # Generated songs repeat whole sections, so the excerpt may align at a later repeat.
    assert f"at {int(outcome.result.match.offset_s) // 60}:" in page.card.details.text().replace(
        "\xa0", " "
    )
    assert page.alignment.n_points >= outcome.result.match.score
    assert len(page.alignment.aligned.data) > 0
    assert page.spectrogram.updates > 10  # it was drawing while listening
    assert not page.panel.button.isChecked()  # back to "Listen"
    hist = library.history()
    assert len(hist) == 1 and hist[0].track_id == want.id
    assert win.history_view.model.rowCount() == 1
    record_metric("listen_to_answer_clean_s", round(since_press, 2))


def test_listen_at_0_db_white_noise(make_window, library, ui_corpus, qtbot):
    song = ui_corpus.songs[2]
    win = make_window(
        library,
        threaded=True,
        source_factory=lambda name: FileSource(
            song, sample_rate=NATIVE_SR, start_at_s=6.0, noise_snr_db=0.0
        ),
    )
    outcome, since_press = listen_once(qtbot, win)
    record_metric("listen_to_answer_0db_s", round(since_press, 2) if outcome.matched else None)
    assert outcome.matched
    assert library.track(outcome.result.match.track_id).path == str(song.resolve())


def test_stop_works_at_once(make_window, library, ui_corpus, qtbot):
    win = make_window(
        library,
        threaded=True,
        source_factory=lambda name: FileSource(ui_corpus.stranger, sample_rate=NATIVE_SR),
    )
    with qtbot.waitSignal(win.listener.started, timeout=5000):
        qtbot.mouseClick(win.listen_page.panel.button, Qt.LeftButton)
    qtbot.wait(500)
    qtbot.mouseClick(win.listen_page.panel.button, Qt.LeftButton)
    assert not win.listener.listening
    assert win.listen_page.panel.button.text().endswith("Listen")
    assert win.listen_page.panel.status.text() == "Stopped."


@pytest.mark.pulse
def test_listen_through_portaudio_and_a_pulseaudio_null_sink(
    make_window, library, ui_corpus, qtbot, pulse_sink
):
    """The real capture path: paplay plays a library track into a null sink; the app
    records the sink's monitor through PortAudio."""
    import subprocess

    from shazam_desktop.ui.main_window import default_source_lister

    song = ui_corpus.songs[0]
    win = make_window(library, threaded=True, source_lister=default_source_lister)
    chooser = win.listen_page.panel.sources
    qtbot.waitUntil(lambda: chooser.findData(pulse_sink.monitor) >= 0, timeout=5000)
    assert "what this computer plays" in chooser.itemText(chooser.findData(pulse_sink.monitor))
    chooser.setCurrentIndex(chooser.findData(pulse_sink.monitor))
    # A short playback buffer: paplay's default one delays the music by about two seconds.
    player = subprocess.Popen(
        ["paplay", "--latency-msec=50", f"--device={pulse_sink.sink}", str(song)]
    )
    try:
        qtbot.wait(1000)  # the song is already playing when Listen is pressed, as in real use
        outcome, since_press = listen_once(qtbot, win)
    finally:
        player.kill()
        player.wait()
    record_metric(
        "listen_to_answer_pulse_monitor_s", round(since_press, 2) if outcome.matched else None
    )
    assert outcome.matched, outcome.error
    assert library.track(outcome.result.match.track_id).path == str(song.resolve())
    assert win.history_view.model.rowCount() == 1


def test_continuous_listening_logs_each_new_song_once(make_window, library, ui_corpus, qtbot):
    """A radio monitor: song A, then song B; each is written to the history once."""
    import numpy as np

    from shazam_desktop.audio.decode import load

    a = load(ui_corpus.songs[0], sr=NATIVE_SR).samples
    b = load(ui_corpus.songs[2], sr=NATIVE_SR).samples
    stream = np.concatenate(
        [a[5 * NATIVE_SR : int(8.5 * NATIVE_SR)], b[5 * NATIVE_SR : 25 * NATIVE_SR]]
    )
    win = make_window(
        library,
        threaded=True,
        source_factory=lambda name: FileSource(stream, sample_rate=NATIVE_SR),
    )
    win.set_continuous(True)
    win.listener.pause_after_match_s = 0.3
    found = []
    win.listener.answered.connect(
        lambda out, _s: out.matched and found.append(out.result.match.track_id)
    )
    qtbot.keyClick(win, Qt.Key_Space)
    qtbot.waitUntil(lambda: len(set(found)) >= 2, timeout=20000)
    assert win.listener.listening  # still going: it is a monitor
    qtbot.keyClick(win, Qt.Key_Space)
    assert not win.listener.listening
    ids = [t.id for t in library.tracks()]
    want = [
        next(t.id for t in library.tracks() if t.path == str(p.resolve()))
        for p in (ui_corpus.songs[0], ui_corpus.songs[2])
    ]
    logged = [h.track_id for h in reversed(library.history())]
    assert logged == want, (logged, want, ids)
