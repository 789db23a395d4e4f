"""When things are missing: a clear sentence in the window, never a traceback."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt

from shazam_desktop.audio.filesource import FileSource
from shazam_desktop.errors import DeviceBusyError, NoSoundServerError, PortAudioMissingError
from tests.ui.conftest import ScriptedPrompter


def test_this_pyside_keeps_reference_counts_sound():
    """PySide6 6.12.0 on Python 3.11 aborts the app within minutes (see ui/qtcheck.py)."""
    from shazam_desktop.ui.qtcheck import problem

    assert problem() is None


def test_busy_device_says_so_and_everything_else_works(make_window, library, ui_corpus, qtbot):
    def busy(name):
        raise DeviceBusyError(
            "the audio input 'USB Mic' is busy: another program is using it exclusively"
        )

    win = make_window(library, threaded=True, source_factory=busy)
    with qtbot.waitSignal(win.listener.failed, timeout=5000):
        qtbot.keyClick(win, Qt.Key_Space)
    panel = win.listen_page.panel
    assert panel.status.text().startswith("The audio input 'USB Mic' is busy")
    assert not panel.button.isChecked() and panel.button.isEnabled()
    assert win.listen_page.card.title.text() == "Cannot listen"
    win.identify_files([str(ui_corpus.songs[0])])  # files still work
    qtbot.waitUntil(lambda: win.listen_page.card.kind == "match", timeout=10000)


def test_no_portaudio_disables_listen_with_the_reason(make_window, library):
    def lister():
        raise PortAudioMissingError(
            "the PortAudio library is not installed, so no microphone can be opened "
            "(install it: `sudo apt install libportaudio2`)"
        )

    win = make_window(library, source_lister=lister)
    button = win.listen_page.panel.button
    assert not button.isEnabled()
    assert "libportaudio2" in button.toolTip()
    assert "PortAudio" in win.listen_page.panel.status.text()


def test_no_sound_server_keeps_a_default_input(make_window, library):
    def lister():
        raise NoSoundServerError("no PulseAudio or PipeWire sound server is running")

    win = make_window(library, source_lister=lister)
    assert win.listen_page.panel.button.isEnabled()
    assert win.listen_page.panel.sources.items() == [("Default input", "")]


class DyingSource(FileSource):
    """Plays for a moment, then behaves like an unplugged device."""

    def __init__(self, *a, die_after_s: float = 1.0, **kw):
        super().__init__(*a, **kw)
        self.die_after_s = die_after_s
        self.t0 = None

    def start(self):
        self.t0 = time.monotonic()
        super().start()

    @property
    def error(self):
        if self.t0 is not None and time.monotonic() - self.t0 > self.die_after_s:
            return "the audio input 'USB Mic' stopped (unplugged, removed, or the sound server went away)"
        return None


def test_device_unplugged_mid_listen(make_window, library, ui_corpus, qtbot):
    win = make_window(
        library,
        threaded=True,
        source_factory=lambda n: DyingSource(ui_corpus.stranger, sample_rate=44100),
    )
    with qtbot.waitSignal(win.listener.stopped, timeout=10000):
        qtbot.keyClick(win, Qt.Key_Space)
    assert "unplugged" in win.listen_page.panel.status.text()
    assert not win.listen_page.panel.button.isChecked()


def test_no_library_says_why(make_window):
    win = make_window(None, library_error="/nope: the library folder is not writable")
    assert "/nope: the library folder is not writable" in win.library_view.message.text()
    win.toggle_listening()
    assert "No library" in win.listen_page.panel.status.text()


def test_empty_library_is_offered_the_demo_once(make_window, tmp_path, settings, ui_corpus):
    from shazam_desktop.store.library import Library
    from shazam_desktop.ui import app

    demo = ui_corpus.folder
    empty = Library(tmp_path / "empty")
    prompter = ScriptedPrompter(confirm_answer=False)
    win = make_window(empty, prompter=prompter)
    win.toggle_listening()
    assert "library is empty" in win.listen_page.panel.status.text()
    added = []
    win.add_paths = added.append
    app._demo_dir = lambda: demo  # noqa: SLF001  (instead of the bundled demo)
    try:
        app.maybe_offer_demo(win, settings)
        app.maybe_offer_demo(win, settings)
    finally:
        import importlib

        importlib.reload(app)
    assert prompter.asked == ["Welcome to Shazam Desktop"]  # asked once, declined
    prompter2 = ScriptedPrompter(confirm_answer=True)
    win.prompter = prompter2
    assert win.offer_demo(demo) and added == [[str(demo)]]


def test_continuous_setting_is_remembered(make_window, library, settings):
    win = make_window(library)
    win.act_continuous.setChecked(True)
    assert settings.continuous and win.listener.continuous.is_set()
    win.listen_page.panel.sources.set_sources([("A", "a"), ("B", "b")], "")
    win.listen_page.panel.sources.setCurrentIndex(1)
    assert settings.source == "b"


def test_window_geometry_and_tab_are_remembered(make_window, library, settings):
    win = make_window(library)
    win.resize(1100, 700)
    win.tabs.setCurrentIndex(2)
    win.close()
    again = make_window(None)
    assert again.tabs.currentIndex() == 2
    assert settings.geometry() is not None


def test_hovering_a_landmark_names_its_times():
    from shazam_desktop.ui.result_view import AlignmentPlot

    assert (
        AlignmentPlot._tip(2.5, 83.25, True)
        == "excerpt 2.50 s → track 83.25 s (1:23)\non the diagonal"
    )
    assert "chance hit" in AlignmentPlot._tip(1.0, 5.0, False)


def test_settings_switch_library_and_palette(make_window, library, tmp_path, settings):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from shazam_desktop.ui.settings import SettingsValues
    from shazam_desktop.ui.theme import is_dark

    win = make_window(library)
    other = tmp_path / "other-library"
    win.apply_settings(SettingsValues("", str(other), True, "dark"))
    try:
        assert win.library is not None and win.library.folder == other
        assert settings.library == str(other) and settings.continuous
        assert is_dark(QApplication.instance().palette())
        assert win.library_view.model.rowCount() == 0
    finally:
        win.apply_settings(SettingsValues("", str(other), True, "light"))
    assert QApplication.instance().palette().color(QPalette.Window).lightness() > 128
    win.apply_settings(SettingsValues("", str(other), False, "system"))


def test_a_close_call_says_how_it_was_settled(qtbot, library, ui_corpus):
    """A match settled by the spectrogram check (or by rare landmarks) says so on the card;
    a clear one says nothing more."""
    import dataclasses

    from shazam_desktop.audio.decode import load
    from shazam_desktop.ui.result_view import ResultCard

    card = ResultCard()
    qtbot.addWidget(card)
    x = load(ui_corpus.songs[1]).samples
    res = library.identify(x[5 * 11025 : 10 * 11025])
    assert res.match is not None
    card.show_result(res, None, 0.5, "clip")
    assert "own audio" not in card.details.text() and "rarest" not in card.details.text()
    for notes, words in (
        ({"verified": 18.2}, "own audio"),
        ({"verified_local": 15.1, "verify_z": 9.0}, "own audio"),
        ({"verified_strong": 10.4, "verify_z": 8.1}, "own audio"),
        ({"same_recording": 31.5, "verify_z": 6.2}, "own recording"),
        ({"same_recording_joint": 21.4, "verify_z": 7.4}, "own recording"),
        ({"transform_verified_local": 17.8, "transform_z": 11.8}, "excerpt's clock"),
        ({"transform_verified_corr": 0.61, "transform_z": 9.0}, "excerpt's clock"),
        ({"verified_local": 14.2, "second_look": True}, "closer look"),
        ({"rarity": (80.0, 20.0)}, "rarest"),
        ({"same_audio": 0.996, "verify_z": 12.3}, "another version"),
    ):
        close = dataclasses.replace(res, search=dataclasses.replace(res.search, notes=notes))
        card.show_result(close, None, 0.5, "clip")
        assert words in card.details.text()
