"""Each engine step on signals whose answer is known."""

import numpy as np
import pytest

from shazam_desktop.engine.embeddings import mel_filterbank, window_embeddings
from shazam_desktop.engine.fingerprint import analyze, fingerprint
from shazam_desktop.engine.index import build_segment, lookup, merge_segments
from shazam_desktop.engine.landmarks import landmarks
from shazam_desktop.engine.matcher import TrackTable, search, verify_tiers
from shazam_desktop.engine.params import DEFAULT_PARAMS as P
from shazam_desktop.engine.peaks import find_peaks
from shazam_desktop.engine.spectrogram import stft_db
from shazam_desktop.engine.verify import Alignment
from tests.helpers import SR, add_noise, tone_song


def test_a_pure_tone_peaks_at_its_bin():
    f0 = 1000.0
    t = np.arange(3 * SR) / SR
    x = (0.5 * np.sin(2 * np.pi * f0 * t)).astype(np.float32)
    spec = stft_db(x, P.spectrogram)
    peaks = find_peaks(spec, P.peaks)
    assert len(peaks) > 0
    expected_bin = round(f0 * P.spectrogram.n_fft / SR)
    assert set(np.unique(peaks.f)) <= {expected_bin - 1, expected_bin, expected_bin + 1}


def test_silence_has_no_peaks_and_no_hashes():
    spec = stft_db(np.zeros(SR * 2, np.float32), P.spectrogram)
    assert len(find_peaks(spec, P.peaks)) == 0


def test_peak_density_follows_the_budget():
    a = analyze(tone_song(1, 20), P)
    per_s = len(a.peaks) / a.duration_s
    assert 0.5 * P.peaks.peaks_per_second < per_s <= 1.6 * P.peaks.peaks_per_second


def test_hashes_are_stable_under_gain():
    x = tone_song(2, 10)
    h1 = landmarks(analyze(x, P).peaks, P.landmarks).hashes
    h2 = landmarks(analyze(x * 0.1, P).peaks, P.landmarks).hashes
    assert np.array_equal(h1, h2)


def test_hash_fields_fit_23_bits():
    fp = fingerprint(tone_song(3, 10), P)
    assert fp.hashes.max() < (1 << 23)
    dt = fp.hashes & 63
    assert dt.min() >= P.landmarks.min_dt and dt.max() <= P.landmarks.max_dt
    assert 80 < len(fp.hashes) / fp.duration_s < 250


def test_bucket_index_lookup_matches_a_plain_search():
    rng = np.random.default_rng(0)
    h = rng.integers(0, 1 << 23, 50_000, dtype=np.uint32) & np.uint32(0x7FFF)  # many collisions
    post = rng.integers(0, 1 << 30, h.shape[0], dtype=np.uint32)
    seg = build_segment(h, post)
    q = np.concatenate([h[:200], rng.integers(0, 1 << 23, 50, dtype=np.uint32)])
    got_p, got_q = lookup(seg, q)
    want = sorted((int(p), i) for i, x in enumerate(q) for p in post[h == x])
    assert sorted(zip(got_p.tolist(), got_q.tolist(), strict=True)) == want
    assert np.array_equal(np.sort(seg.hashes()), np.sort(h))


def test_merge_drops_what_the_predicate_marks_dead():
    a = build_segment(np.array([5, 9], np.uint32), np.array([10, 20], np.uint32))
    b = build_segment(np.array([5], np.uint32), np.array([30], np.uint32))
    m = merge_segments([a, b], drop=lambda p: p == 20)
    p, _ = lookup(m, np.array([5, 9], np.uint32))
    assert sorted(p.tolist()) == [10, 30]


def _index(songs):
    fps = [fingerprint(s, P) for s in songs]
    bases, base, hs, ps = [], 0, [], []
    for fp in fps:
        bases.append(base)
        hs.append(fp.hashes)
        ps.append(fp.times.astype(np.int64) + base)
        base += fp.n_frames + 1
    seg = build_segment(np.concatenate(hs), np.concatenate(ps).astype(np.uint32))
    table = TrackTable.build(list(range(100, 100 + len(songs))), bases, [f.n_frames for f in fps])
    return (lambda h, cap=None: lookup(seg, h, cap)), table


@pytest.fixture(scope="module")
def small_index():
    songs = [tone_song(s, 40) for s in range(8)]
    return songs, *_index(songs)


def test_a_shifted_excerpt_gives_its_offset(small_index):
    songs, lk, table = small_index
    start = 17.3
    q = songs[5][int(start * SR) : int((start + 5) * SR)]
    res = search(analyze(q, P).peaks, lk, table, P, threshold=10)
    assert res.match is not None and res.match.track_id == 105
    assert abs(res.match.offset_s - start) < 0.05
    # The evidence: aligned pairs lie on the diagonal track_t - query_t = offset.
    d = res.match.track_times_s[res.match.aligned] - res.match.query_times_s[res.match.aligned]
    assert np.all(np.abs(d - res.match.offset_s) < 0.1)
    assert res.match.hist_counts.max() >= res.match.score // 3


def test_noisy_excerpt_still_matches(small_index):
    songs, lk, table = small_index
    q = add_noise(songs[2][SR * 10 : SR * 20], snr_db=0, seed=4)
    res = search(analyze(q, P).peaks, lk, table, P, threshold=10)
    assert res.match is not None and res.match.track_id == 102


def test_unknown_audio_gives_no_match(small_index):
    _, lk, table = small_index
    q = tone_song(999, 10)
    res = search(analyze(q, P).peaks, lk, table, P, threshold=15)
    assert res.match is None


def test_speed_change_is_found_by_the_speed_search(small_index):
    import soxr

    songs, lk, table = small_index
    x = songs[3][SR * 5 : SR * 16]
    fast = soxr.resample(x, SR * 1.02, SR)  # played 2 % faster
    plain = search(analyze(fast, P).peaks, lk, table, P, threshold=10, speed_search=False)
    res = search(analyze(fast, P).peaks, lk, table, P, threshold=10)
    assert res.match is not None and res.match.track_id == 103
    assert res.transforms_tried > 1 or plain.match is not None


def _resampled_analyses(y: np.ndarray):
    """at(fs): the query analysis of y resampled so that every frequency is x fs, each once."""
    import functools

    from shazam_desktop.audio.decode import resample

    @functools.cache
    def at(fs: float):
        return analyze(y if fs == 1.0 else resample(y, SR, SR / fs), P, query=True)

    return at


def test_a_speed_match_must_follow_the_tracks_own_spectrogram(small_index):
    """Resampling undoes a speed change: the query then follows its track's spectrogram
    (a real check against the song's samples accepts it); a match whose resampled query
    does not (a stand-in check says so) is refused."""
    import soxr

    from shazam_desktop.engine.verify import excerpt_span, track_alignment

    songs, lk, table = small_index
    fast = soxr.resample(songs[3][SR * 5 : SR * 16], SR * 1.04, SR)  # played 4 % faster
    at = _resampled_analyses(fast)

    asked = []

    def verify(track_id, offset_frames, fs=1.0, wave_only=False):
        q = at(fs).spectrogram
        first, count = excerpt_span(offset_frames, q.n_frames, P)
        a = track_alignment(q, songs[track_id - 100][first : first + count], P)
        asked.append((track_id, fs, a))
        return a

    kw = dict(threshold=10, resampled=lambda fs: at(fs).peaks)
    res = search(at(1.0).peaks, lk, table, P, **kw, verify=verify)
    m = res.match
    assert m is not None and m.track_id == 103 and m.freq_scale == pytest.approx(1 / 1.04)
    assert asked[-1][:2] == (103, m.freq_scale) and asked[-1][2].corr > 0.8
    refused = search(at(1.0).peaks, lk, table, P, **kw, verify=lambda *a: Alignment(3.0, 0.05))
    assert refused.match is None and refused.notes["speed_unverified"] == (3.0, 0.05)


