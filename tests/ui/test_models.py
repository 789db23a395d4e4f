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


def test_set_rows_announces_only_what_changed_and_keeps_the_proxy_sorted(qapp):
    m = TrackModel()
    rows = [track(i, f"T{i}", "A", 60 + i) for i in range(1, 6)]
    m.set_rows(rows)
    p = make_proxy(m)
    p.sort(3, Qt.DescendingOrder)
    seen = []
    m.modelReset.connect(lambda: seen.append("reset"))
    m.dataChanged.connect(lambda a, b: seen.append(("changed", a.row(), b.row())))
    m.rowsInserted.connect(lambda _p, a, b: seen.append(("inserted", a, b)))
    m.rowsRemoved.connect(lambda _p, a, b: seen.append(("removed", a, b)))
    longer = [*rows[:2], track(3, "T3", "A", 900), *rows[3:], track(6, "T6", "A", 1)]
    m.set_rows(longer)
    assert seen == [("changed", 2, 2), ("inserted", 5, 5)]
    assert [p.index(r, 0).data() for r in range(6)] == ["T3", "T5", "T4", "T2", "T1", "T6"]
    seen.clear()
    m.set_rows(longer[:2])
    assert seen == [("removed", 2, 5)]
    assert m.rowCount() == 2 and p.rowCount() == 2
    assert [m.index(r, 0).data() for r in range(2)] == ["T1", "T2"]
