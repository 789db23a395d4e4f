"""The real path: paplay -> PulseAudio null sink -> its monitor -> PortAudio -> listen."""

import json
import os
import subprocess
import sys
import time

import pytest

from shazam_desktop.audio.capture import MicSource

pytestmark = pytest.mark.pulse

CLI = [sys.executable, "-m", "shazam_desktop.cli"]


def run_cli(
    *args: str, env: dict | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout, env=env)


def test_list_sources_names_the_null_sink_monitor(pulse_sink):
    p = run_cli("listen", "--list-sources", "--json")
    assert p.returncode == 0, p.stderr
    rows = {r["name"]: r for r in json.loads(p.stdout)}
    mon = rows[pulse_sink.monitor]
    assert mon["kind"] == "monitor" and mon["is_default"]
    assert mon["description"].endswith("(what this computer plays)")


def test_listen_to_this_computer_finds_the_song_it_plays(pulse_sink, small_library):
    song = small_library.songs[2]
    player = subprocess.Popen(["paplay", f"--device={pulse_sink.sink}", str(song)])
    try:
        p = run_cli(
            "--library", str(small_library.folder),
            "listen", "--source", pulse_sink.monitor, "--seconds", "12", "--json",
        )  # fmt: skip
    finally:
        player.terminate()
        player.wait(10)
    assert p.returncode == 0, p.stderr
    obj = json.loads(p.stdout)
    assert obj["query"] == f"listen:{pulse_sink.monitor}"
    assert obj["match"]["track_id"] == 3 and obj["match"]["path"] == str(song)
    assert "Traceback" not in p.stderr


def test_the_default_source_is_the_servers(pulse_sink):
    mic = MicSource()
    assert mic.name == pulse_sink.monitor and mic.kind == "monitor"


def test_a_source_that_disappears_mid_listen_sets_error(pulse_sink):
    def pactl(*a):
        return subprocess.run(
            ["pactl", *a], capture_output=True, text=True, check=True
        ).stdout.strip()

    module = pactl("load-module", "module-null-sink", "sink_name=shazam_vanishing")
    try:
        mic = MicSource("shazam_vanishing.monitor")
        mic.start()
        time.sleep(0.5)
        assert mic.running and mic.error is None
        pactl("unload-module", module)
        module = None
        deadline = time.monotonic() + 5
        while mic.error is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert mic.error and "went away" in mic.error
        assert not mic.running
        mic.stop()
    finally:
        if module:
            pactl("unload-module", module)


def test_no_sound_server_is_one_clear_line_and_exit_2(small_library):
    env = {**os.environ, "PULSE_SERVER": "unix:/nonexistent/pulse/native"}
    p = run_cli("listen", "--list-sources", env=env)
    if p.returncode == 0:  # a machine with real ALSA capture devices lists them instead
        assert "monitor" not in p.stdout
        return
    assert p.returncode == 2
    assert "no PulseAudio or PipeWire sound server is running" in p.stderr
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    p = run_cli("--library", str(small_library.folder), "listen", env=env)
    assert p.returncode == 2
    assert (
        "no PulseAudio or PipeWire sound server is running" in p.stderr
        and "Traceback" not in p.stderr
    )
