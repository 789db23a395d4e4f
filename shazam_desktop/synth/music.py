"""Seeded, deterministic generated music: the default benchmark corpus and test fixtures.

A track is described by a small frozen :class:`TrackSpec` (tempo, key, scale, metre,
instruments, drum style, chord progressions, names) drawn from a seed by
:func:`make_spec`; :func:`render` turns it into stereo audio.  Everything below the spec
(melodies, bass lines, drum patterns, timbre details) is drawn from the same seed inside
:func:`render`, so one seed always gives the same samples.

The songs are built like real ones, because recognition must not be tested on easy
material: a song form (intro, verse, chorus, bridge) whose sections repeat with small
variations, a looped chord progression per section, melodies made of motifs that repeat
and follow the harmony, a bass line, a drum kit with a pattern per section and fills,
and several timbres (additive wavetables with a brightness envelope, FM, Karplus-Strong
plucked strings, detuned pads) with ADSR envelopes, vibrato, stereo panning and echo.

Speed: every note is rendered once per (instrument, pitch, length) and reused, and the
oscillators are table look-ups, so a 3-minute stereo track renders in a fraction of a
second on one core.

Nothing here is music written by a person; it is a stand-in that is always available.
"""

from __future__ import annotations

import base64
import math
import os
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "SCALES",
    "TrackSpec",
    "make_spec",
    "render",
    "render_mono",
    "write_track",
    "make_cover_png",
    "generate_corpus",
    "corpus_filename",
    "LEADS",
    "CHORD_INSTRUMENTS",
    "BASSES",
    "DRUM_STYLES",
]

# --------------------------------------------------------------------------- constants

PEAK_DBFS = -1.0
_PEAK = 10.0 ** (PEAK_DBFS / 20.0)

SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "major_pentatonic": (0, 2, 4, 7, 9),
    "minor_pentatonic": (0, 3, 5, 7, 10),
}
# Chords of a pentatonic tune come from its parent mode.
_HARMONY = {"major_pentatonic": "major", "minor_pentatonic": "minor"}
_SCALE_WEIGHTS = {
    "major": 5,
    "minor": 5,
    "dorian": 2,
    "mixolydian": 2,
    "lydian": 1,
    "phrygian": 1,
    "harmonic_minor": 1,
    "major_pentatonic": 2,
    "minor_pentatonic": 2,
}
NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")

LEADS = ("flute", "square", "saw", "brass", "bell", "epiano", "pluck", "organ")
CHORD_INSTRUMENTS = ("pad", "strings", "organ", "epiano", "pluck", "stabs")
BASSES = ("sine", "saw", "pluck", "fm")
DRUM_STYLES = ("rock", "pop", "four_on_floor", "halftime", "breakbeat", "shuffle", "sparse")
_WALTZ_STYLES = ("waltz", "waltz_rock")

# Common progressions as 0-based scale degrees of the harmony mode (I=0 ... vii=6).
_PROGRESSIONS = (
    (0, 4, 5, 3),
    (5, 3, 0, 4),
    (0, 5, 3, 4),
    (0, 3, 4, 3),
    (1, 4, 0, 0),
    (0, 3, 5, 4),
    (0, 6, 5, 6),
    (0, 5, 2, 6),
    (0, 3, 4, 0),
    (0, 2, 3, 4),
    (3, 0, 4, 5),
    (0, 4, 3, 0),
    (5, 4, 3, 4),
    (0, 3, 0, 4),
    (1, 3, 0, 4),
    (0, 1, 3, 4),
)

# --------------------------------------------------------------------------- names

_ADJ = """Amber Silver Quiet Golden Hollow Velvet Crimson Distant Paper Electric Faded
Wandering Hidden Northern Southern Broken Gentle Restless Silent Burning Frozen Lonely
Bright Secret Midnight Morning Rusty Neon Wild Little Empty Endless Careless Crystal
Glass Open Slow Long Last Lost Lucky Marble Copper Painted Sleeping Summer Winter Autumn
Hazy Low High Blue Green Violet Scarlet Pale Static Drifting Falling Rising Common""".split()
_NOUN = """Harbour River Garden Window Engine Signal Lantern Mountain Highway Letter Mirror
Station Ocean Island Meadow Forest Compass Anchor Feather Shadow Thunder Harvest Candle
Horizon Bridge Valley Orchard Lighthouse Satellite Carousel Balloon Tide Ember Comet
Morning Evening Canyon Desert Rain Snow Weather Postcard Radio Motel Avenue Parade Circus
Echo Tower Ferry Cathedral Kingdom Garage Attic Rooftop Sparrow Falcon Coyote Tiger
Orchid Willow Cedar Meteor Planet Machine Arcade Harmony Season Story Fortune""".split()
_PLURAL = """Engines Lanterns Sparrows Rivers Satellites Machines Tigers Comets Strangers
Architects Pilots Sailors Dreamers Painters Ghosts Wolves Echoes Horizons Mirrors
Radios Astronauts Gardeners Foxes Owls Thieves Brothers Sisters Ramblers Drifters
Orchids Swallows Signals Lighthouses Wanderers Neighbours Cartographers""".split()
_FIRST = """Ada Ben Clara Dmitri Elena Felix Greta Hugo Ines Jonas Kira Leo Maya Nico Olga
Pablo Quinn Rosa Sami Tove Umar Vera Wim Xenia Yusuf Zoe Amara Bruno Cleo Dario Esme
Farid Gwen Hana Ivo Jun Lena Milo Noor Otto Priya Rafael Selma Teo""".split()
_LAST = """Marlow Okafor Lindqvist Moreau Tanaka Novak Castell Brennan Sato Ferreira Holm
Kowalski Adeyemi Varga Rossi Nakamura Petrov Delacroix Haddad Lund Costa Quint Blackwood
Ashby Reyes Winter Hale Sorensen Ibarra Kaur Mendes Ward Ellery Fontaine""".split()
_VERB = """Chasing Leaving Finding Holding Counting Burning Dancing Waiting Falling Calling
Running Drifting Painting Crossing Following Keeping""".split()


def _title(rng: np.random.Generator) -> str:
    a, n, n2, v = (
        str(rng.choice(_ADJ)),
        str(rng.choice(_NOUN)),
        str(rng.choice(_NOUN)),
        str(rng.choice(_VERB)),
    )
    if n2 == n:
        n2 = _NOUN[(_NOUN.index(n) + 7) % len(_NOUN)]
    pattern = int(rng.choice(8, p=[0.34, 0.14, 0.1, 0.1, 0.1, 0.08, 0.08, 0.06]))
    return [
        f"{a} {n}",
        f"{n} of {n2}",
        f"The {a} {n}",
        f"{v} {n}s" if not n.endswith("s") else f"{v} {n}",
        f"{n} {n2}",
        f"{a} {n} {n2}",
        f"{v} the {n}",
        f"{a}",
    ][pattern]


def _artist(rng: np.random.Generator) -> str:
    pattern = int(rng.choice(5, p=[0.35, 0.3, 0.15, 0.1, 0.1]))
    a, p = str(rng.choice(_ADJ)), str(rng.choice(_PLURAL))
    f, last, n = str(rng.choice(_FIRST)), str(rng.choice(_LAST)), str(rng.choice(_NOUN))
    return [
        f"The {a} {p}",
        f"{f} {last}",
        f"{n} {str(rng.choice(_NOUN))}",
        f"{f} & the {p}",
        f"{a} {n}",
    ][pattern]


def _album(rng: np.random.Generator) -> str:
    pattern = int(rng.choice(5, p=[0.35, 0.2, 0.15, 0.15, 0.15]))
    a, n = str(rng.choice(_ADJ)), str(rng.choice(_NOUN))
    return [
        f"{a} {n}",
        f"{n}s" if not n.endswith("s") else n,
        f"Songs from the {n}",
        f"{a} {str(rng.choice(_NOUN))}",
        f"The {n} Sessions",
    ][pattern]


# --------------------------------------------------------------------------- spec


@dataclass(frozen=True)
class TrackSpec:
    """Everything that makes one generated track what it is.

    ``progressions`` holds the chord degrees (0-based, of the harmony mode) of the
    verse, the chorus and the bridge.  Fields not listed here (melodies, patterns,
    timbre details) are drawn from ``seed`` by :func:`render`.
    """

    seed: int
    duration_s: float
    title: str
    artist: str
    album: str
    tempo_bpm: float
    key: int  # tonic pitch class, 0 = C
    scale: str
    beats_per_bar: int = 4
    swing: float = 0.0  # 0 = straight; 0.33 = triplet feel on the off-beat eighths
    lead: str = "flute"
    chords: str = "pad"
    comping: str = "sustain"  # sustain | block | stabs | arpeggio
    bass: str = "sine"
    drums: str = "rock"
    arp: str = "bell"  # counter-line instrument in choruses
    progressions: tuple[tuple[int, ...], ...] = ((0, 4, 5, 3), (5, 3, 0, 4), (3, 4, 0, 0))
    track_number: int = 1
    genre: str = "Synthetic"

    @property
    def key_name(self) -> str:
        return f"{NOTE_NAMES[self.key % 12]} {self.scale.replace('_', ' ')}"

    def describe(self) -> str:
        return (
            f"{self.tempo_bpm:g} bpm, {self.beats_per_bar}/4, {self.key_name}, "
            f"lead {self.lead}, chords {self.chords} ({self.comping}), bass {self.bass}, "
            f"drums {self.drums}"
        )