def test_a_pitch_shift_is_found_on_resampled_audio(small_index):
    """A pitch-shifted query is resampled back onto the index's own bins (whether that beats
    rounding each scaled peak is measured in the benchmark, not here)."""
    from shazam_desktop.audio.decode import resample
    from shazam_desktop.synth.degrade import pitch

    songs, lk, table = small_index
    y = pitch(songs[6][SR * 8 : SR * 18], SR, 1.0)
    peaks = analyze(y, P, query=True).peaks

    def resampled(fs: float):
        return analyze(resample(y, SR, SR / fs), P, query=True).peaks

    res = search(peaks, lk, table, P, threshold=10, resampled=resampled)
    assert res.match is not None and res.match.track_id == 106
    assert res.match.time_scale == 1.0 and res.match.freq_scale == pytest.approx(2 ** (-1 / 12))
    # Query times stay in the query's own clock: the aligned pairs lie on one diagonal.
    m = res.match
    d = m.track_times_s[m.aligned] - m.query_times_s[m.aligned]
    assert np.all(np.abs(d - m.offset_s) < 0.1) and 7.9 < m.offset_s < 8.1


def _grid_search_one(scores: dict, runner: int, ratio: float):
    """A stand-in for matcher._search_one: track 7 scores scores[(ts, fs)] (default the
    runner-up's level) at each grid point, track 8 `runner`; the quick look finds nothing."""
    import shazam_desktop.engine.matcher as M

    def one(
        peaks,
        lookup,
        table,
        params,
        threshold,
        *a,
        fan_out=None,
        dt_slack=None,
        scale=None,
        verify=None,
        widen=False,
        by_counts=True,
    ):
        ts, fs = scale or (a[2], a[3])
        if fan_out is not None:
            return M.SearchResult(None, [], [], [], 0, 1, threshold)
        score = scores.get((ts, fs), runner + 1)
        ranked = [M.Candidate(7, score, 0, score), M.Candidate(8, runner, 0, runner)]
        match = None
        if by_counts and score >= threshold and score >= ratio * runner:
            e = np.zeros(0, np.float32)
            match = M.Match(7, score, runner, 0.9, 0.0, ts, fs, e, e, e.astype(bool), e, e)
        return M.SearchResult(match, ranked, [7], [], 100, 1, threshold)

    return one


def test_a_rescaled_match_that_fits_other_grid_points_as_well_is_refused(monkeypatch):
    """Two drum patterns a few percent apart line up at several speeds; a real speed change
    lines up at one.  The matcher sees the same track's score at every grid point."""
    import shazam_desktop.engine.matcher as M

    table = TrackTable.build([7, 8], [0, 10_000], [5_000, 5_000])
    peaks = analyze(tone_song(1, 6), P).peaks
    sharp_scores = {(1.02, 1 / 1.02): 40, (1.05, 1.0): 6}
    monkeypatch.setattr(M, "_search_one", _grid_search_one(sharp_scores, 5, 2.5))
    sharp = search(peaks, None, table, P, threshold=10)
    assert sharp.match is not None and sharp.match.time_scale == 1.02
    flat_scores = {(1.02, 1 / 1.02): 40, (1.05, 1.0): 36}
    monkeypatch.setattr(M, "_search_one", _grid_search_one(flat_scores, 5, 2.5))
    flat = search(peaks, None, table, P, threshold=10)
    assert flat.match is None and flat.notes["flat_transform"] == 36
    assert flat.transforms_tried == len(M.transforms(P))  # every grid point was looked at
    # With the spectrogram check at hand, the grid points of the best pairs are searched
    # again, and there only the check may accept: the refused counts stay refused.
    kw = dict(verify=lambda *a, **k: None, resampled=lambda fs: peaks)
    pooled = search(peaks, None, table, P, threshold=10, **kw)
    assert pooled.match is None and pooled.notes["flat_transform"] == 36


def test_the_best_grid_point_answers_not_the_first_that_passes(monkeypatch):
    """A clip 5 % faster passes weakly at speed 1.02 before the grid reaches 1.04, where
    it matches three times as well: the answer is the 1.04 match, not a refusal."""
    import shazam_desktop.engine.matcher as M

    scores = {(1.02, 1 / 1.02): 21, (1.04, 1 / 1.04): 62}
    monkeypatch.setattr(M, "_search_one", _grid_search_one(scores, 4, 2.3))
    table = TrackTable.build([7, 8], [0, 10_000], [5_000, 5_000])
    res = search(analyze(tone_song(1, 6), P).peaks, None, table, P, threshold=10)
    assert res.match is not None and (res.match.score, res.match.time_scale) == (62, 1.04)


def _random_constellation(rng: np.random.Generator):
    """150 random peaks (bins 10-389, 215 frames), their landmarks at the query's fan-out,
    and the index of one pair per anchor."""
    from shazam_desktop.engine.landmarks import hash_peaks
    from shazam_desktop.engine.peaks import Peaks

    cells = rng.choice(215 * 380, 150, replace=False)
    t, f = np.divmod(cells, 380)
    order = np.lexsort((f, t))
    t, f = t[order].astype(np.int32), (f[order] + 10).astype(np.int32)
    peaks = Peaks(t, f, np.zeros(t.shape[0], np.float32))
    lm = hash_peaks(t, f, P.landmarks, fan_out=P.match.query_fan_out)
    return peaks, lm, np.unique(lm.times, return_index=True)[1]


def _rare_and_common(decoy_copies: int):
    """A query's constellation and an index of 2 + decoy_copies tracks: track 100 holds 16
    of the query's pairs at one offset, each pair found nowhere else; track 101 holds 10
    others at one offset, and those 10 pairs recur in `decoy_copies` more tracks."""
    return _two_tracks(16, 10, decoy_copies=decoy_copies)


def _two_tracks(n_a: int, n_b: int, decoy_copies: int = 0, padding: int = 0):
    """A query's constellation and an index where track 100 holds n_a of its pairs at one
    offset (1,000 frames into it) and track 101 n_b others (500 frames into it); those n_b
    pairs recur in `decoy_copies` more tracks, and `padding` empty tracks follow."""
    rng = np.random.default_rng(3)
    peaks, lm, first = _random_constellation(rng)
    picks = rng.permutation(first)
    true_i, decoy_i = picks[:n_a], picks[n_a : n_a + n_b]
    size = 2_000
    hs, ps = [lm.hashes[true_i]], [lm.times[true_i].astype(np.int64) + 1_000]
    hs.append(lm.hashes[decoy_i])
    ps.append(lm.times[decoy_i].astype(np.int64) + size + 500)
    for k in range(decoy_copies):
        hs.append(lm.hashes[decoy_i])
        ps.append((2 + k) * size + rng.integers(0, size - 300, decoy_i.shape[0]))
    seg = build_segment(np.concatenate(hs), np.concatenate(ps).astype(np.uint32))
    n = 2 + decoy_copies + padding
    table = TrackTable.build(list(range(100, 100 + n)), [i * size for i in range(n)], [size] * n)
    return peaks, (lambda h, cap=None: lookup(seg, h, cap)), table


