"""One small exception hierarchy.  Edges (cli.py, ui/) turn these into one sentence."""


class ShazamError(Exception):
    """Base of every error this project raises on purpose."""


class DecodeError(ShazamError):
    """An input could not be turned into usable audio."""


class UnsupportedFormatError(DecodeError):
    """Not an audio format we can read (or not audio at all)."""


class CorruptAudioError(DecodeError):
    """Looks like audio but the data is damaged or truncated."""


class EmptyAudioError(DecodeError):
    """The file is empty or holds no samples."""


class SilentAudioError(DecodeError):
    """The audio is digital silence (nothing to recognise)."""


class TooShortError(DecodeError):
    """Fewer seconds than recognition needs."""


class LibraryError(ShazamError):
    """The library folder is unusable or an operation on it failed."""


class ParamsMismatchError(LibraryError):
    """The library was built with other engine parameters: it needs a re-index."""


class AudioDeviceError(ShazamError):
    """Microphone / capture problems (no PortAudio, no device, busy, vanished)."""


class PortAudioMissingError(AudioDeviceError):
    """The PortAudio library (libportaudio2) is not installed."""


class NoSoundServerError(AudioDeviceError):
    """No PulseAudio / PipeWire server is reachable (and no other capture device exists)."""


class NoInputDeviceError(AudioDeviceError):
    """The system has no audio input at all."""


class InvalidDeviceError(AudioDeviceError):
    """No source or device by that name or number."""


class DeviceBusyError(AudioDeviceError):
    """Another program holds the device exclusively."""


class DevicePermissionError(AudioDeviceError):
    """The user may not open the device (e.g. not in the `audio` group)."""


class DeviceLostError(AudioDeviceError):
    """A stream that was running stopped: device unplugged, source removed, server gone."""