_COMPING_FOR = {
    "pad": ("sustain",),
    "strings": ("sustain", "sustain", "block"),
    "organ": ("sustain", "block", "stabs"),
    "epiano": ("block", "stabs", "arpeggio"),
    "pluck": ("arpeggio", "arpeggio", "block"),
    "stabs": ("stabs", "arpeggio"),
}


def make_spec(
    seed: int,
    duration_s: float | None = None,
    *,
    min_s: float = 30.0,
    max_s: float = 240.0,
) -> TrackSpec:
    """The spec of track ``seed`` (a non-negative integer).

    The duration is drawn uniformly from ``min_s``..``max_s`` when not given.  Artist and
    album are shared by groups of ten consecutive seeds (like albums in a real library),
    and an artist leans towards a sound of its own.
    """
    if seed < 0:
        raise ValueError("seed must be >= 0")
    rng = np.random.default_rng([seed, 1])
    dur_draw = float(rng.uniform(min_s, max_s))
    duration = float(duration_s) if duration_s is not None else round(dur_draw, 2)
    if duration <= 0:
        raise ValueError("duration_s must be > 0")

    group = seed // 10
    grng = np.random.default_rng([group, 3])
    artist, album = _artist(grng), _album(grng)
    # the artist's habits: a preferred palette used about half of the time
    pref_lead = str(grng.choice(LEADS))
    pref_chords = str(grng.choice(CHORD_INSTRUMENTS))
    pref_drums = str(grng.choice(DRUM_STYLES))
    pref_bass = str(grng.choice(BASSES))

    title = _title(np.random.default_rng([seed, 2]))

    tempo = float(round(rng.uniform(70.0, 160.0)))
    key = int(rng.integers(12))
    names = list(_SCALE_WEIGHTS)
    w = np.array([_SCALE_WEIGHTS[n] for n in names], float)
    scale = str(rng.choice(names, p=w / w.sum()))
    bpb = 3 if rng.random() < 0.12 else 4

    def pick(options: Sequence[str], pref: str) -> str:
        return pref if rng.random() < 0.5 else str(rng.choice(options))

    lead = pick(LEADS, pref_lead)
    chords = pick(CHORD_INSTRUMENTS, pref_chords)
    if chords == lead and chords in ("epiano", "organ", "pluck"):
        chords = "pad"
    comping = str(rng.choice(_COMPING_FOR[chords]))
    bass = pick(BASSES, pref_bass)
    if bpb == 3:
        drums = str(rng.choice(_WALTZ_STYLES))
    else:
        drums = pick(DRUM_STYLES, pref_drums)
    arp = str(rng.choice(("bell", "pluck", "square", "epiano")))
    if drums == "shuffle":
        swing = float(round(rng.uniform(0.25, 0.33), 3))
    elif rng.random() < 0.2:
        swing = float(round(rng.uniform(0.08, 0.25), 3))
    else:
        swing = 0.0

    verse = _mutate_prog(_PROGRESSIONS[int(rng.integers(len(_PROGRESSIONS)))], rng, 0.25)
    chorus = _mutate_prog(_PROGRESSIONS[int(rng.integers(len(_PROGRESSIONS)))], rng, 0.25)
    if chorus == verse:
        chorus = chorus[2:] + chorus[:2]
    start = int(rng.choice([3, 5, 1, 4]))
    bridge = (start,) + tuple(int(d) for d in rng.choice(7, size=3))
    return TrackSpec(
        seed=seed,
        duration_s=duration,
        title=title,
        artist=artist,
        album=album,
        tempo_bpm=tempo,
        key=key,
        scale=scale,
        beats_per_bar=bpb,
        swing=swing,
        lead=lead,
        chords=chords,
        comping=comping,
        bass=bass,
        drums=drums,
        arp=arp,
        progressions=(verse, chorus, bridge),
        track_number=seed % 10 + 1,
    )


def _mutate_prog(prog: tuple[int, ...], rng: np.random.Generator, p: float) -> tuple[int, ...]:
    out = list(prog)
    for i in range(1, len(out)):
        if rng.random() < p:
            out[i] = int(rng.integers(7))
    if rng.random() < 0.15:  # an eight-chord progression
        out = out + [out[0], out[1], int(rng.integers(7)), out[3]]
    return tuple(out)


# --------------------------------------------------------------------------- DSP helpers

_TABLE = 2048


def _midi_hz(m: float) -> float:
    return 440.0 * 2.0 ** ((m - 69.0) / 12.0)


def _table(amps: np.ndarray, phases: np.ndarray) -> np.ndarray:
    """One period of a sum of harmonics, peak-normalised."""
    i = np.arange(_TABLE) / _TABLE
    k = np.arange(1, len(amps) + 1)[:, None]
    tab = (amps[:, None] * np.sin(2 * np.pi * k * i[None, :] + phases[:, None])).sum(0)
    tab /= max(np.max(np.abs(tab)), 1e-9)
    return tab.astype(np.float32)


def _adsr(n_hold: int, n_rel: int, sr: int, a: float, d: float, s: float) -> np.ndarray:
    """Attack (linear), decay (exponential towards s), release (exponential) envelope."""
    n = n_hold + n_rel
    t = np.arange(n, dtype=np.float32) / np.float32(sr)
    a = max(a, 1e-3)
    env = np.where(t < a, t / a, s + (1.0 - s) * np.exp(-(t - a) / max(d, 1e-3)))
    if n_rel > 0 and n_hold > 0:
        level = env[n_hold - 1]
        tr = t[n_hold:] - t[n_hold]
        env[n_hold:] = level * np.exp(-tr * (4.6 * sr / max(n_rel, 1)))
    return env.astype(np.float32)


def _vibrato_shape(n: int, sr: int, rate: float) -> np.ndarray:
    """Integrated vibrato (in cycles per Hz of depth), fading in after ~0.2 s."""
    t = np.arange(n, dtype=np.float64) / sr
    ramp = np.clip((t - 0.18) / 0.35, 0.0, 1.0)
    return ramp / (2 * np.pi * rate) * (1.0 - np.cos(2 * np.pi * rate * t))


def _phase(
    freq: float,
    n: int,
    sr: int,
    vib: float = 0.0,
    vib_rate: float = 5.0,
    cache: dict | None = None,
) -> np.ndarray:
    """Oscillator phase in cycles; vibrato depth ``vib`` in semitones, fading in."""
    ph = np.arange(n, dtype=np.float64) * (freq / sr)
    if vib > 0.0 and n > 0:
        depth = (2.0 ** (vib / 12.0) - 1.0) * freq
        key = ("vib", n, vib_rate)
        shape = cache.get(key) if cache is not None else None
        if shape is None:
            shape = _vibrato_shape(n, sr, vib_rate)
            if cache is not None:
                cache[key] = shape
        ph += depth * shape
    return ph


def _lookup(table: np.ndarray, ph: np.ndarray) -> np.ndarray:
    idx = (ph * _TABLE).astype(np.int64) & (_TABLE - 1)
    return table[idx]


def _butter(x: np.ndarray, sr: int, kind: str, fc, order: int = 2) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    nyq = sr / 2
    if kind == "bandpass":
        lo, hi = fc
        hi = min(hi, 0.95 * nyq)
        lo = min(lo, hi * 0.7)
        sos = butter(order, [lo / nyq, hi / nyq], "bandpass", output="sos")
    else:
        sos = butter(order, min(fc, 0.95 * nyq) / nyq, kind, output="sos")
    return sosfilt(sos, x).astype(np.float32)


# --------------------------------------------------------------------------- instruments


@dataclass
class _Inst:
    name: str
    kind: str  # wave | fm | pluck | pad
    a: float = 0.01
    d: float = 0.3
    s: float = 0.7
    r: float = 0.15
    bright: np.ndarray | None = None  # harmonic amplitudes, bright state
    dark: np.ndarray | None = None  # harmonic amplitudes, dark state
    phases: np.ndarray | None = None
    bright_tau: float = 0.0  # >0: bright -> dark decay; <0: dark -> bright rise
    vib: float = 0.0
    vib_rate: float = 5.0
    fm_ratio: float = 1.0
    fm_index: float = 2.0
    fm_index_end: float = 0.3
    fm_tau: float = 0.3
    ks_decay: float = 0.996
    ks_bright: float = 0.5
    detune_cents: float = 8.0
    voices: int = 1
    max_len_s: float = 12.0
    octave: int = 0
    gain: float = 1.0
    tables: dict = field(default_factory=dict)


