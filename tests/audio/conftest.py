"""Fixtures for the audio tests: a small generated library and a PulseAudio null sink."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.helpers import music

FILE_SR = 22050
SONG_S = 30.0
SINK = "virtmic"


@dataclass(frozen=True)
class SmallLibrary:
    folder: Path
    songs: list[Path]  # songs[i] is track id i + 1


@pytest.fixture(scope="session")
def small_library(tmp_path_factory) -> SmallLibrary:
    """Three generated 30-s songs (stereo WAV, 22050 Hz), indexed in one process."""
    from shazam_desktop.store.library import Library

    d = tmp_path_factory.mktemp("audio_songs")
    songs = []
    for i in range(3):
        x = music(300 + i, SONG_S, FILE_SR)
        p = d / f"song{i}.wav"
        sf.write(str(p), np.stack([x, 0.9 * x], axis=1), FILE_SR)
        songs.append(p)
    folder = d / "library"
    with Library(folder) as lib:
        for p in songs:  # one by one: track ids follow the song order
            report = lib.add_paths([p], workers=1)
            assert len(report.added) == 1, report.errors
    return SmallLibrary(folder, songs)


def _pactl(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=10, check=check)


def _server_up() -> bool:
    try:
        return _pactl("info", check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@dataclass(frozen=True)
class PulseSink:
    sink: str
    monitor: str


@pytest.fixture(scope="session")
def pulse_sink() -> Iterator[PulseSink]:
    """A running PulseAudio server with a null sink `virtmic` as default sink and source.

    Starts the server when none answers (and stops it afterwards); skipped only when the
    pulseaudio binary or its command-line tools are not installed.
    """
    exe = shutil.which("pulseaudio")
    if exe is None or shutil.which("pactl") is None or shutil.which("paplay") is None:
        pytest.skip(
            "needs the pulseaudio binary and its tools (apt install pulseaudio pulseaudio-utils)"
        )
    if os.environ.get("PULSE_SERVER"):
        pytest.skip("PULSE_SERVER is set; not touching someone else's sound server")
    started = False
    if not _server_up():
        subprocess.run(
            [exe, "--daemonize=yes", "--exit-idle-time=-1", "--disallow-exit"],
            check=True,
            timeout=20,
        )
        started = True
        deadline = time.monotonic() + 10
        while not _server_up():
            assert time.monotonic() < deadline, "pulseaudio did not come up"
            time.sleep(0.1)
    sinks = _pactl("list", "short", "sinks").stdout
    module = None
    if not any(line.split("\t")[1] == SINK for line in sinks.splitlines() if "\t" in line):
        module = _pactl(
            "load-module",
            "module-null-sink",
            f"sink_name={SINK}",
            "sink_properties=device.description=Virtual_Speakers",
        ).stdout.strip()
    info = _pactl("info").stdout
    old = {k: v.strip() for k, _, v in (line.partition(":") for line in info.splitlines()) if v}
    _pactl("set-default-sink", SINK)
    _pactl("set-default-source", f"{SINK}.monitor")
    yield PulseSink(SINK, f"{SINK}.monitor")
    if started:
        subprocess.run([exe, "--kill"], timeout=20, check=False)
        return
    if module:
        _pactl("unload-module", module, check=False)
    for key, cmd in (
        ("Default Sink", "set-default-sink"),
        ("Default Source", "set-default-source"),
    ):
        if old.get(key) and old[key] != f"{SINK}" and old[key] != f"{SINK}.monitor":
            _pactl(cmd, old[key], check=False)
