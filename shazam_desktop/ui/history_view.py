"""Every recognition, newest first: clear it or export it as CSV."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shazam_desktop.store.catalog import HistoryEntry
from shazam_desktop.ui.models import HistoryModel, make_proxy

CSV_FIELDS = (
    "time",
    "source",
    "query",
    "track_id",
    "title",
    "artist",
    "confidence",
    "score",
    "offset_s",
)


def write_history_csv(entries: Sequence[HistoryEntry], path: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(CSV_FIELDS)
        for e in entries:
            w.writerow(
                [
                    datetime.fromtimestamp(e.at).isoformat(timespec="seconds"),
                    e.source,
                    e.query,
                    "" if e.track_id is None else e.track_id,
                    e.title,
                    e.artist,
                    f"{e.confidence:.3f}",
                    e.score,
                    f"{e.offset_s:.2f}",
                ]
            )


class HistoryView(QWidget):
    clear_requested = Signal()
    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = HistoryModel(self)
        self.proxy = make_proxy(self.model, self)
        t = self.table = QTableView()
        t.setModel(self.proxy)
        t.setSortingEnabled(True)
        t.sortByColumn(0, Qt.DescendingOrder)
        t.setSelectionBehavior(QAbstractItemView.SelectRows)
        t.setEditTriggers(QAbstractItemView.NoEditTriggers)
        t.setAlternatingRowColors(True)
        t.setShowGrid(False)
        t.verticalHeader().hide()
        t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 10)
        hh = t.horizontalHeader()
        hh.setHighlightSections(False)
        hh.setStretchLastSection(True)
        # Widths from the font (ResizeToContents would read every row on each layout).
        fm = t.fontMetrics()
        for col, sample in (
            (0, " 2026-12-31 23:59 "),
            (1, " Speakers (monitor) "),
            (3, " Confidence "),
        ):
            hh.setSectionResizeMode(col, QHeaderView.Interactive)
            hh.resizeSection(col, fm.horizontalAdvance(sample) + 24)
        hh.setSectionResizeMode(2, QHeaderView.Stretch)
        self.count = QLabel()
        self.export_btn = QPushButton("Export CSV…")
        self.clear_btn = QPushButton("Clear history…")
        self.export_btn.clicked.connect(self.export_requested)
        self.clear_btn.clicked.connect(self.clear_requested)
        bar = QHBoxLayout()
        bar.addWidget(self.count, 1)
        bar.addWidget(self.export_btn)
        bar.addWidget(self.clear_btn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.setSpacing(8)
        lay.addLayout(bar)
        lay.addWidget(t, 1)
        self.set_entries([])

    def set_entries(self, entries: Sequence[HistoryEntry]) -> None:
        self.model.set_rows(entries)
        n = len(entries)
        found = sum(1 for e in entries if e.title)
        self.count.setText(
            f"{n} recognition{'s' if n != 1 else ''}, {found} found"
            if n
            else "No recognitions yet."
        )
        self.export_btn.setEnabled(n > 0)
        self.clear_btn.setEnabled(n > 0)
