"""Source listing and device errors, with the sound server and PortAudio faked."""

import contextlib
import sys
from types import SimpleNamespace

import pytest

from shazam_desktop.audio import sources
from shazam_desktop.audio.capture import MicSource
from shazam_desktop.errors import (
    AudioDeviceError,
    DeviceBusyError,
    DevicePermissionError,
    InvalidDeviceError,
    NoSoundServerError,
    PortAudioMissingError,
)

NOT_A_MONITOR = 0xFFFFFFFF


def fake_server(default: str):
    sinks = [
        SimpleNamespace(
            index=3,
            name="alsa_output.pci.analog-stereo",
            description="Built-in Audio Analog Stereo",
        )
    ]
    srcs = [
        SimpleNamespace(
            name="alsa_output.pci.analog-stereo.monitor",
            description="Monitor of Built-in Audio",
            monitor_of_sink=3,
        ),
        SimpleNamespace(
            name="alsa_input.usb-mic", description="USB Microphone", monitor_of_sink=NOT_A_MONITOR
        ),
        SimpleNamespace(
            name="alsa_input.pci.analog-stereo",
            description="Built-in Audio Analog Stereo",
            monitor_of_sink=NOT_A_MONITOR,
        ),
    ]
    pulse = SimpleNamespace(
        server_info=lambda: SimpleNamespace(default_source_name=default),
        sink_list=lambda: sinks,
        source_list=lambda: srcs,
    )
    return contextlib.contextmanager(lambda client="": (yield pulse))


def test_monitors_are_named_after_their_output_and_the_default_comes_first(monkeypatch):
    monkeypatch.setattr(sources, "pulse_connection", fake_server("alsa_input.pci.analog-stereo"))
    got = sources.list_sources()
    assert [s.name for s in got] == [
        "alsa_input.pci.analog-stereo",
        "alsa_input.usb-mic",
        "alsa_output.pci.analog-stereo.monitor",
    ]
    assert got[0].is_default and not any(s.is_default for s in got[1:])
    mon = got[2]
    assert (
        mon.kind == "monitor"
        and mon.description == "Built-in Audio Analog Stereo (what this computer plays)"
    )
    assert sources.default_source_name() == "alsa_input.pci.analog-stereo"


def no_server(client=""):
    raise NoSoundServerError("no PulseAudio or PipeWire sound server is running: start it")


def test_without_a_server_portaudio_inputs_are_listed(monkeypatch):
    monkeypatch.setattr(sources, "pulse_connection", no_server)
    mic = sources.SourceInfo(
        "HDA Intel PCH: ALC257 Analog (hw:0,0)", "HDA Intel PCH", "microphone", True
    )
    monkeypatch.setattr(sources, "portaudio_inputs", lambda: [mic])
    assert sources.list_sources() == [mic]


def test_without_a_server_or_any_input_the_error_names_the_server(monkeypatch):
    monkeypatch.setattr(sources, "pulse_connection", no_server)
    monkeypatch.setattr(sources, "portaudio_inputs", lambda: [])
    with pytest.raises(NoSoundServerError, match="PulseAudio or PipeWire"):
        sources.list_sources()


class _RaiseOSError:
    """An import hook that makes `import sounddevice` fail like a missing libportaudio2."""

    def find_spec(self, name, path=None, target=None):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return None


def test_missing_portaudio_is_a_clear_error(monkeypatch):
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_RaiseOSError(), *sys.meta_path])
    with pytest.raises(PortAudioMissingError, match="libportaudio2"):
        sources.import_sounddevice()
    with pytest.raises(PortAudioMissingError):
        MicSource()


def bare_mic() -> MicSource:
    mic = object.__new__(MicSource)
    mic.name, mic.label, mic.sample_rate = "alsa_input.usb-mic", "USB Microphone", 48000
    return mic


class FakePortAudioError(Exception):
    pass


@pytest.mark.parametrize(
    ("args", "kind", "words"),
    [
        (("Error opening InputStream: Device unavailable", -9985), DeviceBusyError, "busy"),
        (
            (
                "Error opening InputStream: Unanticipated host error",
                -9999,
                (8, -16, "Device or resource busy"),
            ),
            DeviceBusyError,
            "busy",
        ),
        (
            (
                "Error opening InputStream: Unanticipated host error",
                -9999,
                (8, -13, "Permission denied"),
            ),
            DevicePermissionError,
            "permission denied",
        ),
        (
            ("Error opening InputStream: Invalid device", -9996),
            InvalidDeviceError,
            "does not exist",
        ),
        (("Error opening InputStream: Invalid sample rate", -9997), InvalidDeviceError, "48000 Hz"),
        (("Error opening InputStream: something odd", -9990), AudioDeviceError, "something odd"),
    ],
)
def test_portaudio_errors_become_sentences(args, kind, words):
    err = bare_mic()._open_error(FakePortAudioError(*args))
    assert type(err) is kind
    assert words in str(err) and "USB Microphone" in str(err)