def test_a_close_call_is_ranked_again_over_every_track():
    """Track 100 holds 20 of the query's pairs, 101 holds 9 (plus 15 strays in the same
    coarse bin, which put it in a short hash shortlist) and 102 holds 11.  Within the
    shortlist 20 vs 9 passes the runner-up ratio; over every track 20 vs 11 does not."""
    import dataclasses

    rng = np.random.default_rng(5)
    peaks, lm, first = _random_constellation(rng)
    first = rng.permutation(first)
    a, b, stray, c = first[:20], first[20:29], first[29:44], first[44:55]
    size = 2_000
    off_b = 2 * 16 * 10 - 20  # the start of a coarse bin (global offset + 20 = 320)
    hs = [lm.hashes[a], lm.hashes[b], lm.hashes[stray], lm.hashes[c]]
    ps = [
        lm.times[a].astype(np.int64) + 700,
        lm.times[b].astype(np.int64) + size + off_b,
        lm.times[stray].astype(np.int64) + size + off_b + 3 + np.arange(15) % 12,
        lm.times[c].astype(np.int64) + 2 * size + 900,
    ]
    seg = build_segment(np.concatenate(hs), np.concatenate(ps).astype(np.uint32))
    table = TrackTable.build([100, 101, 102], [0, size, 2 * size], [size] * 3)

    def lk(h, cap=None):
        return lookup(seg, h, cap)

    def with_(**kw):
        return dataclasses.replace(P, match=dataclasses.replace(P.match, hash_shortlist=4, **kw))

    narrow = search(peaks, lk, table, with_(widen_close_calls=False), 10, speed_search=False)
    assert narrow.match is not None and narrow.match.track_id == 100
    assert (narrow.match.score, narrow.match.runner_up) == (20, 9)
    assert 102 not in narrow.hash_shortlist
    wide = search(peaks, lk, table, with_(), 10, speed_search=False)
    assert wide.match is None and wide.notes["widened"]
    assert [(c.track_id, c.score) for c in wide.ranked[:2]] == [(100, 20), (102, 11)]


def test_rare_evidence_wins_where_the_count_ratio_cannot_decide():
    """16 aligned pairs against 10 fails the runner-up ratio (2x); when the 10 are pairs
    that 60 other tracks hold too and the 16 are unique, the rarity rule accepts the 16."""
    import dataclasses

    peaks, lk, table = _rare_and_common(decoy_copies=60)
    res = search(peaks, lk, table, P, threshold=11, speed_search=False)
    assert res.match is not None and res.match.track_id == 100
    assert abs(res.match.offset_s * P.spectrogram.frames_per_second - 1_000) < 1.5
    assert res.match.runner_up >= 10 and res.match.score < 2 * res.match.runner_up
    w_top, w_runner = res.notes["rarity"]
    assert w_top >= P.match.rarity_ratio * w_runner and res.match.confidence >= 0.5
    off = dataclasses.replace(P, match=dataclasses.replace(P.match, rarity_ratio=0.0))
    assert search(peaks, lk, table, off, threshold=11, speed_search=False).match is None


def test_equally_rare_evidence_is_still_refused():
    """The same counts with the 10 pairs as rare as the 16: nothing says the 16 are not a
    coincidence as well, so no answer."""
    peaks, lk, table = _rare_and_common(decoy_copies=0)
    res = search(peaks, lk, table, P, threshold=11, speed_search=False)
    assert res.match is None
    assert [c.track_id for c in res.ranked[:2]] == [100, 101]


def test_an_undecided_query_is_settled_by_its_spectrogram():
    """16 against 10 equally rare pairs leaves the counts undecided; the verification
    callback (here a stand-in) is asked about the best tracks and its answer decides."""
    peaks, lk, table = _rare_and_common(decoy_copies=0)
    asked = []

    def verify(z_of, corr=0.3):
        def ask(track_id, offset_frames, wave_only=False):
            asked.append((track_id, offset_frames))
            z = z_of.get(track_id)
            return None if z is None else Alignment(z, corr)

        return ask

    res = search(peaks, lk, table, P, threshold=11, speed_search=False, verify=verify({101: 20.0}))
    assert res.match is not None and res.match.track_id == 101 and res.notes["verified"] == 20.0
    assert {t for t, _ in asked} == {100, 101}
    assert abs(dict(asked)[101] - 500) <= 1  # track 101's pairs sit 500 frames into it
    low = search(peaks, lk, table, P, threshold=11, speed_search=False, verify=verify({100: 9.0}))
    assert low.match is None and low.notes["verify_z"] == 9.0
    unreadable = search(peaks, lk, table, P, threshold=11, speed_search=False, verify=verify({}))
    assert unreadable.match is None
    # A fair z (11-14) settles it only for the count leader (16 vs 10 leads by 1.6x).
    fair = dict(threshold=11, speed_search=False)
    led = search(peaks, lk, table, P, **fair, verify=verify({100: 12.0}))
    assert led.match is not None and led.match.track_id == 100
    assert search(peaks, lk, table, P, **fair, verify=verify({101: 12.0})).match is None


def test_local_contrast_settles_what_the_plain_z_cannot():
    """A louder song mixed in leaves the track's fine structure: a candidate whose z is
    too low for either z tier but whose local-contrast z reaches verify_local_z is the
    answer; below it, none."""
    peaks, lk, table = _rare_and_common(decoy_copies=0)
    fair = dict(threshold=11, speed_search=False)
    mp = P.match
    al = {100: Alignment(4.0, 0.05, 5.0), 101: Alignment(9.0, 0.2, mp.verify_local_z + 2, 12.0)}
    res = search(peaks, lk, table, P, **fair, verify=lambda t, o, **k: al[t])
    assert res.match is not None and res.match.track_id == 101
    assert res.notes["verified_local"] == mp.verify_local_z + 2 and "verified" not in res.notes
    assert 0.5 < res.match.confidence < 1.0
    al[101] = Alignment(9.0, 0.2, mp.verify_local_z - 1)
    res = search(peaks, lk, table, P, **fair, verify=lambda t, o, **k: al[t])
    assert res.match is None and res.notes["verify_z_local"] == mp.verify_local_z - 1
    # Enough on the whole, but one half of the query does not follow the track.
    al[101] = Alignment(9.0, 0.2, mp.verify_local_z + 2, mp.verify_local_halves_z - 1)
    res = search(peaks, lk, table, P, **fair, verify=lambda t, o, **k: al[t])
    assert res.match is None and res.notes["verify_halves"] == mp.verify_local_halves_z - 1


def test_a_song_that_repeats_itself_is_checked_at_each_repeat():
    """Track 100 holds 18 of the query's pairs 1,000 frames into it (a repeat that only
    resembles the query) and 14 others at 300 (the query's own passage); track 101 holds
    10.  18 against 10 leaves the counts undecided.  The spectrogram check is asked about
    track 100 at both offsets, and the one at 300 answers, with its own score."""
    rng = np.random.default_rng(11)
    peaks, lm, first = _random_constellation(rng)
    picks = rng.permutation(first)
    rep, own, other = picks[:18], picks[18:32], picks[32:42]
    size = 2_000
    seg = build_segment(
        np.concatenate([lm.hashes[rep], lm.hashes[own], lm.hashes[other]]),
        np.concatenate(
            [lm.times[rep] + 1_000, lm.times[own] + 300, lm.times[other] + size + 500]
        ).astype(np.uint32),
    )
    table = TrackTable.build([100, 101], [0, size], [size] * 2)
    asked = []

    def verify(track_id, offset_frames, plain=True, wave_only=False):
        asked.append((track_id, offset_frames))
        z, corr = (3.0, 0.1) if plain else (None, None)
        if track_id == 100 and abs(offset_frames - 300) <= 1:
            return Alignment(z, corr, P.match.verify_local_z + 5, P.match.verify_local_halves_z + 3)
        return Alignment(z, corr, 2.0)

    def lk(h, cap=None):
        return lookup(seg, h, cap)

    res = search(peaks, lk, table, P, threshold=11, speed_search=False, verify=verify)
    assert [(c.track_id, c.score) for c in res.ranked[:2]] == [(100, 18), (101, 10)]
    assert res.match is not None and res.match.track_id == 100
    assert abs(res.match.offset_s * P.spectrogram.frames_per_second - 300) <= 1
    assert res.match.score == 14 and res.match.runner_up == 10
    assert res.notes["verified_local"] == P.match.verify_local_z + 5
    offsets = sorted(o for t, o in asked if t == 100)
    assert abs(offsets[0] - 300) <= 1 and abs(offsets[-1] - 1_000) <= 1
    # Offsets of one track closer than verify_apart are one candidate, asked about once.
    assert (np.diff(offsets) > P.match.verify_apart).all()


