"""The library: a sortable, filterable table over the catalog, indexing progress, failures."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shazam_desktop.store.catalog import Track
from shazam_desktop.store.library import AddReport, Progress
from shazam_desktop.ui import fmt
from shazam_desktop.ui.models import ROW_ROLE, Failure, FailureModel, TrackModel, make_proxy


def _resolved(path: str) -> str:
    try:
        return str(Path(path).resolve())
    except OSError:
        return path


def dropped_paths(event: QDropEvent | QDragEnterEvent) -> list[str]:
    md = event.mimeData()
    if not md.hasUrls():
        return []
    return [u.toLocalFile() for u in md.urls() if u.isLocalFile() and u.toLocalFile()]


class FileDropTarget:
    """Mixin for a QWidget that takes local files dropped on it: accepts a drag that carries
    some and hands them to `files_dropped` (the widget calls setAcceptDrops(True))."""

    def files_dropped(self, paths: list[str]) -> None:
        raise NotImplementedError

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        if dropped_paths(e):
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        paths = dropped_paths(e)
        if paths:
            e.acceptProposedAction()
            self.files_dropped(paths)


def _table(model, proxy) -> QTableView:
    v = QTableView()
    v.setModel(proxy)
    v.setSortingEnabled(True)
    v.setEditTriggers(QAbstractItemView.NoEditTriggers)
    v.setSelectionBehavior(QAbstractItemView.SelectRows)
    v.setAlternatingRowColors(True)
    v.setShowGrid(False)
    v.setWordWrap(False)
    v.verticalHeader().hide()
    v.verticalHeader().setDefaultSectionSize(v.fontMetrics().height() + 10)
    v.horizontalHeader().setHighlightSections(False)
    v.horizontalHeader().setStretchLastSection(True)
    return v


class LibraryView(FileDropTarget, QWidget):
    add_requested = Signal(list)  # paths (files or folders)
    remove_requested = Signal(list)  # track ids
    reindex_requested = Signal()
    cancel_requested = Signal()
    details_requested = Signal(object)  # Track

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.model = TrackModel(self)
        self.proxy = make_proxy(self.model, self)
        self.table = _table(self.model, self.proxy)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.sortByColumn(4, Qt.DescendingOrder)
        # Fixed widths from the font, not ResizeToContents: that one asks the model for every
        # row's text on each layout, which is what made progress updates stall the GUI.
        hh = self.table.horizontalHeader()
        fm = self.table.fontMetrics()
        for col, sample in ((3, " 00:00:00 "), (4, " 2026-12-31 23:59 "), (5, " fingerprinted ")):
            hh.setSectionResizeMode(col, QHeaderView.Interactive)
            hh.resizeSection(col, fm.horizontalAdvance(sample) + 24)
        for col in (0, 1, 2):
            hh.setSectionResizeMode(col, QHeaderView.Stretch)
        hh.setStretchLastSection(False)

        self.add_files_btn = QPushButton("Add files…")
        self.add_folder_btn = QPushButton("Add folder…")
        self.remove_btn = QPushButton("Remove")
        self.reindex_btn = QPushButton("Re-index")
        self.remove_btn.setEnabled(False)
        self.add_files_btn.setToolTip("Add audio files to the library")
        self.add_folder_btn.setToolTip("Add every audio file in a folder and its subfolders")
        self.remove_btn.setToolTip("Remove the selected tracks from the library (Delete)")
        self.reindex_btn.setToolTip("Fingerprint every track again from its file")
        self.remove_btn.clicked.connect(self._remove_clicked)
        self.reindex_btn.clicked.connect(self.reindex_requested)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by title, artist, album…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)
        self.count = QLabel()
        bar = QHBoxLayout()
        bar.setSpacing(8)
        for b in (self.add_files_btn, self.add_folder_btn, self.remove_btn, self.reindex_btn):
            bar.addWidget(b)
        bar.addSpacing(12)
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.count)

        # Indexing strip: shown while a job runs.
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress_label = QLabel()
        self.progress_label.setMinimumWidth(200)
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.clicked.connect(self._cancel_clicked)
        self.strip = QFrame()
        self.strip.setFrameShape(QFrame.StyledPanel)
        sl = QHBoxLayout(self.strip)
        sl.setContentsMargins(10, 6, 10, 6)
        sl.addWidget(self.progress_label, 2)
        sl.addWidget(self.progress, 3)
        sl.addWidget(self.cancel_btn)
        self.strip.hide()

        # Files that failed, and why.
        self.failures = FailureModel(self)
        self.failure_proxy = make_proxy(self.failures, self)
        self.failure_table = _table(self.failures, self.failure_proxy)
        self.failure_table.setMaximumHeight(150)
        self.failure_table.horizontalHeader().resizeSection(
            0, self.fontMetrics().horizontalAdvance("M" * 24)
        )
        self.failure_title = QLabel()
        clear = QPushButton("Dismiss")
        clear.clicked.connect(self.clear_failures)
        self.failure_box = QFrame()
        fl = QVBoxLayout(self.failure_box)
        fl.setContentsMargins(0, 4, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.failure_title, 1)
        head.addWidget(clear)
        fl.addLayout(head)
        fl.addWidget(self.failure_table)
        self.failure_box.hide()

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.setSpacing(8)
        lay.addLayout(bar)
        lay.addWidget(self.message)
        lay.addWidget(self.strip)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.failure_box)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        QShortcut(QKeySequence.Delete, self.table, self._remove_clicked, context=Qt.WidgetShortcut)
        QShortcut(
            QKeySequence.Find, self, self.filter.setFocus, context=Qt.WidgetWithChildrenShortcut
        )
        self.busy = False
        self._latest: Progress | None = None
        self._bar_timer = QTimer(self)
        self._bar_timer.setSingleShot(True)
        self._bar_timer.setInterval(100)
        self._bar_timer.timeout.connect(self._show_latest)
        self._tracks: list[Track] = []
        self._pending: dict[str, str] = {}  # path -> status, for files a job has not committed yet
        self._pending_at = 0.0
        self._update_count()

    # --- data ---
    def set_tracks(self, tracks: list[Track]) -> None:
        self._tracks = list(tracks)
        self._rebuild()

    def set_pending(self, paths: list[str]) -> None:
        """Files a job is about to index: shown as 'queued' rows until they are committed."""
        self._pending = {p: "queued" for p in paths}
        self._pending_at = time.time()
        self._rebuild()

    def _mark_provisional(self, path: str, status: str) -> None:
        for i, t in enumerate(self.model.rows):
            if t.id < 0 and t.path == path:
                self.model.replace_row(i, replace(t, status=status))
                return

    def _rebuild(self) -> None:
        known = {t.path for t in self._tracks}
        now = self._pending_at  # the same rows each time: the model announces only changes
        provisional = [
            Track(
                -(i + 1),
                p,
                Path(p).stem,
                "",
                "",
                0.0,
                Path(p).suffix.lstrip(".").upper(),
                now,
                status,
                "",
                0,
                0,
                0,
                False,
            )
            for i, (p, status) in enumerate(self._pending.items())
            if p not in known
        ]
        rows = self._tracks + provisional
        selected = set(self.selected_ids())
        self.model.set_rows(rows)
        if selected:
            # Rows may have moved under the selection: select the same tracks again.
            sm = self.table.selectionModel()
            sm.clearSelection()
            for r, t in enumerate(self.model.rows):
                if t.id in selected:
                    idx = self.proxy.mapFromSource(self.model.index(r, 0))
                    sm.select(idx, sm.SelectionFlag.Select | sm.SelectionFlag.Rows)
        self._update_count()

    def selected_ids(self) -> list[int]:
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [i for i in self.model.ids_at(sorted(rows)) if i >= 0]

    def select_all(self) -> None:
        self.table.selectAll()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # --- indexing ---
    def job_started(self, what: str) -> None:
        self.busy = True
        self.progress.setRange(0, 0)  # busy until the first count arrives
        self.progress_label.setText(what)
        self.cancel_btn.setEnabled(True)
        self.cancel_btn.setText("Cancel")
        self.strip.show()
        for b in (self.remove_btn, self.reindex_btn):
            b.setEnabled(False)

    def job_progress(self, p: Progress) -> None:
        # QProgressBar.setValue repaints synchronously; steps arrive in bursts after each
        # batch commit, so the bar shows the latest step at most ten times a second.
        if p.total:
            self._latest = p
            if not self._bar_timer.isActive():
                self._bar_timer.start()
        key = _resolved(p.path)
        if key in self._pending:
            if p.ok:
                self._pending[key] = "fingerprinted"
                self._mark_provisional(key, "fingerprinted")
            else:
                del self._pending[key]
                self._rebuild()
        if not p.ok and p.message:
            self.add_failures([Failure(p.path, p.message)])

    def _show_latest(self) -> None:
        p = self._latest
        if p is None or not self.busy:
            return
        self.progress.setRange(0, p.total)
        self.progress.setValue(p.done)
        self.progress.setFormat(f"{p.done} of {p.total} files")
        name = Path(p.path).name if p.path else ""
        self.progress_label.setText(f"Fingerprinted {name}" if p.ok else f"Failed: {name}")

    def job_finished(self, summary: str) -> None:
        self.busy = False
        self._bar_timer.stop()
        self._latest = None
        if self._pending:
            self._pending = {}
            self._rebuild()
        self.strip.hide()
        self.reindex_btn.setEnabled(True)
        self._selection_changed()
        self.show_message(summary)

    def add_failures(self, failures: list[Failure]) -> None:
        known = {(f.path, f.reason) for f in self.failures.rows}
        fresh = [f for f in failures if (f.path, f.reason) not in known]
        self.failures.append_rows(fresh)
        n = len(self.failures.rows)
        self.failure_title.setText(f"{n} file{'s' if n != 1 else ''} could not be added:")
        self.failure_box.setVisible(n > 0)

    def clear_failures(self) -> None:
        self.failures.set_rows([])
        self.failure_box.hide()

    # --- events ---
    def _cancel_clicked(self) -> None:
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.setText("Cancelling…")
        self.cancel_requested.emit()

    def _remove_clicked(self) -> None:
        ids = self.selected_ids()
        if ids and not self.busy:
            self.remove_requested.emit(ids)

    def _selection_changed(self, *_) -> None:
        self.remove_btn.setEnabled(
            bool(self.table.selectionModel().hasSelection()) and not self.busy
        )

    def _filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._update_count()

    def _update_count(self) -> None:
        n, shown = (
            len(self._tracks),
            self.proxy.rowCount() - (self.model.rowCount() - len(self._tracks)),
        )
        hours = sum(t.duration_s for t in self._tracks) / 3600
        total = (
            f"{n} track{'s' if n != 1 else ''} · {hours:.1f} h"
            if hours >= 1
            else (f"{n} track{'s' if n != 1 else ''} · {fmt.duration(hours * 3600)}")
        )
        self.count.setText(total if shown == n else f"{shown} of {total}")

    def _double_clicked(self, index: QModelIndex) -> None:
        track = self.proxy.data(index, ROW_ROLE)
        if track is not None and track.id >= 0:
            self.details_requested.emit(track)

    def files_dropped(self, paths: list[str]) -> None:
        self.add_requested.emit(paths)


class TrackDetails(QDialog):
    """What the library knows about one track (double-click plays nothing: it informs)."""

    def __init__(
        self, track: Track, cover: tuple[str, bytes] | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{track.title} — details")
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignRight)

        def row(label: str, value: str) -> None:
            v = QLabel(value)
            v.setTextInteractionFlags(Qt.TextSelectableByMouse)
            v.setWordWrap(True)
            form.addRow(label, v)

        row("Title", track.title)
        row("Artist", track.artist or "—")
        row("Album", track.album or "—")
        row("File", track.path)
        row("Format", track.format or Path(track.path).suffix.lstrip(".").upper())
        row("Duration", fmt.duration(track.duration_s))
        row("Added", fmt.when(track.added_at))
        row("Status", track.status)
        per_s = track.n_hashes / track.duration_s if track.duration_s else 0
        row("Landmark hashes", f"{track.n_hashes:,} ({per_s:.0f} per second)")
        row("Constellation peaks", f"{track.n_peaks:,}")
        row("MFCC windows", f"{track.n_windows:,}")
        self.path = track.path
        lay = QHBoxLayout()
        pix = QPixmap()
        if cover is not None and pix.loadFromData(cover[1]):
            art = QLabel()
            art.setPixmap(pix.scaled(160, 160, Qt.KeepAspectRatio, Qt.SmoothTransformation))
            lay.addWidget(art, 0, Qt.AlignTop)
        lay.addLayout(form, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        reveal = buttons.addButton("Open containing folder", QDialogButtonBox.ActionRole)
        reveal.clicked.connect(self._reveal)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(lay)
        outer.addWidget(buttons)
        self.setMinimumWidth(560)

    def _reveal(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.path).parent)))


def summarize(report: AddReport, verb: str = "Added") -> str:
    parts = [f"{verb} {len(report.added)} track{'s' if len(report.added) != 1 else ''}"]
    if report.duplicates:
        parts.append(f"{len(report.duplicates)} already in the library")
    if report.errors:
        parts.append(f"{len(report.errors)} failed")
    text = ", ".join(parts)
    if report.cancelled:
        text += " — cancelled (what was added stays)"
    return text + "."
