"""The generated-music synthesiser: deterministic, distinct, normalised, tagged."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np
import pytest
import soundfile as sf

from shazam_desktop.synth import music
from shazam_desktop.synth.music import (
    TrackSpec,
    generate_corpus,
    make_cover_png,
    make_spec,
    render,
    render_mono,
    write_track,
)

SR = 22050


@pytest.fixture(scope="module")
def spec() -> TrackSpec:
    return make_spec(3, 8.0)


@pytest.fixture(scope="module")
def audio(spec: TrackSpec) -> np.ndarray:
    return render(spec, SR)


def test_spec_is_deterministic_and_seeded():
    assert make_spec(42) == make_spec(42)
    assert make_spec(42) != make_spec(43)
    s = make_spec(7)
    assert 30.0 <= s.duration_s <= 240.0
    assert make_spec(7, 12.5).duration_s == 12.5
    assert 5.0 <= make_spec(7, min_s=5, max_s=6).duration_s <= 6.0
    with pytest.raises(ValueError):
        make_spec(-1)


def test_specs_vary_like_a_library():
    specs = [make_spec(s) for s in range(60)]
    tempos = [s.tempo_bpm for s in specs]
    assert min(tempos) >= 70 and max(tempos) <= 160
    assert max(tempos) - min(tempos) > 50
    assert len({s.key for s in specs}) >= 8
    assert len({s.scale for s in specs}) >= 5
    assert len({s.lead for s in specs}) >= 5
    assert len({s.drums for s in specs}) >= 4
    assert len({s.title for s in specs}) >= 55
    assert all(s.title and s.artist and s.album for s in specs)
    # albums: ten consecutive seeds share artist and album
    assert specs[10].artist == specs[19].artist and specs[10].album == specs[19].album
    for s in specs:
        assert s.scale in music.SCALES
        assert all(1 <= len(p) <= 8 for p in s.progressions)


def test_render_shape_dtype_level(spec: TrackSpec, audio: np.ndarray):
    assert audio.dtype == np.float32
    assert audio.shape == (round(spec.duration_s * SR), 2)
    assert np.isfinite(audio).all()
    peak_db = 20 * np.log10(np.max(np.abs(audio)))
    assert peak_db == pytest.approx(-1.0, abs=0.05)
    rms_db = 10 * np.log10(np.mean(audio.astype(np.float64) ** 2))
    assert -24.0 < rms_db < -6.0  # music-like loudness, not a few lonely tones
    # stereo, but not two unrelated channels
    left, right = audio[:, 0], audio[:, 1]
    assert not np.allclose(left, right)
    assert np.corrcoef(left, right)[0, 1] > 0.5


def test_render_is_deterministic(spec: TrackSpec, audio: np.ndarray):
    again = render(make_spec(3, 8.0), SR)
    assert np.array_equal(audio, again)


def test_different_seeds_differ(audio: np.ndarray):
    other = render(make_spec(4, 8.0), SR)
    assert other.shape == audio.shape
    c = np.corrcoef(audio[:, 0], other[:, 0])[0, 1]
    assert abs(c) < 0.5


@pytest.mark.parametrize("duration", [1.0, 4.37, 11.0])
def test_duration_exact(duration: float):
    for sr in (11025, 16000):
        x = render(make_spec(9, duration), sr)
        assert x.shape == (round(duration * sr), 2)


def test_render_mono_matches_stereo_at_another_rate():
    import soxr

    s = make_spec(5, 6.0)
    mono = render_mono(s, 11025)
    assert mono.dtype == np.float32 and mono.ndim == 1 and len(mono) == 6 * 11025
    ref = soxr.resample(render(s, 22050).mean(axis=1), 22050, 11025)
    n = min(len(ref), len(mono))
    assert np.corrcoef(ref[:n], mono[:n])[0, 1] > 0.9


def _second_profiles(x: np.ndarray, sr: int) -> np.ndarray:
    """Standardised log spectra, one per second."""
    import scipy.signal

    _, _, z = scipy.signal.stft(x, sr, nperseg=2048, noverlap=1024)
    mag = np.log1p(100 * np.abs(z[:200]))
    hop = sr // 1024
    f = np.array([mag[:, i : i + hop].mean(axis=1) for i in range(0, mag.shape[1] - hop, hop)])
    return (f - f.mean(1, keepdims=True)) / (f.std(1, keepdims=True) + 1e-9)


def test_songs_repeat_material():
    """Sections come back: most seconds of a song have a close match >= 8 s away in
    the same song, much closer than anything in another song."""
    a = _second_profiles(render_mono(make_spec(12, 60.0), 11025), 11025)
    b = _second_profiles(render_mono(make_spec(13, 60.0), 11025), 11025)
    sim = a @ a.T / a.shape[1]
    n = len(a)
    far = np.abs(np.arange(n)[:, None] - np.arange(n)[None, :]) >= 8
    within = np.median(np.where(far, sim, -1).max(axis=1))
    across = np.median((a @ b.T / a.shape[1]).max(axis=1))
    assert within > 0.9
    assert within > across + 0.15


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def test_cover_png_is_valid_and_deterministic(spec: TrackSpec):
    png = make_cover_png(spec, 64)
    assert png == make_cover_png(spec, 64)
    assert png != make_cover_png(make_spec(4, 8.0), 64)
    assert _png_size(png) == (64, 64)
    # walk the chunks, check CRCs, inflate IDAT: 64 rows of (filter byte + 64*3)
    pos, idat = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        tag = png[pos + 4 : pos + 8]
        data = png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(tag + data) & 0xFFFFFFFF
        if tag == b"IDAT":
            idat += data
        pos += 12 + length
    assert len(zlib.decompress(idat)) == 64 * (1 + 64 * 3)


def _formats() -> list[str]:
    out = ["ogg", "flac", "wav"]
    if "MP3" in sf.available_formats():
        out.append("mp3")
    return out


@pytest.mark.parametrize("fmt", _formats())
def test_write_track_tags_round_trip(tmp_path, fmt: str):
    import mutagen

    s = make_spec(21, 3.0)
    cover = make_cover_png(s, 32)
    path = write_track(s, tmp_path / f"x.{fmt}", fmt=fmt, cover=cover)
    assert path.exists() and not list(tmp_path.glob(".*part"))
    info = sf.info(str(path))
    assert info.samplerate == SR and info.channels == 2
    assert abs(info.frames - 3 * SR) <= (3000 if fmt == "mp3" else 0)

    f = mutagen.File(path)
    assert f is not None
    if fmt in ("ogg", "flac"):
        assert f["title"] == [s.title]
        assert f["artist"] == [s.artist]
        assert f["album"] == [s.album]
        if fmt == "ogg":
            from mutagen.flac import Picture

            pic = Picture(base64.b64decode(f["metadata_block_picture"][0]))
        else:
            pic = f.pictures[0]
        assert pic.mime == "image/png" and pic.type == 3
        assert pic.data == cover
    else:
        tags = f.tags
        assert str(tags["TIT2"]) == s.title
        assert str(tags["TPE1"]) == s.artist
        assert str(tags["TALB"]) == s.album
        apic = tags.getall("APIC")[0]
        assert apic.mime == "image/png" and apic.data == cover


def test_ogg_files_are_byte_reproducible(tmp_path):
    s = make_spec(23, 2.0)
    a = write_track(s, tmp_path / "a.ogg", cover=make_cover_png(s, 32)).read_bytes()
    b = write_track(s, tmp_path / "b.ogg", cover=make_cover_png(s, 32)).read_bytes()
    assert a == b


def test_write_track_without_cover_and_bad_format(tmp_path):
    import mutagen

    s = make_spec(22, 2.0)
    p = write_track(s, tmp_path / "y.ogg")
    f = mutagen.File(p)
    assert f["title"] == [s.title] and "metadata_block_picture" not in f
    with pytest.raises(ValueError):
        write_track(s, tmp_path / "y.xyz", fmt="xyz")


def test_generate_corpus_writes_and_resumes(tmp_path):
    calls: list[tuple[int, int]] = []
    paths = generate_corpus(
        tmp_path,
        3,
        seed=100,
        min_s=2,
        max_s=3,
        progress=lambda d, n: calls.append((d, n)),
        processes=2,
    )
    assert len(paths) == 3 and all(p.exists() for p in paths)
    assert paths[0].name.startswith("000100 - ")
    assert calls[-1] == (3, 3)
    mtimes = [p.stat().st_mtime_ns for p in paths]
    again = generate_corpus(tmp_path, 3, seed=100, min_s=2, max_s=3, processes=1)
    assert again == paths
    assert [p.stat().st_mtime_ns for p in paths] == mtimes
    for p in paths:
        assert 2.0 <= sf.info(str(p)).duration <= 3.01


def test_long_ogg_write_does_not_crash(tmp_path):
    """One big libsndfile OGG write of > ~2.5 M frames segfaults; write_track must not."""
    import subprocess
    import sys

    code = (
        "import numpy as np, soundfile as sf\n"
        "from shazam_desktop.synth.music import make_spec, write_track\n"
        "x = np.zeros((130 * 22050, 2), np.float32); x[::100] = 0.01\n"
        f"p = write_track(make_spec(1, 130.0), {str(tmp_path / 'long.ogg')!r}, audio=x)\n"
        "print(sf.info(str(p)).frames)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) == 130 * 22050
