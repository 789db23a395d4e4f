"""The library on disk: add, identify, remove, dedupe, history, crash safety."""

import threading

import numpy as np
import pytest

from shazam_desktop.audio.decode import load
from shazam_desktop.engine.params import EngineParams, PeakParams
from shazam_desktop.errors import ParamsMismatchError
from shazam_desktop.store.library import Library
from tests.helpers import add_noise, tone_song


@pytest.fixture()
def lib(tmp_path, song_dir):
    lib = Library(tmp_path / "lib")
    lib.add_paths([song_dir], workers=2)
    yield lib
    lib.close()


def _clip(song_dir, name, start, secs=5.0):
    a = load(song_dir / name)
    return a.samples[int(start * a.sample_rate) : int((start + secs) * a.sample_rate)]


def test_add_folder_reports_the_corrupt_file_and_keeps_the_rest(tmp_path, song_dir):
    events = []
    lib = Library(tmp_path / "lib")
    rep = lib.add_paths([song_dir], progress=events.append, workers=2)
    assert len(rep.added) == 7
    assert [p for p, _ in rep.errors] == [str(song_dir / "broken.ogg")]
    assert "damaged" in rep.errors[0][1]
    assert events[-1].done == events[-1].total == 8
    assert sum(not e.ok for e in events) == 1
    titles = sorted(t.title for t in lib.tracks())
    assert "Song 0" in titles and "Deep Song" in titles
    lib.close()


def test_identify_returns_track_offset_and_evidence(lib, song_dir):
    res = lib.identify(add_noise(_clip(song_dir, "04 - Song 4.flac", 12.0), 5))
    assert res.track is not None and res.track.title == "Song 4"
    assert abs(res.match.offset_s - 12.0) < 0.1
    assert res.match.aligned.sum() >= res.match.score // 2
    assert 0.5 <= res.match.confidence <= 1.0
    assert res.similar, "the MFCC neighbours are always reported"


def test_unknown_song_is_no_match_with_neighbours(lib):
    res = lib.identify(tone_song(4242, 8.0))
    assert res.match is None
    assert len(res.similar) >= 3
    shown = [s.similarity for s in res.similar]
    assert shown == sorted(shown, reverse=True), "listed in the order of what they show"


def test_unknown_songs_that_share_notes_played_alike_are_no_match(lib):
    """Every tone song draws its notes from the same 40 pitches and recipe, starting on
    the same 1/8-s grid: an unknown one holds some of a library song's notes sample for
    sample at some shift, which the waveform tiers took for the same recording until
    their follow guard (MatchParams.verify_wave_follow; 5 of these 20 matched without
    it).  None of these 20 unknown songs is in the library."""
    matched = [s for s in range(4220, 4240) if lib.identify(tone_song(s, 8.0)).match]
    assert matched == []


def test_remove_takes_a_track_out_of_every_index(lib, song_dir):
    clip = _clip(song_dir, "01 - Song 1.flac", 3.0)
    tid = lib.identify(clip).track.id
    assert lib.remove([tid]) == [tid]
    res = lib.identify(clip)
    assert res.match is None
    assert tid not in {s.track.id for s in res.similar}
    assert tid not in lib.vectors.track_ids() or all(
        tid != s.track.id for s in lib.identify(clip).similar
    )
    lib.close()
    again = Library(lib.folder)
    assert again.track(tid) is None and again.identify(clip).match is None
    again.close()


def test_same_file_twice_is_added_once(lib, song_dir, tmp_path):
    import shutil

    copy = tmp_path / "copy.ogg"
    shutil.copy(song_dir / "00 - Song 0.ogg", copy)
    rep = lib.add_paths([copy])
    assert not rep.added and rep.duplicates and "already" in rep.duplicates[0][1]
    rep = lib.add_paths([song_dir])
    assert not rep.added and len(rep.duplicates) == 7


def test_history_survives_reopening(lib, song_dir):
    res = lib.identify(_clip(song_dir, "02 - Song 2.wav", 1.0))
    lib.record(res, "file", "clip.wav")
    lib.close()
    again = Library(lib.folder)
    h = again.history()
    assert h[0].title == "Song 2" and h[0].source == "file"
    again.clear_history()
    assert again.history() == []
    again.close()


