"""Live audio in: a lock-protected ring buffer and the sources that fill it.

    src = MicSource("alsa_output.pci-0000_00_1f.3.analog-stereo.monitor")  # or None: default
    src.start()
    ...  # src.ring.snapshot(12.0), src.ring.read_new(), src.ring.level_db(), src.error
    src.stop()

PortAudio calls :meth:`MicSource._callback` on its own thread; the callback copies the
block into the preallocated ring and returns, nothing else.  A small watchdog thread
notices a stream that dies mid-listen (device unplugged, PulseAudio source removed,
sound server gone) and sets :attr:`AudioSource.error` to a sentence for the user.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
import time

import numpy as np

from shazam_desktop.audio import sources as _sources
from shazam_desktop.audio.sources import SourceInfo, import_sounddevice
from shazam_desktop.errors import (
    AudioDeviceError,
    DeviceBusyError,
    DevicePermissionError,
    InvalidDeviceError,
    NoInputDeviceError,
    NoSoundServerError,
)

log = logging.getLogger(__name__)

# level_db() never goes below this (digital silence would be -inf).
FLOOR_DB = -120.0
LEVEL_WINDOW_S = 0.1
# PortAudio's ALSA device that talks to PulseAudio / pipewire-pulse (libasound2-plugins).
PULSE_PCM = "pulse"
# A hardware stream that delivers nothing for this long has died (monitors of an idle
# output may legitimately pause, so this applies to direct ALSA devices only).
STALL_S = 3.0
# Record buffer asked of the sound server (see MicSource._server_env).
LATENCY_MSEC = "40"
WATCH_EVERY_S = 0.25
# os.environ is process-wide: one stream opens at a time while PULSE_SOURCE is set.
_env_lock = threading.Lock()


class RingBuffer:
    """The last `capacity_s` seconds of mono float32 audio; one writer, any readers.

    Sample number i (counting from the first write) lives at ``buf[i % capacity]``.
    """

    def __init__(self, capacity_s: float, sample_rate: int) -> None:
        if capacity_s <= 0 or sample_rate <= 0:
            raise ValueError("capacity_s and sample_rate must be positive")
        self.sample_rate = int(sample_rate)
        self.capacity = max(1, int(round(capacity_s * sample_rate)))
        self._buf = np.zeros(self.capacity, np.float32)
        self._lock = threading.Lock()
        self._total = 0
        self._read = 0  # read_new()'s position, in total-written samples

    @property
    def total_written(self) -> int:
        return self._total

    @property
    def capacity_s(self) -> float:
        return self.capacity / self.sample_rate

    def write(self, block: np.ndarray) -> None:
        """Append mono samples (called from the audio thread: a copy, nothing else)."""
        x = np.asarray(block, dtype=np.float32)
        if x.ndim == 2:  # (frames, channels): mix down rather than interleave
            x = x.mean(axis=1, dtype=np.float32)
        x = x.reshape(-1)
        n = x.shape[0]
        if n == 0:
            return
        cap = self.capacity
        with self._lock:
            if n > cap:  # only the newest `cap` samples can be kept
                self._total += n - cap
                x = x[n - cap :]
                n = cap
            start = self._total % cap
            first = min(n, cap - start)
            self._buf[start : start + first] = x[:first]
            if first < n:
                self._buf[: n - first] = x[first:]
            self._total += n

    def _last(self, n: int) -> np.ndarray:
        """A copy of the newest `n` samples (caller holds the lock, n <= capacity)."""
        if n <= 0:
            return np.zeros(0, np.float32)
        end = self._total % self.capacity
        start = (self._total - n) % self.capacity
        if start < end:
            return self._buf[start:end].copy()
        return np.concatenate((self._buf[start:], self._buf[:end]))

    def read_new(self) -> np.ndarray:
        """Samples written since the previous read_new() (at most one buffer's worth)."""
        with self._lock:
            n = min(self._total - self._read, self.capacity)
            self._read = self._total
            return self._last(n)

    def snapshot(self, seconds: float) -> np.ndarray:
        """A copy of the last `seconds` of audio (less when less has been written)."""
        with self._lock:
            n = min(int(round(seconds * self.sample_rate)), self._total, self.capacity)
            return self._last(n)

    def level_db(self) -> float:
        """RMS level of the last ~100 ms in dBFS (FLOOR_DB for silence or nothing yet)."""
        x = self.snapshot(LEVEL_WINDOW_S)
        return rms_db(x)

    def clear(self) -> None:
        with self._lock:
            self._buf[:] = 0.0
            self._total = 0
            self._read = 0


def rms_db(x: np.ndarray) -> float:
    """RMS of `x` in dBFS, floored at FLOOR_DB."""
    if x.size == 0:
        return FLOOR_DB
    rms = math.sqrt(float(np.mean(np.square(x, dtype=np.float64))))
    return max(FLOOR_DB, 20.0 * math.log10(rms)) if rms > 0 else FLOOR_DB


class AudioSource:
    """Something that fills :attr:`ring` with mono float32 audio in real time.

    Subclasses set `name`, `label`, `sample_rate` and `ring`, and implement start / stop.
    `error` holds a sentence for the user once the source has died; it is None otherwise.
    """

    name: str = ""
    label: str = ""
    sample_rate: int = 0
    ring: RingBuffer

    def __init__(self) -> None:
        self._error: str | None = None

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    @property
    def running(self) -> bool:
        raise NotImplementedError

    @property
    def error(self) -> str | None:
        return self._error

    @property
    def elapsed_s(self) -> float:
        """Seconds of audio captured so far (including what the ring dropped; clear() resets)."""
        return self.ring.total_written / self.sample_rate

    def __enter__(self) -> AudioSource:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class MicSource(AudioSource):
    """A microphone, or a PulseAudio / PipeWire source such as an output's monitor.

    `device`: None for the system default; a sound-server source name
    ("alsa_input.usb-...", "virtmic.monitor"); a PortAudio device name or index.
    Resolving the device happens here and raises specific AudioDeviceError subclasses;
    the stream opens in :meth:`start`.
    """

    def __init__(
        self,
        device: str | int | None = None,
        ring_seconds: float = 20.0,
        sample_rate: int | None = None,
    ) -> None:
        super().__init__()
        self._sd = import_sounddevice()
        self._pulse_name: str | None = None  # the server source to record, when routed through it
        self._pa_device: str | int | None = None
        info = self._resolve(device)
        self.name = info.name
        self.label = info.description
        self.kind = info.kind
        dev = self._query(self._pa_device)
        rate = int(sample_rate or dev["default_samplerate"] or 48000)
        self._channels = 1 if self._pulse_name else self._pick_channels(dev, rate)
        self.sample_rate = rate
        self.ring = RingBuffer(ring_seconds, rate)
        self._stream = None
        # PortAudio is not safe for two threads at once on one stream: the watchdog's abort
        # of a stream that died and the caller's stop() take turns.
        self._stream_lock = threading.Lock()
        self._stopping = threading.Event()
        self._watchdog: threading.Thread | None = None
        self._last_callback = 0.0
        self._overflows = 0
        self._counted = False

    # --- choosing the device ---
    def _resolve(self, device: str | int | None) -> SourceInfo:
        sd = self._sd
        if isinstance(device, int):
            d = self._query(device)
            self._pa_device = device
            return SourceInfo(d["name"], d["name"], "microphone", False)
        try:
            server_sources = _sources.pulse_sources()
        except NoSoundServerError as e:
            server_sources, no_server = None, e
        if server_sources is not None:
            target = None
            if device in (None, "", "default"):
                target = next((s for s in server_sources if s.is_default), None)
                if target is None and server_sources:
                    target = server_sources[0]
                if target is None:
                    raise NoInputDeviceError(
                        "the sound server has no audio sources (no microphone and no output to monitor)"
                    )
            else:
                target = next((s for s in server_sources if s.name == device), None)
            if target is not None:
                # Route through the server: the only way to record a monitor, and it lets
                # several programs share the microphone.
                self._pulse_name = target.name
                self._pa_device = self._pulse_pcm()
                return target
            # Not a server source: maybe a PortAudio device name given directly.
            d = self._query(device, not_found=self._unknown_source(device, server_sources))
            self._pa_device = d["index"]
            return SourceInfo(d["name"], d["name"], "microphone", False)
        # No sound server: PortAudio's own devices (plain ALSA) are all there is.
        inputs = [d for d in sd.query_devices() if d["max_input_channels"] > 0]
        if not inputs:
            raise no_server
        if device in (None, "", "default"):
            idx = sd.default.device[0]
            if idx is None or idx < 0:
                raise NoInputDeviceError(
                    "this computer has no default audio input (no microphone found)"
                )
            d = self._query(idx)
        else:
            d = self._query(
                device,
                not_found=InvalidDeviceError(
                    f"there is no audio input called '{device}' (and no sound server is running to ask "
                    "for more): see `shazam-desktop listen --list-sources`"
                ),
            )
        self._pa_device = d["index"]
        return SourceInfo(d["name"], d["name"], "microphone", d["index"] == sd.default.device[0])

    @staticmethod
    def _unknown_source(device: str, known: list[SourceInfo]) -> InvalidDeviceError:
        names = ", ".join(s.name for s in known[:6]) or "none"
        return InvalidDeviceError(
            f"there is no audio source called '{device}' (available: {names}; "
            "see `shazam-desktop listen --list-sources`)"
        )

    def _pulse_pcm(self) -> str:
        """PortAudio's device for the sound server ("pulse", else the ALSA "default")."""
        sd = self._sd
        for refresh in (False, True):  # the server may have started after PortAudio did
            if refresh:
                sd = import_sounddevice(refresh=True)
            names = {d["name"] for d in sd.query_devices() if d["max_input_channels"] > 0}
            for name in (PULSE_PCM, "default"):
                if name in names:
                    return name
        raise NoInputDeviceError(
            "PortAudio cannot reach the sound server: install the ALSA PulseAudio plugin "
            "(`sudo apt install libasound2-plugins`, or pipewire-alsa on PipeWire systems)"
        )

    def _query(self, device: str | int | None, not_found: AudioDeviceError | None = None) -> dict:
        sd = self._sd
        try:
            return sd.query_devices(device, "input")
        except (ValueError, sd.PortAudioError) as e:
            if device is None:
                raise NoInputDeviceError(
                    "this computer has no audio input (no microphone found)"
                ) from None
            raise not_found or InvalidDeviceError(
                f"there is no audio input '{device}' ({e}): see `shazam-desktop listen --list-sources`"
            ) from None

    def _pick_channels(self, dev: dict, rate: int) -> int:
        """Mono when the device offers it (no mixdown), else its first two channels."""
        try:
            self._sd.check_input_settings(
                self._pa_device, channels=1, samplerate=rate, dtype="float32"
            )
            return 1
        except Exception:
            return max(1, min(2, int(dev["max_input_channels"])))

    # --- running ---
    def _callback(self, indata: np.ndarray, frames: int, time_info, status) -> None:
        # PortAudio's thread: copy and return.  Nothing else belongs here.
        if status.input_overflow:
            self._overflows += 1
        self._last_callback = time.monotonic()
        self.ring.write(indata[:, 0] if indata.shape[1] == 1 else indata.mean(axis=1))

    def _finished(self) -> None:
        # PortAudio calls this when the stream ends, wanted or not.
        if not self._stopping.is_set() and self._error is None:
            self._error = self._lost_sentence()

    def _lost_sentence(self) -> str:
        return f"the audio input '{self.label}' stopped (unplugged, removed, or the sound server went away)"

    @property
    def running(self) -> bool:
        s = self._stream
        return (
            s is not None and self._error is None and not self._stopping.is_set() and bool(s.active)
        )

    def start(self) -> None:
        """Open and start the stream.  Raises AudioDeviceError subclasses with a clear sentence."""
        if self.running:
            return
        sd = self._sd
        self._stopping.clear()
        self._error = None
        with self._server_env():
            try:
                stream = sd.InputStream(
                    device=self._pa_device,
                    channels=self._channels,
                    samplerate=self.sample_rate,
                    dtype="float32",
                    callback=self._callback,
                    finished_callback=self._finished,
                )
            except (sd.PortAudioError, ValueError) as e:
                raise self._open_error(e) from None
            try:
                stream.start()
            except sd.PortAudioError as e:
                stream.close()
                raise self._open_error(e) from None
        self._stream = stream
        self._last_callback = time.monotonic()
        _sources.stream_opened(+1)
        self._counted = True
        self._watchdog = threading.Thread(
            target=self._watch, name=f"watch {self.name}", daemon=True
        )
        self._watchdog.start()
        log.info(
            "recording %s (%s) at %d Hz, %d channel(s)",
            self.name,
            self._pa_device,
            self.sample_rate,
            self._channels,
        )

    @contextlib.contextmanager
    def _server_env(self):
        """Tell the ALSA "pulse" plugin which source to record, while the stream opens.

        The plugin opens its own server connection when PortAudio opens the device, and
        libpulse takes the record source from PULSE_SOURCE then.  Changing the server's
        default source instead (pulsectl default_set) would reroute every other program's
        recording too.
        """
        if self._pulse_name is None:
            yield
            return
        # PULSE_LATENCY_MSEC is read later, when PortAudio's audio thread starts the
        # device, so it stays set for the process.  With the server's default 2-s
        # fragments the first audio of an output's monitor arrives 1-2 s late; with
        # 40 ms it arrives at once (measured through a null sink's monitor).
        os.environ.setdefault("PULSE_LATENCY_MSEC", LATENCY_MSEC)
        with _env_lock:
            saved = os.environ.get("PULSE_SOURCE")
            os.environ["PULSE_SOURCE"] = self._pulse_name
            try:
                yield
            finally:
                if saved is None:
                    os.environ.pop("PULSE_SOURCE", None)
                else:
                    os.environ["PULSE_SOURCE"] = saved

    def _open_error(self, e: Exception) -> AudioDeviceError:
        text = str(e)
        low = text.lower()
        code = e.args[1] if len(e.args) > 1 and isinstance(e.args[1], int) else None
        host = e.args[2] if len(e.args) > 2 and isinstance(e.args[2], tuple) else ()
        errno_ = host[1] if len(host) > 1 and isinstance(host[1], int) else None
        who = f"'{self.label or self.name}'"
        if "permission" in low or "denied" in low or errno_ == -13:
            return DevicePermissionError(
                f"permission denied opening the audio input {who}: add yourself to the `audio` group "
                "or allow microphone access for this app"
            )
        if "busy" in low or "unavailable" in low or code == -9985 or errno_ == -16:
            return DeviceBusyError(
                f"the audio input {who} is busy: another program is using it exclusively; close it and try again"
            )
        if "invalid device" in low or code == -9996:
            return InvalidDeviceError(f"the audio input {who} does not exist any more")
        if "sample rate" in low or code == -9997:
            return InvalidDeviceError(
                f"the audio input {who} does not support {self.sample_rate} Hz"
            )
        return AudioDeviceError(f"cannot open the audio input {who}: {text}")

    def stop(self) -> None:
        """Stop and close the stream (safe to call twice, or after the stream died)."""
        self._stopping.set()
        stream, self._stream = self._stream, None
        if stream is not None:
            with self._stream_lock:
                try:
                    stream.abort()
                    stream.close()
                except Exception as e:  # a dead device may fail to close; nothing left to do
                    log.debug("closing %s: %s", self.name, e)
        if self._counted:
            _sources.stream_opened(-1)
            self._counted = False
        w, self._watchdog = self._watchdog, None
        if w is not None and w is not threading.current_thread():
            w.join(timeout=2.0)

    def _fail(self, sentence: str) -> None:
        if self._error is None and not self._stopping.is_set():
            log.warning("%s", sentence)
            self._error = sentence
            with self._stream_lock:
                stream = self._stream  # None once stop() has closed it
                if stream is not None:
                    with contextlib.suppress(Exception):
                        stream.abort()

    # --- the watchdog ---
    def _watch(self) -> None:
        if self._pulse_name is not None:
            try:
                self._watch_server()
            except NoSoundServerError:
                self._fail(f"lost the sound server while recording '{self.label}'")
            return
        while not self._stopping.wait(WATCH_EVERY_S):
            stream = self._stream
            if stream is None:
                return
            if not stream.active:
                self._fail(self._lost_sentence())
            elif time.monotonic() - self._last_callback > STALL_S:
                self._fail(f"the audio input '{self.label}' stopped delivering sound (unplugged?)")

    def _watch_server(self) -> None:
        """Keep our record stream on the chosen source; notice when the source vanishes.

        PulseAudio moves a stream whose source disappears to another source, so without
        this check a removed monitor would silently turn into the microphone.
        """
        import pulsectl

        with _sources.pulse_connection("shazam-desktop watchdog") as pulse:
            self._check_routing(pulse)
            while not self._stopping.wait(WATCH_EVERY_S):
                stream = self._stream
                if stream is None:
                    return
                if not stream.active:
                    self._fail(self._lost_sentence())
                    return
                try:
                    pulse.get_source_by_name(self._pulse_name)
                except pulsectl.PulseIndexError:
                    self._fail(
                        f"the audio source '{self.label}' went away (device unplugged or output removed)"
                    )
                    return
                except pulsectl.PulseError:
                    self._fail(f"lost the sound server while recording '{self.label}'")
                    return

    def _check_routing(self, pulse) -> None:
        """Find this stream's source-output; move it to our source if PULSE_SOURCE was ignored
        (e.g. an ALSA "default" that goes to PipeWire directly).  Best effort."""
        import pulsectl

        pid = str(os.getpid())
        deadline = time.monotonic() + 2.0
        while not self._stopping.is_set() and time.monotonic() < deadline:
            try:
                target = pulse.get_source_by_name(self._pulse_name)
                mine = [
                    o
                    for o in pulse.source_output_list()
                    if o.proplist.get("application.process.id") == pid
                ]
            except pulsectl.PulseError:
                return
            if mine:
                # Several streams of ours (another MicSource): the newest is this one.
                o = max(mine, key=lambda o: o.index)
                if o.source != target.index:
                    log.info("moving our record stream to %s", self._pulse_name)
                    pulse.source_output_move(o.index, target.index)
                return
            time.sleep(0.05)

    @property
    def overflows(self) -> int:
        """Blocks PortAudio dropped because the callback ran late (diagnostics)."""
        return self._overflows