def _harmonics(n: int, slope: float, odd_only: bool = False, rolloff: float = 0.0) -> np.ndarray:
    k = np.arange(1, n + 1, dtype=float)
    amps = k**-slope
    if rolloff > 0:
        amps *= np.exp(-(k - 1) * rolloff)
    if odd_only:
        amps[1::2] = 0.0
    return amps


def _make_inst(name: str, rng: np.random.Generator) -> _Inst:
    u = rng.uniform
    ph = rng.uniform(0, 2 * np.pi, 32)
    if name == "flute":
        b = np.array([1.0, u(0.2, 0.5), u(0.1, 0.3), u(0.02, 0.1), 0.02, 0.01])
        return _Inst(
            name,
            "wave",
            a=u(0.03, 0.08),
            d=0.4,
            s=0.85,
            r=0.12,
            bright=b,
            dark=b * np.array([1, 0.6, 0.4, 0.2, 0.1, 0.1]),
            phases=ph,
            bright_tau=-0.08,
            vib=u(0.15, 0.3),
            vib_rate=u(4.5, 6.0),
            octave=12,
        )
    if name == "square":
        b = _harmonics(24, 1.0, odd_only=True, rolloff=u(0.02, 0.12))
        return _Inst(
            name,
            "wave",
            a=0.005,
            d=u(0.15, 0.4),
            s=u(0.5, 0.8),
            r=0.08,
            bright=b,
            dark=_harmonics(24, 1.6, True, 0.2),
            phases=np.zeros(32),
            bright_tau=u(0.1, 0.4),
            vib=u(0.0, 0.15),
            vib_rate=u(5, 6.5),
            gain=0.7,
        )
    if name == "saw":
        b = _harmonics(32, 1.0, rolloff=u(0.02, 0.08))
        return _Inst(
            name,
            "wave",
            a=0.008,
            d=u(0.2, 0.5),
            s=u(0.5, 0.8),
            r=0.1,
            bright=b,
            dark=_harmonics(32, 1.8, rolloff=0.25),
            phases=np.zeros(32),
            bright_tau=u(0.08, 0.3),
            vib=u(0.05, 0.2),
            vib_rate=u(5, 6.5),
            gain=0.6,
        )
    if name == "brass":
        b = _harmonics(20, 0.8, rolloff=0.05)
        return _Inst(
            name,
            "wave",
            a=u(0.04, 0.09),
            d=0.3,
            s=0.8,
            r=0.12,
            bright=b,
            dark=_harmonics(20, 2.2, rolloff=0.3),
            phases=ph,
            bright_tau=-u(0.05, 0.15),
            vib=u(0.1, 0.25),
            vib_rate=u(4.5, 5.5),
            gain=0.7,
        )
    if name == "organ":
        draw = [1.0, u(0.3, 0.9), u(0.0, 0.6), u(0.2, 0.7), 0, u(0, 0.4), 0, u(0.1, 0.5)]
        b = np.array(draw)
        return _Inst(
            name,
            "wave",
            a=0.006,
            d=0.1,
            s=1.0,
            r=0.06,
            bright=b,
            dark=b,
            phases=np.zeros(32),
            vib=u(0.0, 0.08),
            vib_rate=6.5,
            gain=0.6,
        )
    if name == "bell":
        return _Inst(
            name,
            "fm",
            a=0.002,
            d=u(0.5, 1.2),
            s=0.0,
            r=0.3,
            fm_ratio=float(rng.choice([3.5, 2.76, 4.0, 1.41])),
            fm_index=u(2.0, 4.0),
            fm_index_end=0.2,
            fm_tau=u(0.2, 0.6),
            octave=12,
            gain=0.8,
        )
    if name == "epiano":
        return _Inst(
            name,
            "fm",
            a=0.003,
            d=u(0.6, 1.4),
            s=0.12,
            r=0.2,
            fm_ratio=float(rng.choice([1.0, 1.0, 2.0, 14.0])),
            fm_index=u(1.2, 2.8),
            fm_index_end=u(0.1, 0.4),
            fm_tau=u(0.1, 0.3),
            gain=0.9,
        )
    if name == "pluck":
        return _Inst(
            name,
            "pluck",
            a=0.001,
            d=1.0,
            s=1.0,
            r=0.08,
            ks_decay=u(0.990, 0.997),
            ks_bright=u(0.3, 0.8),
            max_len_s=2.5,
        )
    if name in ("pad", "strings"):
        slope = 1.0 if name == "pad" else 0.9
        b = _harmonics(28, slope, rolloff=u(0.08, 0.2))
        return _Inst(
            name,
            "pad",
            a=u(0.25, 0.8),
            d=1.0,
            s=0.9,
            r=u(0.4, 0.9),
            bright=b,
            dark=b,
            phases=np.zeros(32),
            detune_cents=u(5, 14),
            voices=3,
            vib=0.08 if name == "strings" else 0.0,
            vib_rate=u(4.5, 5.5),
            gain=0.6,
        )
    if name == "stabs":
        b = _harmonics(32, 1.0, rolloff=u(0.04, 0.1))
        return _Inst(
            name,
            "pad",
            a=0.005,
            d=u(0.1, 0.25),
            s=0.25,
            r=0.08,
            bright=b,
            dark=b,
            phases=np.zeros(32),
            detune_cents=u(8, 18),
            voices=2,
            gain=0.6,
        )
    # basses
    if name == "sine":
        b = np.array([1.0, u(0.1, 0.35), u(0.02, 0.12), 0.02])
        return _Inst(
            name,
            "wave",
            a=0.006,
            d=0.5,
            s=0.8,
            r=0.06,
            bright=b,
            dark=b,
            phases=np.zeros(32),
            gain=1.0,
        )
    if name == "saw_bass":
        b = _harmonics(24, 1.0, rolloff=u(0.1, 0.25))
        return _Inst(
            name,
            "wave",
            a=0.004,
            d=u(0.1, 0.3),
            s=0.6,
            r=0.06,
            bright=b,
            dark=_harmonics(24, 2.0, rolloff=0.5),
            phases=np.zeros(32),
            bright_tau=u(0.05, 0.15),
            gain=0.8,
        )
    if name == "pluck_bass":
        return _Inst(
            name,
            "pluck",
            a=0.001,
            d=1.0,
            s=1.0,
            r=0.06,
            ks_decay=u(0.994, 0.998),
            ks_bright=u(0.15, 0.4),
            max_len_s=2.0,
            gain=1.1,
        )
    if name == "fm_bass":
        return _Inst(
            name,
            "fm",
            a=0.003,
            d=u(0.2, 0.5),
            s=0.5,
            r=0.06,
            fm_ratio=1.0,
            fm_index=u(1.0, 2.5),
            fm_index_end=0.3,
            fm_tau=u(0.05, 0.2),
            gain=0.9,
        )
    raise ValueError(f"unknown instrument {name!r}")


class _Voice:
    """Renders notes of one instrument, caching each (pitch, length) once."""

    def __init__(self, inst: _Inst, sr: int, seed: int):
        self.inst, self.sr, self.seed = inst, sr, seed
        self.cache: dict[tuple[int, int], np.ndarray] = {}
        self.shapes: dict = {}

    def note(self, midi: int, n_hold: int) -> np.ndarray:
        key = (midi, n_hold)
        got = self.cache.get(key)
        if got is None:
            got = self._render(midi, n_hold)
            self.cache[key] = got
        return got

    def _table(self, which: str, freq: float) -> np.ndarray:
        inst = self.inst
        amps = inst.bright if which == "b" else inst.dark
        nmax = max(1, min(len(amps), int(0.45 * self.sr / freq)))
        key = (which, nmax)
        tab = inst.tables.get(key)
        if tab is None:
            tab = _table(amps[:nmax], inst.phases[:nmax])
            inst.tables[key] = tab
        return tab

    def _render(self, midi: int, n_hold: int) -> np.ndarray:
        inst, sr = self.inst, self.sr
        freq = _midi_hz(midi + inst.octave)
        n_rel = int(inst.r * sr)
        n = min(n_hold + n_rel, int(inst.max_len_s * sr))
        n_hold = min(n_hold, n)
        n_rel = n - n_hold
        env = _adsr(n_hold, n_rel, sr, inst.a, inst.d, inst.s)
        if inst.kind == "wave":
            ph = _phase(freq, n, sr, inst.vib, inst.vib_rate, self.shapes)
            tb = self._table("b", freq)
            y = _lookup(tb, ph)
            if inst.bright_tau != 0.0 and inst.dark is not inst.bright:
                td = self._table("d", freq)
                yd = _lookup(td, ph)
                t = np.arange(n, dtype=np.float32) / np.float32(sr)
                w = np.exp(-t / abs(inst.bright_tau))
                if inst.bright_tau < 0:
                    w = 1.0 - w
                y = yd + w * (y - yd)
        elif inst.kind == "pad":
            tb = self._table("b", freq)
            y = np.zeros(n, np.float32)
            for v in range(inst.voices):
                cents = (v - (inst.voices - 1) / 2) * inst.detune_cents
                f = freq * 2.0 ** (cents / 1200.0)
                ph = _phase(f, n, sr, inst.vib, inst.vib_rate, self.shapes) + 0.37 * v
                y += _lookup(tb, ph)
            y /= inst.voices**0.5
        elif inst.kind == "fm":
            t = np.arange(n, dtype=np.float64) / sr
            index = inst.fm_index_end + (inst.fm_index - inst.fm_index_end) * np.exp(
                -t / inst.fm_tau
            )
            fm_f = freq * inst.fm_ratio
            if fm_f > 0.45 * sr:
                index = index * 0.0
            y = np.sin(2 * np.pi * freq * t + index * np.sin(2 * np.pi * fm_f * t)).astype(
                np.float32
            )
        elif inst.kind == "pluck":
            y = _karplus(freq, n, sr, inst.ks_decay, inst.ks_bright, self.seed * 131 + midi)
        else:  # pragma: no cover
            raise ValueError(inst.kind)
        return (y * env * np.float32(inst.gain)).astype(np.float32)