def test_the_leaders_strongest_peaks_settle_as_its_z_does():
    """White noise hides a track's fainter peaks first: the count leader's z on its
    strongest peaks alone (z_strong) settles a close call at the lead tier when it leads by
    verify_lead (16 vs 10: 1.6x), with its plain z far lower; just under, or for any other
    candidate, even far above, nothing."""
    peaks, lk, table = _rare_and_common(decoy_copies=0)
    fair = dict(threshold=11, speed_search=False)
    mp = P.match
    tier = mp.verify_lead_z

    def ask(z_strong):
        def verify(track_id, offset_frames, plain=True, wave_only=False):
            zs = z_strong.get(track_id, 2.0) if plain else None
            return Alignment(3.0 if plain else None, 0.1 if plain else None, 2.0, None, zs)

        return verify

    led = search(peaks, lk, table, P, **fair, verify=ask({100: tier + 0.1}))
    assert led.match is not None and led.match.track_id == 100
    assert led.notes["verified_strong"] == round(tier + 0.1, 1) and "verified" not in led.notes
    assert search(peaks, lk, table, P, **fair, verify=ask({100: tier - 0.1})).match is None
    other = search(peaks, lk, table, P, **fair, verify=ask({101: mp.verify_z + 5}))
    assert other.match is None and other.notes["verify_z_strong"] == mp.verify_z + 5


def test_a_lead_by_counts_near_the_ratio_must_not_be_contradicted_by_the_spectrogram():
    """20 against 9 passes the ratio but is not decisive: the leader's spectrogram check is
    asked, and a z and correlation both at chance level refuse it (and leave the query to
    the other tiers).  A fair correlation keeps it; a lead of 2.5x or more is not asked."""
    fair = dict(threshold=11, speed_search=False)
    mp = P.match
    peaks, lk, table = _two_tracks(20, 9)
    asked = []

    def verify(z, corr):
        def ask(track_id, offset_frames, plain=True, wave_only=False):
            asked.append(track_id)
            return Alignment(z, corr, 2.0) if plain else Alignment(None, None, 2.0)

        return ask

    assert search(peaks, lk, table, P, **fair).match.track_id == 100  # counts alone
    res = search(peaks, lk, table, P, **fair, verify=verify(mp.count_veto_z - 1, 0.1))
    assert res.match is None and res.notes["count_veto"] == (mp.count_veto_z - 1, 0.1)
    assert asked[0] == 100 and 101 in asked  # then the other tiers asked about both
    res = search(peaks, lk, table, P, **fair, verify=verify(mp.count_veto_z - 1, 0.4))
    assert res.match is not None and res.match.track_id == 100 and "count_veto" not in res.notes
    peaks, lk, table = _two_tracks(24, 9)  # 2.67x
    asked.clear()
    res = search(peaks, lk, table, P, **fair, verify=verify(0.0, 0.0))
    assert res.match is not None and res.match.track_id == 100 and asked == []


def test_the_spectrogram_checks_tiers_rise_with_the_library():
    """Chance candidates come closer with more tracks: the same z that settles a close call
    in a small library is not enough at 10,000 tracks, where each tier asks
    verify_per_decade more; a z above the raised tier still settles it."""
    mp = P.match
    assert verify_tiers(mp, 200) == verify_tiers(mp, mp.verify_size_from)
    assert verify_tiers(mp, 200) == (
        mp.verify_z, mp.verify_lead_z, mp.verify_local_z, mp.verify_local_halves_z
    )  # fmt: skip
    big = verify_tiers(mp, 10 * mp.verify_size_from)
    assert big == pytest.approx(
        [b + k for b, k in zip(verify_tiers(mp, 200), mp.verify_per_decade, strict=True)]
    )
    fair = dict(threshold=11, speed_search=False)
    z = (mp.verify_z + big[0]) / 2  # between the two tiers

    def verify(track_id, offset_frames, plain=True, wave_only=False):
        return (
            Alignment(z if plain else None, 0.2 if plain else None, 2.0)
            if track_id == 101
            else None
        )

    small = search(*_two_tracks(16, 10), P, **fair, verify=verify)
    assert (
        small.match is not None
        and small.match.track_id == 101
        and small.notes["verified"] == round(z, 1)
    )
    large = search(*_two_tracks(16, 10, padding=9_998), P, **fair, verify=verify)
    assert large.match is None and large.notes["verify_z"] == z
    z = big[0] + 0.5
    large = search(*_two_tracks(16, 10, padding=9_998), P, **fair, verify=verify)
    assert large.match is not None and large.match.track_id == 101


def test_second_look_proposes_tracks_that_only_the_spectrogram_check_can_accept():
    """The query's own peaks leave it undecided (track 100: 8 pairs); its denser peaks
    put track 101 far ahead (40 pairs).  Those counts only propose 101: it is the answer
    when its spectrogram check passes, and no answer when it does not."""
    rng = np.random.default_rng(7)
    peaks, lm, first = _random_constellation(rng)
    dense, dlm, dfirst = _random_constellation(rng)
    size = 2_000
    mine = rng.permutation(first)[:8]
    theirs = rng.permutation(dfirst)[:40]
    seg = build_segment(
        np.concatenate([lm.hashes[mine], dlm.hashes[theirs]]),
        np.concatenate([lm.times[mine] + 600, dlm.times[theirs] + size + 900]).astype(np.uint32),
    )
    table = TrackTable.build([100, 101], [0, size], [size] * 2)

    def lk(h, cap=None):
        return lookup(seg, h, cap)

    asked = []

    def verify(track, offset, z_local, plain=True, wave_only=False):
        asked.append((track, offset, plain))
        z = (3.0, 0.1) if plain else (None, None)  # a z of 3 settles nothing either way
        return Alignment(*z, z_local, z_local) if track == 101 else Alignment(*z, 2.0)

    fair = dict(threshold=11, speed_search=False)
    res = search(peaks, lk, table, P, **fair, verify=lambda t, o, **k: verify(t, o, 15.0, **k))
    assert res.match is None and not [a for a in asked if a[0] == 101]
    res = search(
        peaks, lk, table, P, **fair,
        verify=lambda t, o, **k: verify(t, o, 15.0, **k), second_look=lambda: dense,
    )  # fmt: skip
    assert res.match is not None and res.match.track_id == 101 and res.match.score >= 40
    assert abs(res.match.offset_s * P.spectrogram.frames_per_second - 900) < 1
    assert res.notes["second_look"] and res.notes["verified_local"] == 15.0
    assert (101, 900, False) in asked  # on local contrast only
    # Decisive counts (40 against at most 8, threshold 11) do not accept it by themselves.
    res = search(
        peaks, lk, table, P, **fair,
        verify=lambda t, o, **k: verify(t, o, P.match.verify_local_z - 1, **k),
        second_look=lambda: dense,
    )  # fmt: skip
    assert res.match is None and res.notes["second_z_local"] == P.match.verify_local_z - 1


