"""The table models sort as numbers and filter on every column."""

from PySide6.QtCore import Qt

from shazam_desktop.store.catalog import HistoryEntry, Track
from shazam_desktop.ui.models import HistoryModel, TrackModel, make_proxy


def track(i: int, title: str, artist: str, dur: float) -> Track:
    return Track(
        i,
        f"/m/{title}.ogg",
        title,
        artist,
        "Album",
        dur,
        "OGG",
        1000.0 + i,
        "ready",
        "h",
        1,
        1,
        1,
        False,
    )


def test_tracks_sort_by_duration_numerically_and_filter_by_artist(qapp):
    m = TrackModel()
    m.set_rows(
        [track(1, "Long", "Zed", 600), track(2, "Short", "Amy", 65), track(3, "Mid", "Amy", 125)]
    )
    p = make_proxy(m)
    p.sort(3, Qt.AscendingOrder)
    assert [p.index(r, 0).data() for r in range(3)] == ["Short", "Mid", "Long"]
    assert p.index(0, 3).data() == "1:05"
    p.setFilterFixedString("amy")
    assert p.rowCount() == 2


def test_history_rows_say_no_match_or_the_song(qapp):
    m = HistoryModel()
    m.set_rows(
        [
            HistoryEntry(1, 0.0, "mic", "Mic", 4, "Song", "Band", 0.9, 40, 12.0),
            HistoryEntry(2, 0.0, "file", "/x.wav", None, "", "", 0.0, 0, 0.0),
        ]
    )
    assert m.index(0, 2).data() == "Song — Band"
    assert m.index(0, 3).data() == "90 %"
    assert m.index(1, 2).data() == "No match"
    assert m.index(1, 1).data() == "File"