_KS_SR = 22050  # plucked strings are computed at this rate and resampled, so every sr agrees


def _karplus(freq: float, n: int, sr: int, decay: float, bright: float, seed: int) -> np.ndarray:
    """Karplus-Strong plucked string, one period per numpy step, tuned by resampling.

    ``decay`` is the loss per period of a 220 Hz string; higher strings lose less per
    period so that they ring for about as long (a pure KS string dies within
    milliseconds at high pitch).
    """
    period = _KS_SR / freq
    p = max(2, int(period - 0.5))
    nrng = np.random.default_rng([seed, 5])
    buf = nrng.uniform(-1.0, 1.0, p)
    for _ in range(int((1.0 - bright) * 4)):  # darker excitation for lower brightness
        buf = 0.5 * (buf + np.roll(buf, 1))
    buf -= buf.mean()
    p_ref = _KS_SR / 220.5
    g = decay ** min(1.0, p / p_ref)
    step = (_KS_SR / sr) * ((p + 0.5) / period)  # output sample -> string sample
    m = int(math.ceil(n * step)) + p + 2
    # y[0] is a zero before the start; y[1:] is the string: y[j] = g/2 (y[j-p] + y[j-p-1])
    y = np.zeros(m + 1)
    y[1 : p + 1] = buf[: min(p, m)]
    g2 = 0.5 * g
    for a in range(p + 1, m + 1, p):
        b = min(a + p, m + 1)
        k = b - a
        y[a:b] = g2 * (y[a - p : a - p + k] + y[a - p - 1 : a - p - 1 + k])
    # the averaging filter adds half a sample of delay: the true period is p + 0.5
    out = np.interp(np.arange(n) * step, np.arange(m), y[1:])
    peak = np.max(np.abs(out[: min(n, int(4 * p / step) + 1)])) if n else 1.0
    return (out / max(peak, 1e-9)).astype(np.float32)


# --------------------------------------------------------------------------- drum kit


def _drum_kit(rng: np.random.Generator, out_sr: int) -> dict[str, np.ndarray]:
    """One-shot drum samples, made at 22050 Hz and resampled so every sr agrees."""
    sr = _KS_SR
    u = rng.uniform
    kit: dict[str, np.ndarray] = {}

    def t_of(seconds: float) -> np.ndarray:
        return np.arange(int(seconds * sr)) / sr

    # kick: sine sweep with an exponential body and a short click
    t = t_of(0.45)
    f_hi, f_lo, tp, ta = u(110, 180), u(42, 60), u(0.02, 0.05), u(0.12, 0.32)
    phase = 2 * np.pi * (f_lo * t + (f_hi - f_lo) * tp * (1 - np.exp(-t / tp)))
    kick = np.sin(phase) * np.exp(-t / ta)
    click = rng.standard_normal(len(t)) * np.exp(-t / 0.003) * u(0.1, 0.4)
    kit["kick"] = (kick + click).astype(np.float32)

    # snare: tuned body + band-passed noise
    t = t_of(0.3)
    body = np.sin(2 * np.pi * u(160, 240) * t) * np.exp(-t / u(0.03, 0.08))
    noise = _butter(rng.standard_normal(len(t)), sr, "bandpass", (u(800, 1800), u(6000, 9000)))
    noise = noise / (np.max(np.abs(noise)) + 1e-9) * np.exp(-t / u(0.06, 0.16))
    kit["snare"] = (u(0.3, 0.7) * body + noise).astype(np.float32)

    # metallic hats: six detuned square waves (808-style) plus noise, high-passed
    t = t_of(0.6)
    base = u(280, 420)
    metal = sum(
        np.sign(np.sin(2 * np.pi * base * r * t)) for r in (1.0, 1.342, 1.2312, 1.6532, 1.9523, 2.1)
    )
    hat_src = 0.5 * metal / 6 + rng.standard_normal(len(t)) * u(0.5, 1.0)
    hat_src = _butter(hat_src, sr, "highpass", u(3000, 5000), order=2)
    hat_src /= np.max(np.abs(hat_src)) + 1e-9
    kit["hat"] = (hat_src[: int(0.12 * sr)] * np.exp(-t[: int(0.12 * sr)] / u(0.015, 0.04))).astype(
        np.float32
    )
    kit["ohat"] = (hat_src * np.exp(-t / u(0.12, 0.3))).astype(np.float32)

    # crash: long bright noise
    t = t_of(2.0)
    crash = _butter(rng.standard_normal(len(t)), sr, "highpass", u(3500, 5500), order=2)
    crash /= np.max(np.abs(crash)) + 1e-9
    kit["crash"] = (crash * np.exp(-t / u(0.5, 0.9)) * 0.7).astype(np.float32)

    # toms for fills
    for name, f in (("tom_lo", u(90, 120)), ("tom_hi", u(150, 200))):
        t = t_of(0.4)
        ph = 2 * np.pi * (f * t + f * 0.5 * 0.05 * (1 - np.exp(-t / 0.05)))
        kit[name] = (np.sin(ph) * np.exp(-t / u(0.12, 0.2))).astype(np.float32)
    # rim / side stick
    t = t_of(0.08)
    rim = np.sin(2 * np.pi * u(700, 1100) * t) * np.exp(-t / 0.012)
    kit["rim"] = (rim + 0.3 * rng.standard_normal(len(t)) * np.exp(-t / 0.004)).astype(np.float32)
    if out_sr != sr:
        import soxr

        kit = {k: soxr.resample(v, sr, out_sr).astype(np.float32) for k, v in kit.items()}
    return kit