def test_the_waveform_screen_reaches_a_pair_far_down_the_counts():
    """Eleven tracks lead by counts (10 anchors each, under the threshold of 11); track 111
    holds 7 and comes last.  The first verify_candidates pairs are checked in full and
    settle nothing; the pairs after them are screened on the waveforms alone, and 111's,
    the same recording's (z_wave 20, both halves 10), is the answer.  Halves under the tier
    (a waveform that follows in part of the query only), or no screen (verify_wave_screen
    0), give no answer."""
    from dataclasses import replace

    rng = np.random.default_rng(11)
    peaks, lm, first = _random_constellation(rng)
    size, n_tracks = 2_000, 12
    hashes, posts = [], []
    for k in range(n_tracks):
        take = rng.permutation(first)[: 10 if k < n_tracks - 1 else 7]
        hashes.append(lm.hashes[take])
        posts.append(lm.times[take] + k * size + 300 + 7 * k)
    seg = build_segment(np.concatenate(hashes), np.concatenate(posts).astype(np.uint32))
    table = TrackTable.build(list(range(100, 100 + n_tracks)), [k * size for k in range(n_tracks)],
                             [size] * n_tracks)  # fmt: skip

    def lk(h, cap=None):
        return lookup(seg, h, cap)

    on = replace(P, match=replace(P.match, verify_wave_screen=30))

    def run(halves, params=on):
        asked = []

        def verify(track, offset, fs=1.0, plain=True, ts=1.0, wave_only=False):
            asked.append((track, wave_only))
            if wave_only:
                z = (20.0, halves) if track == 100 + n_tracks - 1 else (3.0, None)
                # it follows its track in every segment (MatchParams.verify_wave_follow)
                return Alignment(
                    None, None, -np.inf, z_wave=z[0], z_wave_halves=z[1], wave_follow=1.0
                )
            return Alignment(3.0 if plain else None, 0.1 if plain else None, 2.0, z_wave=3.0)

        res = search(peaks, lk, table, params, threshold=11, speed_search=False, verify=verify)
        return res, asked

    res, asked = run(10.0)
    assert res.match is not None and res.match.track_id == 100 + n_tracks - 1
    assert abs(res.match.offset_s * P.spectrogram.frames_per_second - (300 + 7 * 11)) < 1
    assert res.notes["same_recording"] == 20.0
    assert res.notes["wave_screen"] >= P.match.verify_candidates
    full = [t for t, w in asked if not w]
    assert 100 + n_tracks - 1 not in full  # only screened
    assert len(set(full)) == P.match.verify_candidates
    res, _ = run(P.match.verify_wave_halves_z - 1)
    assert res.match is None and res.notes["screen_z_wave"] == 20.0
    off = replace(P, match=replace(P.match, verify_wave_screen=0))
    res, asked = run(10.0, off)
    assert res.match is None and not [a for a in asked if a[1]]


def test_a_query_that_is_a_tracks_own_audio_is_settled_by_the_closest_copy():
    """Two versions of a song share a passage: both score far beyond chance and close to
    each other, and both z's are fair.  The one whose spectrogram the query copies
    (correlation >= verify_same_corr) is the answer, whichever leads the counts."""
    peaks, lk, table = _rare_and_common(decoy_copies=0)
    al = {100: Alignment(10.5, 0.71), 101: Alignment(12.0, 0.996)}
    res = search(peaks, lk, table, P, threshold=11, speed_search=False, verify=lambda t, o: al[t])
    assert res.match is not None and res.match.track_id == 101
    assert res.notes["same_audio"] == 0.996 and res.match.confidence > 0.5
    # Neither a copy: the z tiers alone decide (12.0 is not the leader's, 10.5 is too low).
    al[101] = Alignment(12.0, 0.85)
    res = search(peaks, lk, table, P, threshold=11, speed_search=False, verify=lambda t, o: al[t])
    assert res.match is None and res.notes["verify_corr"] == 0.85


@pytest.mark.parametrize("seed", [21, 41])
def test_alignment_halves_refuse_a_query_that_follows_the_track_in_part(seed):
    """The first half of a 5-s query from the song, the second from another song: on the
    whole it still follows the song (z_local near a true match's), but one half of it
    does not; the song's own 5 s follow it in both halves."""
    from shazam_desktop.engine.spectrogram import stft_db
    from shazam_desktop.engine.verify import alignment, excerpt_span
    from tests.helpers import music

    mp, hop = P.match, P.spectrogram.hop
    song, other = music(seed, 40.0), music(seed + 1, 40.0)
    x = song[12 * SR : 17 * SR]
    h = x.shape[0] // 2
    o = other[20 * SR : 20 * SR + x.shape[0] - h]
    spliced = np.concatenate([x[:h], o * np.sqrt(np.mean(x[h:] ** 2) / np.mean(o**2))])
    got = {}
    for name, y in (("whole", x), ("spliced", spliced)):
        q = analyze(y.astype(np.float32), P, query=True).spectrogram
        first, count = excerpt_span(int(round(12.0 * SR / hop)), q.n_frames, P)
        ref = stft_db(song[first : first + count], P.spectrogram).db
        got[name] = alignment(
            q.db, ref, mp.verify_lags, mp.verify_max_bin, mp.verify_contrast, halves_from=0.0
        )
    whole, spliced_a = got["whole"], got["spliced"]
    assert whole.z_local_halves >= mp.verify_local_halves_z + 3
    assert spliced_a.z_local >= 10 and spliced_a.z_local_halves < 4, spliced_a
    # Measured only where it can matter.
    assert (
        alignment(q.db, ref, mp.verify_lags, mp.verify_max_bin, mp.verify_contrast).z_local_halves
        is None
    )


@pytest.mark.parametrize("seed", [21, 31, 41])
def test_alignment_z_stands_out_at_the_true_alignment_only(seed):
    """A 5-s excerpt under another song 5 dB louder, against its own track at the right
    offset, the same track 3 s and 0.3 s off, and another track: both the z and the
    local-contrast z."""
    from shazam_desktop.engine.verify import excerpt_span, fine_spectrogram, track_alignment
    from tests.helpers import music

    song, other, third = music(seed, 40.0), music(seed + 1, 40.0), music(seed + 2, 40.0)
    x = song[12 * SR : 17 * SR]
    y = other[3 * SR : 8 * SR]
    y = y * np.sqrt(np.mean(x**2) / np.mean(y**2)) * 10 ** (5 / 20)
    q = analyze((x + y).astype(np.float32), P, query=True).spectrogram
    hop = P.spectrogram.hop

    def z(track, offset_s):
        first, count = excerpt_span(int(round(offset_s * SR / hop)), q.n_frames, P)
        return track_alignment(q, track[first : first + count], P)

    true = z(song, 12.0)
    wrong = [z(song, 15.0), z(song, 12.3), z(third, 12.0)]
    first, count = excerpt_span(int(round(12.0 * SR / hop)), q.n_frames, P)
    local = track_alignment(q, song[first : first + count], P, plain=False)
    assert local.z is None and local.corr is None and local.z_local == true.z_local
    assert true.z >= 8 and all(true.z > w.z + 3 for w in wrong), (true, wrong)
    # Local contrast keeps more of the song that the louder one masks.
    assert true.z_local > true.z and all(true.z_local > w.z_local + 5 for w in wrong)
    # The other song is louder: the query is not the track's own audio.
    assert true.corr < P.match.verify_same_corr and all(true.corr > w.corr for w in wrong)
    # On the longer window (as identify measures it), the song's partials stand apart from
    # the other song's: more of it is left, and still none at a wrong alignment.
    qf = fine_spectrogram((x + y).astype(np.float32), P)

    def fine(track, offset_s):
        first, count = excerpt_span(int(round(offset_s * SR / hop)), q.n_frames, P)
        return track_alignment(q, track[first : first + count], P, query_fine=qf)

    true_f = fine(song, 12.0)
    assert true_f.z == true.z and true_f.corr == true.corr  # the plain measures are unchanged
    assert true_f.z_local > true.z_local + 2
    assert all(true_f.z_local > w.z_local + 10 for w in (fine(song, 15.0), fine(third, 12.0)))


