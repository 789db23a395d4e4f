"""Which audio sources exist: microphones and "what this computer plays" (output monitors).

PulseAudio and PipeWire (through pipewire-pulse) are asked with pulsectl; every output
has a monitor source that records what it plays, which is how "Listen to this computer"
works.  Without a sound server, PortAudio's own input devices are listed as microphones.

sounddevice is imported lazily (:func:`import_sounddevice`): it raises OSError at import
when libportaudio2 is missing, and the rest of the app must still start then.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from shazam_desktop.errors import NoSoundServerError, PortAudioMissingError

log = logging.getLogger(__name__)

MONITOR_SUFFIX = "(what this computer plays)"
_NO_SERVER = (
    "no PulseAudio or PipeWire sound server is running: start it "
    "(`systemctl --user start pipewire-pulse` or `pulseaudio --start`) and try again"
)
# PortAudio may only be re-initialised while no stream is open; capture.py counts them.
_pa_lock = threading.Lock()
_pa_open_streams = 0


@dataclass(frozen=True)
class SourceInfo:
    """One place sound can be recorded from."""

    name: str  # what `listen --source` and MicSource take
    description: str  # human text, e.g. "Speakers (what this computer plays)"
    kind: Literal["microphone", "monitor"]
    is_default: bool


def import_sounddevice(refresh: bool = False):
    """The sounddevice module, or PortAudioMissingError with the package to install.

    `refresh` re-scans PortAudio's devices (a sound server started or a USB microphone
    plugged in after start-up); it is skipped while any of our streams is open.
    """
    try:
        import sounddevice as sd
    except OSError as e:  # sounddevice raises this when libportaudio2 is absent
        raise PortAudioMissingError(
            "the PortAudio library is not installed, so no microphone can be opened "
            "(install it: `sudo apt install libportaudio2`)"
        ) from e
    except ImportError as e:
        raise PortAudioMissingError(
            "the Python package sounddevice is missing, so no microphone can be opened "
            "(reinstall Shazam Desktop or `pip install sounddevice`)"
        ) from e
    if refresh:
        with _pa_lock:
            if _pa_open_streams == 0:
                try:  # sounddevice's own way to re-scan (private, hence the guard)
                    sd._terminate()
                    sd._initialize()
                except (AttributeError, sd.PortAudioError) as e:
                    log.debug("PortAudio re-scan failed: %s", e)
    return sd


def stream_opened(delta: int) -> None:
    """Bookkeeping for :func:`import_sounddevice`'s refresh (called by capture.py)."""
    global _pa_open_streams
    with _pa_lock:
        _pa_open_streams += delta


@contextlib.contextmanager
def pulse_connection(client: str = "shazam-desktop") -> Iterator:
    """A connected pulsectl.Pulse, or NoSoundServerError."""
    try:
        import pulsectl
    except (ImportError, OSError) as e:  # OSError: libpulse0 missing
        raise NoSoundServerError(
            f"{_NO_SERVER} (the PulseAudio client library is missing: {e})"
        ) from None
    pulse = pulsectl.Pulse(client, connect=False)
    try:
        try:
            # No `timeout=`: pulsectl (24.x) then waits out the whole timeout even when the
            # server answers at once.  A missing server fails immediately anyway.
            pulse.connect()
        except pulsectl.PulseError:
            raise NoSoundServerError(_NO_SERVER) from None
        yield pulse
    finally:
        pulse.close()


def monitor_description(sink_description: str) -> str:
    """ "Built-in Audio Analog Stereo" -> "Built-in Audio Analog Stereo (what this computer plays)"."""
    return f"{sink_description} {MONITOR_SUFFIX}"


def pulse_sources() -> list[SourceInfo]:
    """Sources of the PulseAudio / PipeWire server, default first, then microphones, then monitors."""
    with pulse_connection("shazam-desktop sources") as pulse:
        default = pulse.server_info().default_source_name
        sinks = {s.index: s.description for s in pulse.sink_list()}
        out = []
        for s in pulse.source_list():
            if _is_monitor(s):
                desc = sinks.get(s.monitor_of_sink) or s.description.removeprefix("Monitor of ")
                out.append(
                    SourceInfo(s.name, monitor_description(desc), "monitor", s.name == default)
                )
            else:
                out.append(SourceInfo(s.name, s.description, "microphone", s.name == default))
    return _ordered(out)


def _is_monitor(source) -> bool:
    # PA_INVALID_INDEX (0xffffffff) marks a source that monitors no sink.
    return source.monitor_of_sink not in (None, 0xFFFFFFFF, -1)


def _ordered(sources: list[SourceInfo]) -> list[SourceInfo]:
    rank = {"microphone": 0, "monitor": 1}
    return sorted(sources, key=lambda s: (not s.is_default, rank[s.kind]))


def portaudio_inputs() -> list[SourceInfo]:
    """PortAudio's input devices as microphones (used when no sound server answers)."""
    sd = import_sounddevice(refresh=True)
    try:
        default_in = sd.default.device[0]
        if default_in is None or default_in < 0:
            default_in = sd.query_hostapis(0)["default_input_device"]
    except Exception:  # no host API at all
        default_in = -1
    out = []
    for d in sd.query_devices():
        if d["max_input_channels"] > 0:
            out.append(SourceInfo(d["name"], d["name"], "microphone", d["index"] == default_in))
    return _ordered(out)


def list_sources() -> list[SourceInfo]:
    """Every source, default first.  NoSoundServerError when there is nothing to record from."""
    try:
        return pulse_sources()
    except NoSoundServerError as no_server:
        try:
            devices = portaudio_inputs()
        except PortAudioMissingError:
            raise no_server from None
        if not devices:
            raise no_server from None
        log.info("no sound server; listing PortAudio input devices instead")
        return devices


def find_pulse_source(name: str) -> SourceInfo | None:
    """The server's source called `name` (None when it has no such source)."""
    return next((s for s in pulse_sources() if s.name == name), None)


def default_source_name() -> str:
    """The name of the default source (the sound server's, else PortAudio's default input)."""
    sources = list_sources()
    default = next((s for s in sources if s.is_default), sources[0])
    return default.name
