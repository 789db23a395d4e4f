import argparse
import json
import threading
import time

import numpy as np
import pytest

from shazam_desktop import listen as listen_mod
from shazam_desktop.audio.capture import AudioSource, RingBuffer
from shazam_desktop.audio.decode import load
from shazam_desktop.audio.filesource import FileSource
from shazam_desktop.listen import listen, run_listen_cli
from shazam_desktop.store.library import Library
from tests.helpers import music


@pytest.fixture
def lib(small_library):
    with Library(small_library.folder) as library:
        yield library


def test_a_song_playing_in_real_time_is_found_at_the_first_try(lib, small_library):
    src = FileSource(small_library.songs[1], sample_rate=44100, start_at_s=8.0)
    seen = []
    out = listen(lib, src, on_attempt=seen.append)
    assert out.matched and out.error is None
    assert out.result.track.id == 2
    assert out.result.match.offset_s == pytest.approx(8.0, abs=0.3)
    assert out.attempts == len(seen) == 1
    assert 2.9 <= out.listened_s < 4.5
    assert out.time_to_answer_s is not None and out.time_to_answer_s >= 2.9
    assert not src.running  # listen started it, listen stopped it


def test_a_song_not_in_the_library_gives_no_match_but_neighbours(lib):
    stranger = music(999, 12.0, 11025)
    out = listen(lib, FileSource(stranger, realtime=False), max_seconds=5.0)
    assert not out.matched and out.error is None
    assert out.attempts >= 1 and out.result.similar


def test_silence_is_reported_as_a_muted_source(lib):
    out = listen(lib, FileSource(np.zeros(20 * 11025, np.float32), realtime=False), max_seconds=4.0)
    assert not out.matched
    assert out.error == "the input is silent: is the source muted?"


def test_cancel_stops_listening_promptly(lib, small_library):
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    t0 = time.monotonic()
    out = listen(lib, FileSource(small_library.songs[0]), cancel=cancel)
    assert time.monotonic() - t0 < 2.0
    assert out.attempts == 0 and out.result is None and out.error is None


class DyingSource(AudioSource):
    """Delivers a second of audio, then reports the device gone."""

    def __init__(self) -> None:
        super().__init__()
        self.name, self.label, self.sample_rate = "fake", "Fake mic", 11025
        self.ring = RingBuffer(5, 11025)
        self.started = False

    def start(self) -> None:
        self.started = True
        self.ring.write(np.ones(11025, np.float32) * 0.1)
        threading.Timer(0.2, self._die).start()

    def _die(self) -> None:
        self._error = (
            "the audio input 'Fake mic' stopped (unplugged, removed, or the sound server went away)"
        )

    def stop(self) -> None:
        self.started = False

    @property
    def running(self) -> bool:
        return self.started and self._error is None


def test_a_source_that_dies_ends_listening_with_its_sentence(lib):
    src = DyingSource()
    out = listen(lib, src)
    assert out.error and "stopped" in out.error and not out.matched
    assert not src.started


def test_a_stalled_source_times_out(lib, monkeypatch):
    monkeypatch.setattr(listen_mod, "STALL_GRACE_S", 0.2)
    src = DyingSource()
    src._die = lambda: None  # never dies, never delivers more
    out = listen(lib, src, max_seconds=1.5, first_try_s=1.5)
    assert out.error and "stalled" in out.error


def test_a_running_source_is_left_running(lib, small_library):
    src = FileSource(small_library.songs[2], start_at_s=3.0)
    src.start()
    try:
        out = listen(lib, src, first_try_s=2.0)
        assert out.matched and out.result.track.id == 3
        assert src.running
    finally:
        src.stop()


# --- the command line, with the microphone replaced by a file ---


def cli_args(folder, **kw) -> argparse.Namespace:
    base = dict(source=None, seconds=15.0, json=True, list_sources=False, library=str(folder))
    base.update(kw)
    ns = argparse.Namespace(**base)
    ns.library_obj_factory = lambda: Library(folder)
    return ns


def test_cli_json_answer_and_history(small_library, monkeypatch, capsys):
    audio = load(small_library.songs[0])

    def fake_mic(device=None, **kw):
        src = FileSource(audio, realtime=False, start_at_s=5.0)
        src.name, src.label = device or "default.monitor", "Fake speakers"
        return src

    monkeypatch.setattr("shazam_desktop.audio.capture.MicSource", fake_mic)
    code = run_listen_cli(cli_args(small_library.folder, source="speakers.monitor"))
    out = capsys.readouterr()
    assert code == 0, out.err
    obj = json.loads(out.out)
    assert obj["query"] == "listen:speakers.monitor"
    assert obj["match"]["track_id"] == 1
    assert set(obj["match"]) >= {
        "track_id",
        "path",
        "title",
        "artist",
        "album",
        "score",
        "confidence",
        "offset_s",
    }
    assert obj["listened_s"] > 0 and "elapsed_ms" in obj and isinstance(obj["similar"], list)
    with Library(small_library.folder) as library:
        last = library.history(1)[0]
    assert last.source == "listen:speakers.monitor" and last.track_id == 1

    code = run_listen_cli(cli_args(small_library.folder, source="speakers.monitor", json=False))
    out = capsys.readouterr()
    assert code == 0 and "confidence" in out.out and out.out.count("\n") == 1


def test_cli_no_match_exits_1_with_a_human_line(small_library, monkeypatch, capsys):
    stranger = music(998, 8.0, 11025)
    monkeypatch.setattr(
        "shazam_desktop.audio.capture.MicSource",
        lambda device=None, **kw: FileSource(stranger, realtime=False),
    )
    code = run_listen_cli(cli_args(small_library.folder, json=False, seconds=4.0))
    out = capsys.readouterr()
    assert code == 1
    assert out.out.startswith("No match after") and "Sounds like:" in out.out


def test_cli_list_sources_json(monkeypatch, capsys):
    from shazam_desktop.audio import sources

    fake = [
        sources.SourceInfo("spk.monitor", "Speakers (what this computer plays)", "monitor", True),
        sources.SourceInfo("mic", "Built-in microphone", "microphone", False),
    ]
    monkeypatch.setattr(sources, "list_sources", lambda: fake)
    assert run_listen_cli(argparse.Namespace(list_sources=True, json=True)) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {
        "name": "spk.monitor",
        "description": "Speakers (what this computer plays)",
        "kind": "monitor",
        "is_default": True,
    }
    assert run_listen_cli(argparse.Namespace(list_sources=True, json=False)) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].startswith("* spk.monitor") and "microphone" in text


def test_cli_device_errors_are_one_line_and_a_json_object(small_library, monkeypatch, capsys):
    from shazam_desktop.errors import DeviceBusyError

    def busy(device=None, **kw):
        raise DeviceBusyError(
            "the audio input 'USB Mic' is busy: another program is using it exclusively"
        )

    monkeypatch.setattr("shazam_desktop.audio.capture.MicSource", busy)
    code = run_listen_cli(cli_args(small_library.folder, source="usb"))
    out = capsys.readouterr()
    assert code == 2 and out.err.strip().endswith(
        "is busy: another program is using it exclusively"
    )
    obj = json.loads(out.out)
    assert obj["query"] == "listen:usb" and obj["match"] is None and "busy" in obj["error"]