@pytest.mark.parametrize("seed", [31, 41, 51])
def test_the_strongest_peaks_keep_more_of_a_song_under_white_noise(seed):
    """A 5-s excerpt under white noise 5 dB louder: the z on the track's strongest peaks
    (z_strong) stands out more at the true alignment than the z on all of them, and no
    more at a wrong one.  With every peak counted as strong, the two are the same."""
    from shazam_desktop.engine.spectrogram import stft_db
    from shazam_desktop.engine.verify import alignment, excerpt_span, track_alignment
    from tests.helpers import music

    song, third = music(seed, 40.0), music(seed + 2, 40.0)
    x = song[12 * SR : 17 * SR]
    noise = np.random.default_rng(seed).standard_normal(x.shape[0])
    y = (x + noise * np.sqrt(np.mean(x**2)) * 10 ** (5 / 20)).astype(np.float32)
    q = analyze(y, P, query=True).spectrogram
    hop, mp = P.spectrogram.hop, P.match

    def span(offset_s):
        return excerpt_span(int(round(offset_s * SR / hop)), q.n_frames, P)

    def z(track, offset_s):
        first, count = span(offset_s)
        return track_alignment(q, track[first : first + count], P)

    true = z(song, 12.0)
    wrong = [z(song, 15.0), z(song, 12.3), z(third, 12.0)]
    assert true.z_strong > true.z and all(true.z_strong > w.z_strong + 4 for w in wrong)
    first, count = span(12.0)
    ref = stft_db(song[first : first + count], P.spectrogram).db
    every = alignment(
        q.db, ref, mp.verify_lags, mp.verify_max_bin, mp.verify_contrast, strong_db=50.0
    )
    assert every.z_strong == pytest.approx(every.z) and every.z == pytest.approx(true.z)
    assert track_alignment(q, song[first : first + count], P, plain=False).z_strong is None


@pytest.mark.parametrize("seed", [31, 41])
def test_a_recordings_waveform_is_found_under_noise_and_a_louder_song(seed):
    """A 5-s excerpt under white noise 5 dB louder, or under another song 5 dB louder: its
    waveform still follows the track's at the true offset (z_wave far beyond the tier, in
    both halves), while its spectrogram z alone would not settle it.  At another offset of
    the same song, in another song, or played 2 % faster, the waveform is at chance."""
    from shazam_desktop.engine.verify import excerpt_span, track_alignment
    from tests.helpers import music

    song, other, third = music(seed, 40.0), music(seed + 1, 40.0), music(seed + 2, 40.0)
    x = song[12 * SR : 17 * SR]
    rms = np.sqrt(np.mean(x**2))
    noise = np.random.default_rng(seed).standard_normal(x.shape[0]) * rms * 10 ** (5 / 20)
    louder = other[3 * SR : 8 * SR] * rms / np.sqrt(np.mean(other[3 * SR : 8 * SR] ** 2))
    hop, mp = P.spectrogram.hop, P.match

    def wave(y, track, offset_s):
        y = y.astype(np.float32)
        q = analyze(y, P, query=True).spectrogram
        first, count = excerpt_span(int(round(offset_s * SR / hop)), q.n_frames, P)
        return track_alignment(q, track[first : first + count], P, query_samples=y)

    for y in (x + noise, x + louder * 10 ** (5 / 20)):
        true = wave(y, song, 12.0)
        assert true.z_wave >= mp.verify_wave_z + 5
        assert true.z_wave_halves >= mp.verify_wave_halves_z + 4
        for w in (wave(y, song, 15.0), wave(y, third, 12.0)):
            assert w.z_wave < mp.verify_wave_halves_z and w.z_wave_halves is None
    assert wave(x + noise, song, 12.0).z < mp.verify_z  # the spectrogram alone: undecided
    # Resampled 2 % faster, the same excerpt's waveform no longer lines up with the track's.
    from shazam_desktop.audio.decode import resample

    fast = resample(x.astype(np.float32), SR, SR / 1.02)[: x.shape[0] - 200]
    assert wave(fast, song, 12.0).z_wave < mp.verify_wave_z
    # Without the query's samples, nothing is measured.
    q = analyze(x.astype(np.float32), P, query=True).spectrogram
    first, count = excerpt_span(int(round(12.0 * SR / hop)), q.n_frames, P)
    assert track_alignment(q, song[first : first + count], P).z_wave is None


def test_under_louder_noise_the_waveform_and_the_spectrogram_settle_it_together():
    """A 5-s excerpt under white noise 8 dB louder: its waveform (z_wave) is under its own
    tier and its spectrogram z under its own, but both are fair at the true offset, their
    sum reaches the joint tier and the waveform follows in both halves; at another offset
    or in another song the sum is far under.  That is the waveforms whitened alone; weighted
    by the track's share of each bin as well (the default), the waveform alone reaches
    its tier here."""
    from dataclasses import replace

    from shazam_desktop.engine.verify import excerpt_span, track_alignment
    from tests.helpers import music

    seed, mp = 61, P.match
    whitened = replace(P, match=replace(mp, verify_wave_share=None))
    song, third = music(seed, 40.0), music(seed + 2, 40.0)
    x = song[12 * SR : 17 * SR]
    rms = np.sqrt(np.mean(x**2))
    noise = np.random.default_rng(seed).standard_normal(x.shape[0]) * rms * 10 ** (8 / 20)
    y = (x + noise).astype(np.float32)
    q = analyze(y, P, query=True).spectrogram

    def check(track, offset_s):
        first, count = excerpt_span(int(round(offset_s * SR / P.spectrogram.hop)), q.n_frames, P)
        return track_alignment(q, track[first : first + count], whitened, query_samples=y)

    true = check(song, 12.0)
    assert true.z_wave < mp.verify_wave_z and true.z < verify_tiers(mp, 1000)[0]
    assert true.z >= mp.verify_joint_z and true.z + true.z_wave >= mp.verify_joint_sum + 1
    assert true.z_wave_halves >= mp.verify_joint_halves_z
    for w in (check(song, 15.0), check(third, 12.0)):
        assert w.z + w.z_wave < mp.verify_joint_sum - 10
    first, count = excerpt_span(int(round(12.0 * SR / P.spectrogram.hop)), q.n_frames, P)
    weighted = track_alignment(q, song[first : first + count], P, query_samples=y)
    assert weighted.z_wave >= mp.verify_wave_z and weighted.z_wave_halves >= mp.verify_wave_halves_z


def test_the_waveform_and_spectrogram_together_settle_a_close_call():
    """A close call (16 vs 10): a candidate with z at the joint tier's floor, z + z_wave at
    its sum and the waveform's halves at theirs is the answer, the leader or not; a z under
    the floor (however high the waveform's), a sum just under, halves just under, or a
    follow share under its guard (a waveform that follows the query in part of it only)
    settles nothing."""
    peaks, lk, table = _rare_and_common(decoy_copies=0)
    fair = dict(threshold=11, speed_search=False)
    mp = P.match
    zj, total, halves = mp.verify_joint_z, mp.verify_joint_sum, mp.verify_joint_halves_z

    def ask(track, z, z_wave, h=halves, follow=1.0):
        def verify(track_id, offset_frames, plain=True, wave_only=False):
            if not plain:
                return Alignment(None, None, 2.0, None, None, 4.0, None)
            if track_id == track:
                return Alignment(z, 0.1, 2.0, None, None, z_wave, h, wave_follow=follow)
            return Alignment(3.0, 0.1, 2.0, None, None, 4.0, None)

        return verify

    for track in (100, 101):
        res = search(peaks, lk, table, P, **fair, verify=ask(track, zj, total - zj))
        assert res.match is not None and res.match.track_id == track
        assert res.notes["same_recording_joint"] == total and res.match.confidence == 0.5
    for args in (
        (zj - 0.1, mp.verify_wave_z - 0.1),
        (zj + 1, total - zj - 1.1),
        (zj + 1, total, halves - 0.1),
        (zj + 1, total, None),
        (zj + 1, total, halves, mp.verify_wave_follow - 0.05),  # follows in part only
    ):
        assert search(peaks, lk, table, P, **fair, verify=ask(101, *args)).match is None