def _drum_pattern(style: str, steps: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Velocities per 16th step (0 = no hit) for one bar."""
    p = {k: np.zeros(steps) for k in ("kick", "snare", "hat", "ohat", "rim")}
    eighths = np.arange(0, steps, 2)
    if style in ("waltz", "waltz_rock"):  # 12 steps
        p["kick"][0] = 1.0
        if style == "waltz_rock":
            p["kick"][6] = 0.8
            p["snare"][[4, 8]] = 0.9
        else:
            p["rim"][[4, 8]] = 0.8
        p["hat"][eighths] = 0.6
        p["hat"][0] = 0.8
    elif style == "rock":
        p["kick"][[0, 8]] = 1.0
        p["snare"][[4, 12]] = 1.0
        p["hat"][eighths] = 0.7
    elif style == "pop":
        p["kick"][[0, 6, 8]] = [1.0, 0.8, 1.0]
        p["snare"][[4, 12]] = 1.0
        p["hat"][eighths] = 0.6
        p["hat"][eighths + 1] = 0.3
    elif style == "four_on_floor":
        p["kick"][[0, 4, 8, 12]] = 1.0
        p["snare"][[4, 12]] = 0.9
        p["ohat"][[2, 6, 10, 14]] = 0.6
        p["hat"][np.arange(steps)] = 0.25
    elif style == "halftime":
        p["kick"][[0, 10]] = [1.0, 0.8]
        p["snare"][8] = 1.0
        p["hat"][np.arange(steps)] = 0.35
        p["hat"][eighths] = 0.6
    elif style == "breakbeat":
        p["kick"][[0, 7, 10]] = [1.0, 0.7, 0.9]
        p["snare"][[4, 12]] = 1.0
        p["snare"][[9, 15]] = 0.3  # ghost notes
        p["hat"][np.arange(steps)] = 0.4
        p["hat"][eighths] = 0.7
    elif style == "shuffle":
        p["kick"][[0, 6, 8]] = [1.0, 0.6, 0.9]
        p["snare"][[4, 12]] = 1.0
        p["hat"][eighths] = 0.7
        p["rim"][[14]] = 0.3
    elif style == "sparse":
        p["kick"][[0, 10]] = [0.8, 0.5]
        p["rim"][[4, 12]] = 0.7
        p["hat"][np.arange(0, steps, 4)] = 0.5
    else:
        raise ValueError(f"unknown drum style {style!r}")
    # a per-track touch: one extra kick or a moved hat accent
    if rng.random() < 0.5 and steps == 16:
        s = int(rng.choice([3, 11, 14, 15]))
        p["kick"][s] = max(p["kick"][s], 0.6)
    return p


# --------------------------------------------------------------------------- composition


@dataclass
class _Section:
    kind: str
    prog: tuple[int, ...]
    chord_bars: int
    melody: list[tuple[float, float, int]]  # (onset beat, duration beats, scale degree)
    phrase_bars: int
    bass: list[tuple[float, float, str]]  # per bar: (onset beat, beats, role)
    drums: dict[str, np.ndarray]
    drum_level: float
    has_melody: bool
    has_arp: bool
    level: float


_BASS_TEMPLATES = {
    "whole": [(0.0, 4.0, "r")],
    "half": [(0.0, 2.0, "r"), (2.0, 2.0, "5")],
    "quarters": [(0.0, 1.0, "r"), (1.0, 1.0, "r"), (2.0, 1.0, "5"), (3.0, 1.0, "a")],
    "eighths": [(i * 0.5, 0.45, "r") for i in range(8)],
    "octaves": [(i * 0.5, 0.45, "r" if i % 2 == 0 else "o") for i in range(8)],
    "syncopated": [(0.0, 1.5, "r"), (1.5, 0.5, "r"), (2.5, 1.0, "5"), (3.5, 0.5, "a")],
    "driving": [
        (0.0, 0.75, "r"),
        (0.75, 0.75, "r"),
        (1.5, 1.0, "r"),
        (2.5, 0.5, "5"),
        (3.0, 0.5, "o"),
        (3.5, 0.5, "5"),
    ],
    "walking": [(0.0, 1.0, "r"), (1.0, 1.0, "3"), (2.0, 1.0, "5"), (3.0, 1.0, "a")],
}
_BASS_WALTZ = {
    "waltz": [(0.0, 1.0, "r"), (1.0, 1.0, "5"), (2.0, 1.0, "5")],
    "waltz_long": [(0.0, 3.0, "r")],
    "waltz_walk": [(0.0, 1.0, "r"), (1.0, 1.0, "3"), (2.0, 1.0, "a")],
}


def _rhythm_bar(rng: np.random.Generator, bpb: int, density: float) -> list[tuple[float, float]]:
    onsets: list[float] = []
    for s in range(bpb * 2):
        p = density * (1.25 if s % 2 == 0 else 0.75)
        if s == 0:
            p = max(p, 0.75)
        if rng.random() < p:
            onsets.append(s / 2)
            if s % 2 == 1 and rng.random() < 0.25 * density:
                onsets.append(s / 2 + 0.25)
    if len(onsets) < 2:
        onsets = [0.0, bpb / 2]
    onsets = sorted(set(onsets))
    legato = rng.uniform(0.6, 0.95)
    out = []
    for i, o in enumerate(onsets):
        nxt = onsets[i + 1] if i + 1 < len(onsets) else float(bpb)
        out.append((o, max(0.2, (nxt - o) * legato)))
    return out


class _Composer:
    """Draws the musical material of one track from its spec."""

    def __init__(self, spec: TrackSpec, rng: np.random.Generator):
        self.spec, self.rng = spec, rng
        self.bpb = spec.beats_per_bar
        harm = SCALES[_HARMONY.get(spec.scale, spec.scale)]
        self.harm = harm
        self.mel = SCALES[spec.scale]
        self.tonic = 60 + ((spec.key + 6) % 12) - 6  # 54..65

    # pitches -------------------------------------------------------------
    def chord_pcs(self, degree: int, seventh: bool = False) -> list[int]:
        """Pitch classes of the diatonic chord on ``degree`` (root first).

        A diminished triad is played as the seventh chord a third below it (vii -> V7,
        ii -> VII7 in minor), as songs usually do; an augmented fifth is made perfect.
        """
        h, key = self.harm, self.spec.key

        def pc(i: int) -> int:
            return (key + h[i % 7]) % 12

        fifth = (pc(degree + 4) - pc(degree)) % 12
        if fifth == 6:
            degree -= 2
            seventh = True
        pcs = [pc(degree), pc(degree + 2), pc(degree + 4)]
        if (pcs[2] - pcs[0]) % 12 == 8:
            pcs[2] = (pcs[0] + 7) % 12
        if seventh:
            pcs.append(pc(degree + 6))
        return pcs

    def chord_root_midi(self, degree: int, low: int) -> int:
        pc = self.chord_pcs(degree)[0]
        return low + ((pc - low) % 12)

    def voicing(self, degree: int, seventh: bool, low: int = 53) -> list[int]:
        return sorted(low + ((pc - low) % 12) for pc in self.chord_pcs(degree, seventh))

    def mel_midi(self, d: int) -> int:
        n = len(self.mel)
        return self.tonic + 12 * (d // n) + self.mel[d % n]

    def snap(self, d: int, pcs: list[int], direction: int) -> int:
        for delta in (0, direction or 1, -(direction or 1), 2, -2, 3, -3):
            if self.mel_midi(d + delta) % 12 in pcs:
                return d + delta
        return d

    # sections ------------------------------------------------------------
    def melody(
        self, prog: tuple[int, ...], chord_bars: int, density: float, anchor: int
    ) -> tuple[list[tuple[float, float, int]], int]:
        """One phrase (4 or 8 bars) of motifs: A A B C or A B A C, C a cadence.

        Each motif starts on a chord tone near the section's ``anchor`` degree, so a
        repeated motif follows the harmony (a sequence) without drifting away.
        """
        rng, bpb, n = self.rng, self.bpb, len(self.mel)
        phrase_bars = min(8, max(4, len(prog) * chord_bars))
        rA = _rhythm_bar(rng, bpb, density)
        rB = _rhythm_bar(rng, bpb, density) if rng.random() < 0.6 else rA
        cad = _rhythm_bar(rng, bpb, density * 0.5)
        cad = [(o, d) for o, d in cad if o < bpb / 2] or [(0.0, 1.0)]
        last_o = cad[-1][0]
        cad[-1] = (last_o, float(bpb) - last_o - 0.1)
        steps_w = np.array([3, 6, 2, 6, 3, 1, 1], float)
        steps_v = np.array([-2, -1, 0, 1, 2, 3, -3])

        def contour(k: int) -> list[int]:
            st = rng.choice(steps_v, size=k, p=steps_w / steps_w.sum())
            st[0] = 0
            return list(np.cumsum(st))

        cA, cB = contour(len(rA)), contour(len(rB))
        form = [("A", rA, cA), ("A", rA, cA), ("B", rB, cB), ("C", cad, None)]
        if rng.random() < 0.5:
            form = [("A", rA, cA), ("B", rB, cB), ("A", rA, cA), ("C", cad, None)]
        notes: list[tuple[float, float, int]] = []
        prev = anchor
        for bar in range(phrase_bars):
            label, rhythm, cont = form[bar % 4]
            if bar == phrase_bars - 1:
                label, rhythm, cont = form[3]
            degree = prog[(bar // chord_bars) % len(prog)]
            pcs = self.chord_pcs(degree)
            if cont is None:  # cadence: step towards a chord tone, end on the root/tonic
                cont = [0] + [int(x) for x in np.cumsum(rng.choice([-1, 1], len(rhythm) - 1))]
            if label == "C":
                start = self.snap(prev, pcs, 0)
            else:
                shift = 0 if label == "A" else int(rng.integers(-1, 3))
                start = self.snap(anchor + shift, pcs, 0)
            for (o, d), c in zip(rhythm, cont, strict=True):
                deg = start + int(c)
                if o == int(o):
                    deg = self.snap(deg, pcs, int(np.sign(c)) if c else 1)
                while deg > n + 4:
                    deg -= n
                while deg < -2:
                    deg += n
                notes.append((bar * bpb + o, d, deg))
            prev = notes[-1][2]
        return notes, phrase_bars

    def bass(self, kind: str) -> list[tuple[float, float, str]]:
        rng = self.rng
        if self.bpb == 3:
            return _BASS_WALTZ[str(rng.choice(list(_BASS_WALTZ)))]
        calm = ("whole", "half", "syncopated", "quarters")
        busy = ("eighths", "octaves", "driving", "syncopated", "quarters")
        if self.spec.swing >= 0.2 and rng.random() < 0.6:
            return _BASS_TEMPLATES["walking"]
        choices = busy if kind == "chorus" else calm if kind in ("intro", "bridge") else calm + busy
        return _BASS_TEMPLATES[str(rng.choice(choices))]

    def sections(self) -> dict[str, _Section]:
        spec, rng = self.spec, self.rng
        verse_p, chorus_p, bridge_p = spec.progressions
        bar_s = self.bpb * 60.0 / spec.tempo_bpm
        cb = 2 if (bar_s < 2.0 and rng.random() < 0.5) else 1
        steps = 4 * self.bpb
        base_style = spec.drums
        base = _drum_pattern(base_style, steps, rng)
        out: dict[str, _Section] = {}
        density = rng.uniform(0.35, 0.7)
        n_mel = len(self.mel)
        verse_anchor = int(rng.integers(0, n_mel // 2 + 1))
        anchors = {
            "verse": verse_anchor,
            "chorus": verse_anchor + int(rng.integers(2, 5)),  # choruses sit higher
            "bridge": int(rng.integers(1, n_mel)),
        }
        for kind, prog in (("verse", verse_p), ("chorus", chorus_p), ("bridge", bridge_p)):
            mdens = density * (1.15 if kind == "chorus" else 0.85 if kind == "bridge" else 1.0)
            mel, pbars = self.melody(
                prog, cb if len(prog) == 4 else 1, min(mdens, 0.9), anchors[kind]
            )
            drums = {k: v.copy() for k, v in base.items()}
            if kind == "chorus":
                if self.bpb == 4 and drums["ohat"].sum() == 0:
                    drums["ohat"][14] = 0.6
                drums["kick"] = np.maximum(drums["kick"], (rng.random(steps) < 0.08) * 0.6)
            if kind == "bridge":
                style = "halftime" if self.bpb == 4 and base_style != "halftime" else "sparse"
                if self.bpb == 3:
                    style = "waltz"
                drums = _drum_pattern(style, steps, rng)
            out[kind] = _Section(
                kind=kind,
                prog=prog,
                chord_bars=cb if len(prog) == 4 else 1,
                melody=mel,
                phrase_bars=pbars,
                bass=self.bass(kind),
                drums=drums,
                drum_level={"verse": 0.85, "chorus": 1.0, "bridge": 0.7}[kind],
                has_melody=True,
                has_arp=kind == "chorus",
                level={"verse": 0.85, "chorus": 1.0, "bridge": 0.8}[kind],
            )
        intro_drums = {k: np.zeros(steps) for k in base}
        intro_drums["hat"] = base["hat"] * 0.7
        if rng.random() < 0.5:
            intro_drums["kick"] = base["kick"] * 0.8
        v = out["verse"]
        out["intro"] = _Section(
            "intro",
            v.prog,
            v.chord_bars,
            [],
            v.phrase_bars,
            v.bass,
            intro_drums,
            0.7,
            False,
            rng.random() < 0.4,
            0.7,
        )
        return out

    def form(self, total_bars: int, sec_bars: int) -> list[tuple[str, int]]:
        rng = self.rng
        seq: list[tuple[str, int]] = []
        intro = int(rng.choice([0, 2, 4, 4])) if sec_bars <= 8 else int(rng.choice([4, 8]))
        if intro:
            seq.append(("intro", intro))
        cycle = ["verse", "chorus", "verse", "chorus", "bridge", "chorus", "chorus"]
        tail = ["verse", "chorus", "bridge", "chorus"]
        i = 0
        while sum(b for _, b in seq) < total_bars:
            kind = cycle[i] if i < len(cycle) else tail[(i - len(cycle)) % len(tail)]
            bars = (
                sec_bars
                if kind != "bridge"
                else max(4, sec_bars // 2 * (1 + int(rng.random() < 0.5)))
            )
            seq.append((kind, bars))
            i += 1
        return seq


# --------------------------------------------------------------------------- rendering


def _pan_gains(pan: float) -> tuple[float, float]:
    th = (pan + 1.0) * np.pi / 4
    return math.cos(th) * math.sqrt(2), math.sin(th) * math.sqrt(2)


def _add(buf: np.ndarray, start: int, y: np.ndarray, g: float) -> None:
    if start >= len(buf) or g == 0.0:
        return
    if start < 0:
        y = y[-start:]
        start = 0
    end = min(len(buf), start + len(y))
    buf[start:end] += np.float32(g) * y[: end - start]


_LEAD_TRIM = {"pluck": 2.4, "bell": 0.6, "epiano": 1.2, "brass": 0.9}
_CHORD_TRIM = {"stabs": 1.6, "organ": 0.75, "pluck": 1.3, "epiano": 0.9}


def render(spec: TrackSpec, sr: int = 22050) -> np.ndarray:
    """Render ``spec`` as float32 stereo, shape (round(duration_s * sr), 2), peak -1 dBFS."""
    rng = np.random.default_rng([spec.seed, 7])
    n_total = int(round(spec.duration_s * sr))
    beat_s = 60.0 / spec.tempo_bpm
    bpb = spec.beats_per_bar
    bar_s = bpb * beat_s
    comp = _Composer(spec, rng)
    sections = comp.sections()
    sec_bars = 8 if bar_s >= 1.9 else 16
    total_bars = int(math.ceil(spec.duration_s / bar_s)) + 1
    form = comp.form(total_bars, sec_bars)

    swing = spec.swing

    def when(beat: float) -> float:  # beats -> seconds, with swung off-beats
        if swing:
            b = math.floor(beat)
            f = beat - b
            f = f * (1 + swing) if f < 0.5 else 0.5 * (1 + swing) + (f - 0.5) * (1 - swing)
            beat = b + f
        return beat * beat_s

    def nsamp(beats: float) -> int:
        return max(1, int(round(beats * beat_s * sr)))

    pad_tail = int(3.0 * sr)
    n_buf = n_total + pad_tail
    # one mono buffer per pan position; mix gains are applied when adding notes
    stems = {
        k: np.zeros(n_buf, np.float32)
        for k in ("lead", "chords", "arp", "bass", "kick", "drums", "hats")
    }
    g_kick, g_snare, g_hats, g_fx = 0.45, 0.6, 0.3, 0.45

    bass_name = {"sine": "sine", "saw": "saw_bass", "pluck": "pluck_bass", "fm": "fm_bass"}
    v_lead = _Voice(_make_inst(spec.lead, rng), sr, spec.seed)
    v_chords = _Voice(_make_inst(spec.chords, rng), sr, spec.seed + 1)
    # even out loudness between timbres (percussive voices sound quieter at equal peak)
    v_lead.inst.gain *= _LEAD_TRIM.get(spec.lead, 1.0)
    v_chords.inst.gain *= _CHORD_TRIM.get(spec.chords, 1.0)
    v_bass = _Voice(_make_inst(bass_name.get(spec.bass, spec.bass), rng), sr, spec.seed + 2)
    v_arp = _Voice(_make_inst(spec.arp, rng), sr, spec.seed + 3)
    kit = _drum_kit(np.random.default_rng([spec.seed, 13]), sr)
    seventh = rng.random() < 0.35
    lead_oct = 0 if v_lead.inst.octave else int(rng.choice([0, 12], p=[0.4, 0.6]))
    arp_pattern = [int(i) for i in rng.permutation(4)] if rng.random() < 0.5 else [0, 1, 2, 3]
    arp_rate = float(rng.choice([0.5, 0.25])) if spec.tempo_bpm < 120 else 0.5
    stab_hits = [o for o in np.arange(0, bpb, 0.5) if rng.random() < 0.45] or [0.0, 1.5]
    jitter_s = 0.004
    drum_routes = (
        ("kick", "kick", g_kick),
        ("snare", "drums", g_snare),
        ("rim", "drums", g_snare),
        ("hat", "hats", g_hats),
        ("ohat", "hats", g_hats),
    )

    bar0 = 0
    occurrence: dict[str, int] = {}
    for kind, bars in form:
        sec = sections[kind]
        occ = occurrence.get(kind, 0)
        occurrence[kind] = occ + 1
        kind_id = ("intro", "verse", "chorus", "bridge").index(kind)
        vrng = np.random.default_rng([spec.seed, 11, kind_id, occ])
        t_sec = bar0 * bar_s
        for bar in range(bars):
            t_bar = t_sec + bar * bar_s
            if t_bar >= spec.duration_s:
                break
            degree = sec.prog[(bar // sec.chord_bars) % len(sec.prog)]
            nxt_degree = sec.prog[((bar + 1) // sec.chord_bars) % len(sec.prog)]
            lvl = sec.level

            # chords
            voicing = comp.voicing(degree, seventh)
            if spec.comping == "sustain":
                if bar % sec.chord_bars == 0:
                    for m in voicing:
                        y = v_chords.note(m, nsamp(bpb * sec.chord_bars))
                        _add(stems["chords"], int(t_bar * sr), y, 0.22 * lvl)
            elif spec.comping == "block":
                hits = [0.0, bpb / 2] if bpb == 4 else [0.0]
                for o in hits:
                    for m in voicing:
                        y = v_chords.note(m, nsamp(bpb / len(hits) * 0.9))
                        _add(stems["chords"], int((t_bar + when(o)) * sr), y, 0.2 * lvl)
            elif spec.comping == "stabs":
                for o in stab_hits:
                    for m in voicing:
                        y = v_chords.note(m, nsamp(0.3))
                        _add(stems["chords"], int((t_bar + when(o)) * sr), y, 0.22 * lvl)
            else:  # arpeggio
                tones = voicing + [voicing[0] + 12]
                k = 0
                for o in np.arange(0, bpb, arp_rate):
                    m = tones[arp_pattern[k % 4] % len(tones)]
                    y = v_chords.note(m, nsamp(arp_rate * 1.5))
                    _add(stems["chords"], int((t_bar + when(o)) * sr), y, 0.28 * lvl)
                    k += 1

            # bass
            root = comp.chord_root_midi(degree, 36)
            nroot = comp.chord_root_midi(nxt_degree, 36)
            pcs = comp.chord_pcs(degree)
            for o, d, role in sec.bass:
                if o >= bpb:
                    continue
                if role == "r":
                    m = root
                elif role == "5":
                    m = root + ((pcs[2] - pcs[0]) % 12)
                elif role == "3":
                    m = root + ((pcs[1] - pcs[0]) % 12)
                elif role == "o":
                    m = root + 12
                else:  # approach the next chord from a step below/above
                    m = nroot - 1 if nroot != root else root + 7
                    if m < 33:
                        m += 12
                y = v_bass.note(m, nsamp(d))
                _add(stems["bass"], int((t_bar + when(o)) * sr), y, 0.32 * lvl)

            # arpeggiated counter-line in choruses
            if sec.has_arp:
                tones = comp.voicing(degree, False, low=67)
                for j, o in enumerate(np.arange(0, bpb, 0.5)):
                    if j % 4 == 3 and bar % 2 == 1:
                        continue
                    m = tones[j % len(tones)]
                    y = v_arp.note(m, nsamp(0.4))
                    _add(stems["arp"], int((t_bar + when(o)) * sr), y, 0.09 * lvl)

            # drums
            steps = 4 * bpb
            pat = sec.drums
            fill = bar == bars - 1 and kind != "intro" and bars >= 4
            for s in range(steps):
                ts = t_bar + when(s / 4)
                i0 = int((ts + vrng.normal(0, jitter_s * 0.5)) * sr)
                if fill and s >= steps - 4:
                    drum = ("snare", "tom_hi", "tom_hi", "tom_lo")[s - (steps - 4)]
                    vel = 0.5 + 0.15 * (s - (steps - 4))
                    g = g_snare if drum == "snare" else g_fx
                    _add(stems["drums"], i0, kit[drum], g * vel * sec.drum_level)
                    continue
                for drum, tgt, g in drum_routes:
                    v = pat[drum][s]
                    if v > 0:
                        vel = v * sec.drum_level * (1.0 + 0.06 * vrng.standard_normal())
                        _add(stems[tgt], i0, kit[drum], g * vel)
            if bar == 0 and kind in ("chorus", "bridge") and spec.drums != "sparse":
                _add(stems["hats"], int(t_bar * sr), kit["crash"], 0.1)

        # melody over the whole section (phrases repeat with small variations)
        if sec.has_melody:
            phrase_beats = sec.phrase_bars * bpb
            reps = int(math.ceil(bars / sec.phrase_bars))
            for r in range(reps):
                for o, d, deg in sec.melody:
                    beat = r * phrase_beats + o
                    if beat >= bars * bpb:
                        break
                    if occ > 0 or r > 0:  # later passes vary a little
                        x = vrng.random()
                        if x < 0.05:
                            continue
                        if x < 0.13:
                            deg += int(vrng.choice([-1, 1]))
                    m = comp.mel_midi(deg) + lead_oct
                    y = v_lead.note(m, nsamp(d))
                    t0 = t_sec + when(beat) + vrng.normal(0, jitter_s)
                    _add(stems["lead"], int(t0 * sr), y, 0.3 * sec.level)
        bar0 += bars

    pans = {
        "lead": rng.uniform(-0.15, 0.15),
        "chords": rng.uniform(-0.35, 0.35),
        "arp": rng.uniform(-0.6, 0.6),
        "bass": 0.0,
        "kick": 0.0,
        "drums": rng.uniform(-0.15, 0.15),
        "hats": rng.uniform(-0.45, 0.45),
    }
    haas = int(0.011 * sr)
    d1 = int(0.75 * beat_s * sr)
    taps = [  # wide chords (a short Haas delay on one side) and ping-pong echoes of the lead
        (stems["chords"], 1, haas, 0.3),
        (stems["lead"], 0, d1, 0.28),
        (stems["lead"], 1, 2 * d1, 0.2),
        (stems["lead"], 0, 3 * d1, 0.1),
    ]
    fade_in = min(int(0.01 * sr), n_total)
    fade_out = min(int(min(4.0, 0.08 * spec.duration_s) * sr), n_total)
    return _mixdown(stems, pans, taps, n_total, fade_in, fade_out)


def _mixdown(
    stems: dict[str, np.ndarray],
    pans: dict[str, float],
    taps: list[tuple[np.ndarray, int, int, float]],
    n: int,
    fade_in: int,
    fade_out: int,
    drive: float = 1.8,
) -> np.ndarray:
    """Pan and sum the stems, fade, saturate (tanh) and peak-normalise, block by block.

    Working in cache-sized blocks is about three times faster than whole-array passes.
    The final gain is exact without a second peak search: tanh is monotonic, so the
    loudest sample after saturation is tanh(drive).
    """
    out = np.empty((n, 2), np.float32)
    block = 1 << 15
    chans = [
        (stems[k], np.float32(gl), np.float32(gr))
        for k, (gl, gr) in ((k, _pan_gains(p)) for k, p in pans.items())
    ]
    bl = np.empty(block, np.float32)
    br = np.empty(block, np.float32)
    peak = 0.0
    for b0 in range(0, n, block):
        b1 = min(n, b0 + block)
        m = b1 - b0
        left, right = bl[:m], br[:m]
        left.fill(0.0)
        right.fill(0.0)
        for x, gl, gr in chans:
            seg = x[b0:b1]
            left += gl * seg
            right += gr * seg
        for x, ch, delay, g in taps:
            s0, s1 = b0 - delay, b1 - delay
            if s1 <= 0:
                continue
            off = max(0, -s0)
            (left if ch == 0 else right)[off:] += np.float32(g) * x[max(s0, 0) : s1]
        if b0 < fade_in:
            k = min(fade_in, b1) - b0
            ramp = np.arange(b0, b0 + k, dtype=np.float32) / np.float32(fade_in)
            left[:k] *= ramp
            right[:k] *= ramp
        if b1 > n - fade_out:
            start = max(b0, n - fade_out)
            ramp = ((n - np.arange(start, b1, dtype=np.float32)) / np.float32(fade_out)) ** 2
            left[start - b0 :] *= ramp
            right[start - b0 :] *= ramp
        peak = max(
            peak, float(left.max()), -float(left.min()), float(right.max()), -float(right.min())
        )
        out[b0:b1, 0] = left
        out[b0:b1, 1] = right
    if peak <= 0.0:
        return out
    k_in = np.float32(drive / peak)
    k_out = np.float32(_PEAK / math.tanh(drive))
    for b0 in range(0, n, block):
        blk = out[b0 : b0 + block]
        blk *= k_in
        np.tanh(blk, out=blk)
        blk *= k_out
    return out


def render_mono(spec: TrackSpec, sr: int = 11025) -> np.ndarray:
    """Float32 mono version of :func:`render` (the mean of the two channels)."""
    st = render(spec, sr)
    return st.mean(axis=1, dtype=np.float32)


# --------------------------------------------------------------------------- cover art


def _hsv(h: float, s: float, v: float) -> np.ndarray:
    i = int(h * 6) % 6
    f = h * 6 - math.floor(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    return np.array([(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i])


def _png(rgb: np.ndarray) -> bytes:
    """Encode an (h, w, 3) uint8 image as PNG (filter 'Sub' on every row)."""
    h, w, _ = rgb.shape
    flat = rgb.reshape(h, w * 3).astype(np.int16)
    sub = flat.copy()
    sub[:, 3:] = flat[:, 3:] - flat[:, :-3]
    rows = np.concatenate([np.ones((h, 1), np.uint8), (sub & 0xFF).astype(np.uint8)], axis=1)
    raw = rows.tobytes()

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + tag
            + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def make_cover_png(spec: TrackSpec, size: int = 256) -> bytes:
    """A deterministic abstract cover (gradient, circles, rings, bars) as PNG bytes."""
    rng = np.random.default_rng([spec.seed, 17])
    hue = rng.random()
    c1 = _hsv(hue, rng.uniform(0.4, 0.9), rng.uniform(0.25, 0.6))
    c2 = _hsv((hue + rng.uniform(0.08, 0.35)) % 1, rng.uniform(0.3, 0.8), rng.uniform(0.6, 0.95))
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / max(size - 1, 1)
    ang = rng.uniform(0, 2 * np.pi)
    g = (np.cos(ang) * (xx - 0.5) + np.sin(ang) * (yy - 0.5)) / 1.42 + 0.5
    img = c1[None, None, :] * (1 - g[..., None]) + c2[None, None, :] * g[..., None]
    for _ in range(int(rng.integers(3, 7))):
        col = _hsv(
            (hue + rng.choice([0.0, 0.5, 0.33, 0.66]) + rng.normal(0, 0.03)) % 1,
            rng.uniform(0.3, 1.0),
            rng.uniform(0.5, 1.0),
        )
        alpha = rng.uniform(0.35, 0.85)
        shape = rng.choice(["circle", "ring", "bar", "stripes"])
        cx, cy, r = rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85), rng.uniform(0.08, 0.35)
        dist = np.hypot(xx - cx, yy - cy)
        if shape == "circle":
            mask = dist < r
        elif shape == "ring":
            mask = np.abs(dist - r) < rng.uniform(0.01, 0.04)
        elif shape == "bar":
            w = rng.uniform(0.03, 0.12)
            mask = (np.abs(xx - cx) < w) if rng.random() < 0.5 else (np.abs(yy - cy) < w)
        else:
            period = rng.uniform(0.04, 0.1)
            mask = ((yy * np.cos(ang) - xx * np.sin(ang)) % period < period / 2) & (dist < r)
        img[mask] = img[mask] * (1 - alpha) + col * alpha
    rgb = np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return _png(rgb)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) of PNG bytes."""
    w, h = struct.unpack(">II", png[16:24])
    return int(w), int(h)


# --------------------------------------------------------------------------- files

_FORMATS = {
    "ogg": ("OGG", "VORBIS"),
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}


def _picture(cover: bytes):
    from mutagen.flac import Picture

    pic = Picture()
    pic.type = 3  # front cover
    pic.mime = "image/png"
    pic.desc = "Cover"
    pic.width, pic.height = png_size(cover)
    pic.depth = 24
    pic.data = cover
    return pic


def _tag_file(path: Path, fmt: str, spec: TrackSpec, cover: bytes | None) -> None:
    comment = f"Generated by shazam-desktop's synthesiser (seed {spec.seed}); CC0"
    if fmt in ("ogg", "flac"):
        if fmt == "ogg":
            from mutagen.oggvorbis import OggVorbis

            audio = OggVorbis(path)
        else:
            from mutagen.flac import FLAC

            audio = FLAC(path)
        if audio.tags is None:
            audio.add_tags()
        audio["title"] = spec.title
        audio["artist"] = spec.artist
        audio["album"] = spec.album
        audio["tracknumber"] = str(spec.track_number)
        audio["genre"] = spec.genre
        audio["comment"] = comment
        if cover is not None:
            pic = _picture(cover)
            if fmt == "ogg":
                audio["metadata_block_picture"] = [base64.b64encode(pic.write()).decode("ascii")]
            else:
                audio.clear_pictures()
                audio.add_picture(pic)
        audio.save()
        return
    from mutagen.id3 import APIC, COMM, TALB, TCON, TIT2, TPE1, TRCK

    if fmt == "mp3":
        from mutagen.mp3 import MP3

        audio = MP3(path)
    else:
        from mutagen.wave import WAVE

        audio = WAVE(path)
    if audio.tags is None:
        audio.add_tags()
    t = audio.tags
    t.add(TIT2(encoding=3, text=spec.title))
    t.add(TPE1(encoding=3, text=spec.artist))
    t.add(TALB(encoding=3, text=spec.album))
    t.add(TRCK(encoding=3, text=str(spec.track_number)))
    t.add(TCON(encoding=3, text=spec.genre))
    t.add(COMM(encoding=3, lang="eng", desc="", text=comment))
    if cover is not None:
        t.add(APIC(encoding=3, mime="image/png", type=3, desc="Cover", data=cover))
    audio.save()


_WRITE_BLOCK = 1 << 16


def _set_ogg_serial(path: Path, seed: int) -> None:
    """Give the Ogg stream a serial number derived from the seed.

    libsndfile picks a random serial per file, so the same audio would give different
    bytes on every run; a fixed serial makes rendering byte-for-byte reproducible.
    """
    from mutagen.ogg import OggPage

    serial = (seed * 2654435761 + 0x5EED) & 0x7FFFFFFF
    pages = []
    with open(path, "rb") as f:
        while True:
            try:
                page = OggPage(f)
            except EOFError:
                break
            page.serial = serial
            pages.append(page.write())
    with open(path, "wb") as f:
        f.write(b"".join(pages))


def write_track(
    spec: TrackSpec,
    path: str | os.PathLike,
    sr: int = 22050,
    fmt: str | None = None,
    *,
    cover: bytes | None = None,
    quality: float | None = None,
    audio: np.ndarray | None = None,
) -> Path:
    """Render ``spec`` and write it with title/artist/album tags (and cover art if given).

    ``fmt`` is one of ogg, wav, flac, mp3 (default: from the file suffix, else ogg).
    ``quality`` is soundfile's ``compression_level`` (0 = best quality/largest,
    1 = smallest) for OGG Vorbis, FLAC and MP3.  ``audio`` skips rendering (it must be
    ``render(spec, sr)`` or equivalent).  The file is written under a temporary name and
    moved into place, so an interrupted run leaves no half-written track.
    """
    import soundfile as sf

    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".") or "ogg").lower()
    if fmt not in _FORMATS:
        raise ValueError(f"unsupported format {fmt!r} (choose from {', '.join(_FORMATS)})")
    major, subtype = _FORMATS[fmt]
    if fmt == "mp3" and "MP3" not in sf.available_formats():
        raise RuntimeError("this libsndfile cannot write MP3 (needs libsndfile >= 1.1 with lame)")
    data = render(spec, sr) if audio is None else audio
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    kwargs = {}
    if quality is not None and fmt != "wav":
        kwargs["compression_level"] = float(quality)
    try:
        # Written in blocks: libvorbis (through libsndfile) allocates its analysis buffer
        # on the stack, and one big write of more than ~2.5 M frames crashes the process
        # (python-soundfile issues #396, #426).
        with sf.SoundFile(
            str(tmp),
            "w",
            sr,
            data.shape[1] if data.ndim > 1 else 1,
            subtype=subtype,
            format=major,
            **kwargs,
        ) as f:
            for i in range(0, len(data), _WRITE_BLOCK):
                f.write(data[i : i + _WRITE_BLOCK])
        _tag_file(tmp, fmt, spec, cover)
        if fmt == "ogg":
            _set_ogg_serial(tmp, spec.seed)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def corpus_filename(spec: TrackSpec, fmt: str = "ogg") -> str:
    """``000042 - Amber Harbour.ogg``: unique per seed, stable across runs."""
    safe = "".join(c for c in spec.title if c.isalnum() or c in " -'&").strip()
    return f"{spec.seed:06d} - {safe}.{fmt}"


