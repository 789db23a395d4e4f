"""Qt table models over the catalog: tracks, recognition history, and files that failed.

Each model holds a plain list of dataclasses; `set_rows` announces only the rows that
changed. The views sort and filter through a QSortFilterProxyModel on SORT_ROLE (numbers
sort as numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QStandardItemModel

from shazam_desktop.store.catalog import HistoryEntry, Track
from shazam_desktop.ui import fmt

SORT_ROLE = int(Qt.UserRole) + 1
ROW_ROLE = int(Qt.UserRole) + 2  # the row's dataclass
# Plain ints: comparing a role with a Qt enum member costs microseconds per call, and the
# views call data() thousands of times per repaint.
_DISPLAY = int(Qt.DisplayRole)
_ALIGN = int(Qt.TextAlignmentRole)
_TIP = int(Qt.ToolTipRole)
_FG = int(Qt.ForegroundRole)
_MUTED = QColor(128, 128, 128)  # legible on light and dark palettes

R = TypeVar("R")


@dataclass(frozen=True)
class Column(Generic[R]):
    title: str
    text: Callable[[R], str]
    key: Callable[[R], Any]
    align: Qt.AlignmentFlag = Qt.AlignLeft | Qt.AlignVCenter


_Index = QModelIndex | QPersistentModelIndex


class RowsModel(QStandardItemModel, Generic[R]):
    """A table over `rows`, answering `data` from Python; it holds no QStandardItems.

    The base class is for its C++ rowCount, columnCount and index: as Python overrides
    (QAbstractTableModel) they were two thirds of the calls a table paint makes through
    the sort proxy, each one taking the GIL from whatever thread held it. Measured on a
    53-row table: 23 ms of CPU a paint before, 16 ms after.
    """

    columns: Sequence[Column] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(self.columns), parent)  # the C++ row count follows `rows`
        self.rows: list[R] = []
        self._text: list[tuple[str, ...]] = []  # display text per row, computed once
        self._align = [int(c.align) for c in self.columns]

    def _texts(self, r: R) -> tuple[str, ...]:
        return tuple(c.text(r) for c in self.columns)

    def set_rows(self, rows: Sequence[R]) -> None:
        """Show `rows`: only the rows that differ, position by position, are announced.

        No model reset: a reset made the sort proxy sort every row again through Python
        (700 ms of GUI-thread CPU for 10,000 tracks, at each start and each commit of an
        indexing job) and cleared the selection and scroll position.
        """
        new = list(rows)
        old_n, n = len(self.rows), len(new)
        if n < old_n:
            self.setRowCount(n)  # announces the removed tail, while its rows are still here
            del self.rows[n:], self._text[n:]
        old = self.rows
        changed = [i for i in range(min(old_n, n)) if old[i] is not new[i] and old[i] != new[i]]
        for i in changed:
            old[i] = new[i]
            self._text[i] = self._texts(new[i])
        last_col = len(self.columns) - 1
        for first, last in _runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_col))
        if n > old_n:
            old.extend(new[old_n:])
            self._text.extend(self._texts(r) for r in new[old_n:])
            self.setRowCount(n)  # announces the new tail

    def append_rows(self, rows: Sequence[R]) -> None:
        if not rows:
            return
        self.rows.extend(rows)
        self._text.extend(self._texts(r) for r in rows)
        self.setRowCount(len(self.rows))  # announces the inserted rows

    def replace_row(self, row: int, value: R) -> None:
        """Change one row in place (no reset: views keep their selection and scroll)."""
        self.rows[row] = value
        self._text[row] = self._texts(value)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def row_at(self, row: int) -> R:
        return self.rows[row]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):
        if int(role) == _DISPLAY and orientation == Qt.Horizontal:
            return self.columns[section].title
        return None

    def data(self, index: _Index, role: int = _DISPLAY):
        role = int(role)
        if role == _DISPLAY:
            return self._text[index.row()][index.column()]
        if role == SORT_ROLE:
            return self.columns[index.column()].key(self.rows[index.row()])
        if role == _ALIGN:
            return self._align[index.column()]
        if role == ROW_ROLE:
            return self.rows[index.row()]
        if role == _TIP:
            return self.tooltip(self.rows[index.row()])
        if role == _FG and self.muted(self.rows[index.row()]):
            return _MUTED
        return None

    def muted(self, row: R) -> bool:
        """Rows drawn in grey (e.g. files a job has not committed yet)."""
        return False

    def tooltip(self, row: R) -> str | None:
        return None


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for r in rows:
        if runs and runs[-1][1] == r - 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs


_RIGHT = Qt.AlignRight | Qt.AlignVCenter


class TrackModel(RowsModel[Track]):
    columns = (
        Column("Title", lambda t: t.title, lambda t: t.title.casefold()),
        Column("Artist", lambda t: t.artist, lambda t: t.artist.casefold()),
        Column("Album", lambda t: t.album, lambda t: t.album.casefold()),
        Column(
            "Duration",
            lambda t: fmt.duration(t.duration_s) if t.duration_s else "",
            lambda t: t.duration_s,
            _RIGHT,
        ),
        Column("Added", lambda t: fmt.when(t.added_at), lambda t: t.added_at),
        Column("Status", lambda t: t.status, lambda t: t.status),
    )

    def tooltip(self, t: Track) -> str:
        return t.path

    def muted(self, t: Track) -> bool:
        return t.id < 0

    def ids_at(self, rows: Sequence[int]) -> list[int]:
        return [self.rows[r].id for r in rows]


def _result_text(h: HistoryEntry) -> str:
    if h.track_id is None and not h.title:
        return "No match"
    return f"{h.title} — {h.artist}" if h.artist else h.title


class HistoryModel(RowsModel[HistoryEntry]):
    columns = (
        Column("Time", lambda h: fmt.when(h.at), lambda h: h.at),
        Column("Source", lambda h: fmt.source_label(h.source), lambda h: h.source),
        Column("Result", _result_text, lambda h: _result_text(h).casefold()),
        Column(
            "Confidence",
            lambda h: fmt.percent(h.confidence) if h.title else "",
            lambda h: h.confidence,
            _RIGHT,
        ),
        Column("Query", lambda h: h.query, lambda h: h.query),
    )

    def tooltip(self, h: HistoryEntry) -> str:
        return h.query


@dataclass(frozen=True)
class Failure:
    path: str
    reason: str


class FailureModel(RowsModel[Failure]):
    columns = (
        Column("File", lambda e: e.path.rsplit("/", 1)[-1], lambda e: e.path),
        Column("Why it failed", lambda e: e.reason, lambda e: e.reason),
    )

    def tooltip(self, e: Failure) -> str:
        return e.path


def make_proxy(model: RowsModel, parent=None) -> QSortFilterProxyModel:
    """Sort on SORT_ROLE, filter case-insensitively on every column."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseInsensitive)
    proxy.setSortCaseSensitivity(Qt.CaseInsensitive)
    return proxy