def test_the_same_recording_settles_a_close_call_for_any_candidate():
    """A close call (16 vs 10) whose spectrogram z's settle nothing: a candidate whose
    waveform follows the query's (z_wave at the tier, halves at theirs) is the answer,
    the leader or not; a z_wave under the tier, or halves under theirs, settles nothing."""
    peaks, lk, table = _rare_and_common(decoy_copies=0)
    fair = dict(threshold=11, speed_search=False)
    mp = P.match

    def ask(track, z_wave, halves):
        def verify(track_id, offset_frames, plain=True, wave_only=False):
            z = (3.0, 0.1) if plain else (None, None)
            if track_id == track:
                return Alignment(*z, 2.0, None, None, z_wave, halves, wave_follow=1.0)
            return Alignment(*z, 2.0, None, None, 4.0, None)

        return verify

    for track in (100, 101):
        res = search(peaks, lk, table, P, **fair, verify=ask(track, mp.verify_wave_z, 9.0))
        assert res.match is not None and res.match.track_id == track
        assert res.notes["same_recording"] == mp.verify_wave_z and res.match.confidence >= 0.5
    low = search(peaks, lk, table, P, **fair, verify=ask(101, mp.verify_wave_z - 0.1, 30.0))
    assert low.match is None and low.notes["verify_z_wave"] == round(mp.verify_wave_z - 0.1, 1)
    half = ask(101, mp.verify_wave_z + 20, mp.verify_wave_halves_z - 0.1)
    assert search(peaks, lk, table, P, **fair, verify=half).match is None


def test_a_time_scaled_stft_reads_frames_that_much_further_apart():
    """stft_db's time_scale: frame k is the plain STFT of the frame at round(k x hop x
    time_scale), and no frame runs past the signal's end; 1.0 is the plain STFT."""
    x = tone_song(3, 6)
    sp, hop, n = P.spectrogram, P.spectrogram.hop, P.spectrogram.n_fft
    plain = stft_db(x, sp)
    assert np.array_equal(stft_db(x, sp, 1.0).db, plain.db)
    for ts in (0.95, 1.05):
        s = stft_db(x, sp, ts)
        assert s.n_frames == int((x.shape[0] - n) / (hop * ts)) + 1
        for k in (0, 7, s.n_frames - 1):
            start = int(round(k * hop * ts))
            assert start + n <= x.shape[0]
            np.testing.assert_allclose(s.db[:, k], stft_db(x[start : start + n], sp).db[:, 0])


@pytest.mark.parametrize("seed", [31, 41, 51])
def test_a_tempo_changed_query_follows_its_track_on_the_tracks_clock(seed):
    """A 5-s excerpt played 5 % faster, tempo only (a phase vocoder): read on the query's
    clock (the track's frames 1.05 hops apart), the track's local contrast stands out at
    the true offset beyond the check's tiers, in both halves, and the correlation reaches
    its tier; read as it is, at another offset, or in another song, no measure comes near
    them."""
    from shazam_desktop.engine.verify import excerpt_span, fine_spectrogram, track_alignment
    from shazam_desktop.synth.degrade import tempo
    from tests.helpers import music

    song, third = music(seed, 40.0), music(seed + 2, 40.0)
    y = tempo(song[12 * SR : int(17.6 * SR)], SR, 1.05)[: 5 * SR]
    q, qf = analyze(y, P, query=True).spectrogram, fine_spectrogram(y, P)
    tier_z, _, tier_local, tier_halves = verify_tiers(P.match, 1000)

    def check(track, offset_s, ts=1.05):
        first, count = excerpt_span(
            int(round(offset_s * SR / P.spectrogram.hop)), q.n_frames, P, ts
        )
        return track_alignment(q, track[first : first + count], P, query_fine=qf, time_scale=ts)

    true = check(song, 12.0)
    assert true.z_local >= tier_local + 4 and true.z_local_halves >= tier_halves + 4
    assert true.corr >= P.match.transform_verify_corr  # the correlation tier, too
    assert true.z_wave is None  # a phase vocoder keeps no waveform to compare
    for w in (check(song, 12.0, 1.0), check(song, 20.0), check(third, 12.0)):
        assert w.z_local < tier_local - 3 and w.z < tier_z - 5 and w.z < true.z - 4
        assert w.corr < P.match.transform_verify_corr - 0.1


def test_a_rescaled_query_that_counts_leave_undecided_is_settled_by_its_spectrogram():
    """A clip 5 % faster (tempo only) whose counts cannot decide (the threshold is set out
    of reach): the best few tracks over the grid are checked on the track's clock, and the
    song is the answer at its tempo.  A check at chance settles nothing."""
    from shazam_desktop.engine.verify import excerpt_span, track_alignment
    from shazam_desktop.synth.degrade import tempo
    from tests.helpers import music

    songs = [music(30 + s, 40.0) for s in range(6)]
    lk, table = _index(songs)
    y = tempo(songs[4][SR * 8 : int(SR * 19.2)], SR, 1.05)[: SR * 10]
    at = _resampled_analyses(y)

    asked = []

    def verify(track_id, offset_frames, fs=1.0, plain=True, ts=1.0, wave_only=False):
        q = at(fs).spectrogram
        first, count = excerpt_span(offset_frames, q.n_frames, P, ts)
        x = np.concatenate([np.zeros(max(0, -first), np.float32), songs[track_id - 100]])
        first += max(0, -first)
        a = track_alignment(q, x[first : first + count], P, plain, time_scale=ts)
        asked.append((track_id, fs, ts))
        return a

    kw = dict(threshold=200, resampled=lambda fs: at(fs).peaks)
    res = search(at(1.0).peaks, lk, table, P, **kw, verify=verify)
    m = res.match
    assert m is not None and m.track_id == 104 and (m.time_scale, m.freq_scale) == (1.05, 1.0)
    tier_z, _, tier_local, _ = verify_tiers(P.match, len(table))
    assert (
        res.notes.get("transform_verified", 0) >= tier_z
        or res.notes.get("transform_verified_local", 0) >= tier_local
    )
    assert 7.9 < m.offset_s < 8.1 and m.score < 200
    # Only the pool's (track, grid point) pairs were checked on a rescaled clock.
    assert len({a for a in asked if a[2] != 1.0}) <= P.match.transform_verify_pool
    # Just under both tiers (the local one in one half): no answer.
    low = Alignment(tier_z - 0.1, 0.2, tier_local + 5, P.match.verify_local_halves_z - 0.1)
    chance = Alignment(2.0, 0.1, 2.0)

    def stand_in(track_id, offset_frames, fs=1.0, plain=True, ts=1.0, wave_only=False):
        return chance if (fs, ts) == (1.0, 1.0) else low

    refused = search(at(1.0).peaks, lk, table, P, **kw, verify=stand_in)
    assert refused.match is None and refused.notes["transform_z"] == round(tier_z - 0.1, 1)
    # The correlation tier: its level with a fair z settles it; just under either, nothing.
    mp = P.match
    fair = mp.transform_verify_corr_z
    for corr, z, settled in (
        (mp.transform_verify_corr, fair, True),
        (mp.transform_verify_corr - 0.01, fair + 5, False),
        (mp.transform_verify_corr + 0.2, fair - 0.1, False),
    ):
        a = Alignment(z, corr, 2.0)

        def alike(track_id, offset_frames, fs=1.0, plain=True, ts=1.0, a=a, wave_only=False):
            return chance if (fs, ts) == (1.0, 1.0) else a

        res = search(at(1.0).peaks, lk, table, P, **kw, verify=alike)
        assert (res.match is not None) == settled, (corr, z)
        assert ("transform_verified_corr" in res.notes) == settled
        assert res.notes["transform_corr"] == round(corr, 3)
        if settled:
            assert 0.5 <= res.match.confidence < 0.51