def _corpus_job(args: tuple) -> str:
    seed, path, min_s, max_s, fmt, sr, cover, quality = args
    spec = make_spec(seed, min_s=min_s, max_s=max_s)
    png = make_cover_png(spec, 128) if cover else None
    write_track(spec, path, sr=sr, fmt=fmt, cover=png, quality=quality)
    return path


def generate_corpus(
    out_dir: str | os.PathLike,
    n: int,
    seed: int = 0,
    min_s: float = 30.0,
    max_s: float = 240.0,
    fmt: str = "ogg",
    progress: Callable[[int, int], None] | None = None,
    *,
    sr: int = 22050,
    cover: bool = True,
    quality: float | None = None,
    processes: int | None = None,
) -> list[Path]:
    """Write tracks with seeds ``seed .. seed+n-1`` into ``out_dir``; return their paths.

    Files that exist already are kept (so an interrupted run resumes).  ``progress`` is
    called as ``progress(done, n)``.  Work is spread over ``processes`` worker processes
    (default: up to 2, never more than the CPU count).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    jobs: list[tuple] = []
    for s in range(seed, seed + n):
        spec = make_spec(s, min_s=min_s, max_s=max_s)
        p = out / corpus_filename(spec, fmt)
        paths.append(p)
        if not p.exists():
            jobs.append((s, str(p), min_s, max_s, fmt, sr, cover, quality))
    done = n - len(jobs)
    if progress:
        progress(done, n)
    if processes is None:
        processes = min(2, os.cpu_count() or 1)
    if processes <= 1 or len(jobs) <= 1:
        for j in jobs:
            _corpus_job(j)
            done += 1
            if progress:
                progress(done, n)
    else:
        import multiprocessing as mp

        ctx = mp.get_context("fork") if hasattr(os, "fork") else mp.get_context()
        with ctx.Pool(processes) as pool:
            for _ in pool.imap_unordered(_corpus_job, jobs):
                done += 1
                if progress:
                    progress(done, n)
    return paths