def test_a_parameter_change_asks_for_a_reindex(lib, song_dir):
    lib.close()
    other = EngineParams(peaks=PeakParams(peaks_per_second=25))
    changed = Library(lib.folder, params=other)
    assert changed.needs_reindex
    with pytest.raises(ParamsMismatchError):
        changed.identify(np.zeros(11025 * 5, np.float32))
    rep = changed.reindex(workers=1)
    assert len(rep.added) == 7 and not changed.needs_reindex
    assert changed.identify(_clip(song_dir, "05 - Song 5.wav", 9.0)).track.title == "Song 5"
    changed.close()


def test_cancel_stops_an_add_and_keeps_what_was_committed(tmp_path, song_dir):
    cancel = threading.Event()
    lib = Library(tmp_path / "lib")

    def progress(p):
        if p.done >= 2:
            cancel.set()

    rep = lib.add_paths([song_dir], progress=progress, cancel=cancel, workers=2)
    assert rep.cancelled
    assert len(lib.tracks()) == len(rep.added) < 7
    lib.close()
    assert len(Library(tmp_path / "lib").tracks()) == len(rep.added)


def test_cover_art_is_read_from_the_file_not_copied(tmp_path):
    from shazam_desktop.synth.music import make_cover_png, make_spec, write_track

    spec = make_spec(5, duration_s=12.0)
    png = make_cover_png(spec, 64)
    song = tmp_path / "music" / "covered.ogg"
    song.parent.mkdir()
    write_track(spec, song, cover=png)
    with Library(tmp_path / "lib") as lib:
        rep = lib.add_paths([song], workers=1)
        (track,) = rep.added
        assert lib.track(track.id).has_cover
        mime, data = lib.cover(track.id)
        assert mime == "image/png" and data == png
        assert lib.catalog.cover(track.id) is None  # the catalog keeps only the flag
        song.unlink()
        assert lib.cover(track.id) is None  # gone with its file, no error


def test_alignment_reads_the_tracks_own_file_and_survives_its_loss(tmp_path, song_dir):
    """The spectrogram check reads the candidate's audio from its file: high at the true
    offset, low elsewhere, and None (no answer from it, no error) once the file is gone."""
    import shutil

    from shazam_desktop.engine.fingerprint import analyze
    from shazam_desktop.engine.verify import fine_spectrogram

    d = tmp_path / "songs"
    shutil.copytree(song_dir, d)
    lib = Library(tmp_path / "lib")
    lib.add_paths([d], workers=2)
    track = next(t for t in lib.tracks() if t.title == "Song 1")
    q = analyze(add_noise(_clip(d, "01 - Song 1.flac", 9.0), 0), lib.params, query=True)
    fps = lib.params.spectrogram.frames_per_second
    at = lib.alignment(q, track, int(round(9.0 * fps)))
    off = lib.alignment(q, track, int(round(17.0 * fps)))
    assert at is not None and off is not None and at.z >= 8 and off.z < 4
    clean = lib.alignment(
        analyze(_clip(d, "01 - Song 1.flac", 9.0), lib.params, query=True),
        track,
        int(round(9.0 * fps)),
    )
    assert clean.corr > 0.95 > at.corr and off.corr < 0.5  # the same audio, read back
    # Local contrast on the longer window, as identify asks it: the same plain measures.
    noisy = add_noise(_clip(d, "01 - Song 1.flac", 9.0), 0)
    qf = fine_spectrogram(noisy, lib.params)
    at_f = lib.alignment(q, track, int(round(9.0 * fps)), query_fine=qf)
    off_f = lib.alignment(q, track, int(round(17.0 * fps)), query_fine=qf)
    assert (at_f.z, at_f.corr) == (at.z, at.corr) and at_f.z_local > off_f.z_local + 5
    # The waveforms alone (the second look's screen): the same z_wave as the whole check's.
    full = lib.alignment(q, track, int(round(9.0 * fps)), query_fine=qf, query_samples=noisy)
    wave = lib.alignment(q, track, int(round(9.0 * fps)), query_samples=noisy, wave_only=True)
    far = lib.alignment(q, track, int(round(17.0 * fps)), query_samples=noisy, wave_only=True)
    assert wave.z is None and wave.z_local == -np.inf
    assert wave.z_wave == full.z_wave >= 16 and wave.z_wave_halves == full.z_wave_halves
    assert far.z_wave < 6
    (d / "01 - Song 1.flac").unlink()
    assert lib.alignment(q, track, int(round(9.0 * fps))) is None
    assert lib.alignment(q, track, 0, query_samples=noisy, wave_only=True) is None
    lib.close()