def test_mel_filterbank_equals_librosa():
    librosa = pytest.importorskip("librosa")
    ours = mel_filterbank(SR, 1024, 40, 40.0, 5000.0)
    theirs = librosa.filters.mel(sr=SR, n_fft=1024, n_mels=40, fmin=40.0, fmax=5000.0)
    assert np.allclose(ours, theirs, atol=1e-6)


def test_embeddings_are_unit_windows():
    a = analyze(tone_song(4, 12), P)
    e = window_embeddings(a.spectrogram, P.embedding)
    # 12 s with 5-s windows every hop_s seconds
    expected = int((12 - P.embedding.window_s) // P.embedding.hop_s) + 1
    assert abs(e.shape[0] - expected) <= 1
    assert e.shape[1] == 2 * (P.embedding.n_mfcc - 1)
    assert np.allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-5)


def test_running_max_equals_scipy_maximum_filter():
    from scipy.ndimage import maximum_filter

    from shazam_desktop.engine.peaks import _running_max

    rng = np.random.default_rng(3)
    for shape, fr, tr in [((513, 430), 10, 5), ((40, 7), 3, 4), ((5, 3), 10, 5)]:
        x = rng.normal(0, 10, shape).astype(np.float32)
        want = maximum_filter(x, size=(2 * fr + 1, 2 * tr + 1), mode="constant", cval=-100.0)
        got = _running_max(_running_max(x, fr, 0, -100.0), tr, 1, -100.0)
        assert np.array_equal(got, want)


def test_peaks_are_the_local_maxima_of_a_full_2d_maximum_filter():
    from dataclasses import replace

    from scipy.ndimage import maximum_filter

    from shazam_desktop.engine.spectrogram import DB_FLOOR, Spectrogram

    pp = replace(P.peaks, peaks_per_second=1e9)  # no budget: every local maximum
    rng = np.random.default_rng(5)
    specs = [stft_db(tone_song(9, 6), P.spectrogram).db]
    specs += [rng.normal(0, 10, s).astype(np.float32) for s in [(513, 300), (64, 4), (30, 1)]]
    # Ties and plateaus, and a quiet stretch under the 60-dB floor
    specs.append(np.round(rng.normal(0, 2, (100, 80))).astype(np.float32))
    quiet = rng.normal(0, 10, (200, 90)).astype(np.float32)
    quiet[:, :40] -= 75
    specs.append(quiet)
    for db in specs:
        full = maximum_filter(
            db, size=(2 * pp.freq_radius + 1, 2 * pp.time_radius + 1), mode="constant",
            cval=DB_FLOOR,
        )  # fmt: skip
        want = (db == full) & (db > max(float(db.max()) - 60.0, DB_FLOOR + 20.0))
        want[: pp.min_bin] = False
        want[-1] = False
        f, t = np.nonzero(want)
        got = find_peaks(Spectrogram(db, P.spectrogram), pp)
        got_ft = zip(got.f.tolist(), got.t.tolist(), strict=True)
        assert sorted(got_ft) == sorted(zip(f.tolist(), t.tolist(), strict=True))


def test_the_waveform_check_finds_a_recording_under_noise_at_its_own_shift():
    """GCC-PHAT: a 5-s excerpt under white noise at -5 dB stands out at its own shift and
    nowhere near it for another song; PHAT-beta (beta under 1) keeps more weight on the bins
    where the song is strong, and stands out further."""
    from shazam_desktop.engine.verify import waveform_z

    song, other = tone_song(3, 20.0), tone_song(4, 20.0)
    at, n = 3 * SR, 5 * SR
    excerpt = song[5 * SR : 5 * SR + n + 2 * at]
    query = add_noise(song[5 * SR + at : 5 * SR + at + n], -5, seed=1)
    args = (512, (100.0, 4000.0), SR)
    full = waveform_z(query, excerpt, at, *args)
    partial = waveform_z(query, excerpt, at, *args, beta=0.8)
    assert full is not None and full >= 8 and partial > full
    assert waveform_z(query, excerpt, at - 4096, *args) < 6  # 0.37 s off: no peak there
    unrelated = add_noise(other[at : at + n], -5, seed=1)
    assert waveform_z(unrelated, excerpt, at, *args) < 6
    assert waveform_z(unrelated, excerpt, at, *args, beta=0.8) < 6


def test_the_waveform_follows_a_recording_in_every_segment_and_shared_notes_in_a_few():
    """A recording under white noise at -5 dB correlates with its track at the lag found in
    nearly every quarter-second; a query that holds the track's audio for its first second
    only (two songs sharing a few notes) in about a fifth of them.  With
    verify_wave_follow set, only the first is the same recording."""
    from dataclasses import replace

    from shazam_desktop.engine.matcher import _same_recording
    from shazam_desktop.engine.verify import waveform_alignment, waveform_follow

    song, other = tone_song(3, 20.0), tone_song(4, 20.0)
    at, n, seg = P.match.verify_lags * P.spectrogram.hop, 5 * SR, SR // 4
    excerpt = song[5 * SR : 5 * SR + n + 2 * at]
    own = song[5 * SR + at : 5 * SR + at + n]
    noisy = add_noise(own, -5, seed=1)
    shared = np.concatenate([own[:SR], other[SR:n]])
    assert waveform_follow(noisy, excerpt, at, seg) >= 0.9
    assert waveform_follow(shared, excerpt, at, seg) <= 0.35
    # Through the waveform check: the share is measured at the lag its correlation found,
    # and only with the guard set.
    guarded = replace(P, match=replace(P.match, verify_wave_follow=0.6))
    assert waveform_alignment(noisy, excerpt, guarded).wave_follow >= 0.9
    off = replace(P, match=replace(P.match, verify_wave_follow=0.0))
    assert waveform_alignment(noisy, excerpt, off).wave_follow is None
    mp = replace(P.match, verify_wave_follow=0.6)
    fair = dict(z_wave=40.0, z_wave_halves=20.0)
    assert _same_recording(Alignment(None, None, 0.0, **fair, wave_follow=0.95), mp)
    assert not _same_recording(Alignment(None, None, 0.0, **fair, wave_follow=0.3), mp)
    assert _same_recording(Alignment(None, None, 0.0, **fair), off.match)  # off: not asked


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weighting_by_the_tracks_share_keeps_a_faint_recording_that_whitening_loses(seed):
    """A recording whose power lies under 800 Hz, under white noise at -15 dB: whitening
    gives the 0.8-4 kHz bins that noise alone fills the weight of the rest, and the
    recording's peak sinks toward the waveform tier; weighted by the track's share of
    each bin, it stands far over it.  Another recording stays at chance either way, and
    the check reports the higher of the two weightings."""
    import scipy.signal

    from shazam_desktop.engine.verify import _waveforms, waveform_z

    rng = np.random.default_rng(seed)
    low = scipy.signal.butter(4, 800, fs=SR)
    song, other = (
        scipy.signal.lfilter(*low, rng.standard_normal(20 * SR)).astype(np.float32)
        for _ in range(2)
    )
    mp = P.match
    at, n = mp.verify_lags * P.spectrogram.hop, 5 * SR
    excerpt = song[5 * SR : 5 * SR + n + 2 * at]
    query = add_noise(song[5 * SR + at : 5 * SR + at + n], -15, seed=1)
    args = (mp.verify_wave_near, mp.verify_wave_band_hz, SR)
    whitened = waveform_z(query, excerpt, at, *args)
    weighted = waveform_z(query, excerpt, at, *args, share=mp.verify_wave_share)
    assert weighted >= mp.verify_wave_z + 4 and weighted >= 1.25 * whitened
    z, halves, _ = _waveforms(query, excerpt, P)
    assert z == pytest.approx(weighted, rel=1e-4) and halves >= mp.verify_wave_halves_z
    unrelated = add_noise(other[at : at + n], -15, seed=1)
    assert waveform_z(unrelated, excerpt, at, *args) < 6
    assert waveform_z(unrelated, excerpt, at, *args, share=mp.verify_wave_share) < 6
