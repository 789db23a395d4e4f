"""The answer and its proof: a result card, and the alignment plot with its offset histogram."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from shazam_desktop.engine.matcher import Match
from shazam_desktop.store.library import IdentifyResult
from shazam_desktop.ui import fmt
from shazam_desktop.ui.plots import plot_widget
from shazam_desktop.ui.resources import app_icon
from shazam_desktop.ui.theme import plot_colours

COVER = 152


class ResultCard(QFrame):
    """Title, artist, album, cover, confidence and where the excerpt sits in the track."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ResultCard")
        self.setFrameShape(QFrame.StyledPanel)
        self.cover = QLabel()
        self.cover.setFixedSize(COVER, COVER)
        self.cover.setAlignment(Qt.AlignCenter)
        self.title = QLabel()
        f = QFont(self.font())
        f.setPointSizeF(f.pointSizeF() * 1.6)
        f.setBold(True)
        self.title.setFont(f)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.artist = QLabel()
        fa = QFont(self.font())
        fa.setPointSizeF(fa.pointSizeF() * 1.2)
        self.artist.setFont(fa)
        self.artist.setWordWrap(True)
        self.album = QLabel()
        self.album.setWordWrap(True)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.RichText)
        for lab in (self.artist, self.album, self.details):
            lab.setTextInteractionFlags(Qt.TextSelectableByMouse)
        text = QVBoxLayout()
        text.setSpacing(4)
        text.addWidget(self.title)
        text.addWidget(self.artist)
        text.addWidget(self.album)
        text.addSpacing(6)
        text.addWidget(self.details)
        text.addStretch(1)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(14, 14, 14, 14)
        lay.setSpacing(16)
        lay.addWidget(self.cover, 0, Qt.AlignTop)
        lay.addLayout(text, 1)
        # Its width follows the page, not its text: a new title must not resize the plots.
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
        self.setMinimumWidth(320)
        self.kind = "idle"
        self.show_idle()

    def _placeholder(self) -> QPixmap:
        return app_icon().pixmap(COVER // 2, COVER // 2)

    def show_idle(self, hint: str = "") -> None:
        self.kind = "idle"
        self.cover.setPixmap(self._placeholder())
        self.title.setText("Ready")
        self.artist.setText(hint or "Press Listen (Space) or drop audio files on the window.")
        self.album.setText("")
        self.details.setText("")

    def show_working(self, what: str) -> None:
        self.kind = "working"
        self.cover.setPixmap(self._placeholder())
        self.title.setText(what)
        self.artist.setText("")
        self.album.setText("")
        self.details.setText("")

    def show_result(
        self,
        result: IdentifyResult,
        cover: tuple[str, bytes] | None = None,
        took_s: float | None = None,
        query: str = "",
    ) -> None:
        m, t = result.match, result.track
        if m is None or t is None:
            self.show_no_match(result, query)
            return
        self.kind = "match"
        pix = QPixmap()
        if cover is None or not pix.loadFromData(cover[1]):
            pix = self._placeholder()
        else:
            pix = pix.scaled(COVER, COVER, Qt.KeepAspectRatio, Qt.SmoothTransformation)
        self.cover.setPixmap(pix)
        self.title.setText(t.title or "Untitled")
        self.artist.setText(t.artist or "Unknown artist")
        self.album.setText(t.album)
        nb = "\u00a0"  # keep numbers with their units on one line
        parts = [
            f"<b>Confidence{nb}{fmt.percent(m.confidence).replace(' ', nb)}</b>",
            f"at{nb}{fmt.duration(m.offset_s)} of {fmt.duration(t.duration_s)}",
            f"{m.score} aligned landmarks (next best song: {m.runner_up})",
        ]
        if abs(m.time_scale - 1.0) > 1e-6 or abs(m.freq_scale - 1.0) > 1e-6:
            parts.append(_speed_note(m))
        how = how_decided(result.search.notes)
        if how:
            parts.append(how)
        extra = []
        if query:
            extra.append(html.escape(query))
        if took_s is not None:
            extra.append(f"answered in {took_s:.1f}{nb}s")
        text = " · ".join(parts[:2]) + "<br>" + " · ".join(parts[2:])
        if extra:
            text += f"<br><span style='color:gray'>{' · '.join(extra)}</span>"
        self.details.setText(text)

    def show_no_match(self, result: IdentifyResult | None, query: str = "") -> None:
        self.kind = "nomatch"
        self.cover.setPixmap(self._placeholder())
        self.title.setText("No match")
        self.artist.setText("This doesn't seem to be in your library.")
        self.album.setText(html.escape(query) if query else "")
        similar = result.similar if result is not None else []
        if similar:
            rows = "".join(
                f"<li>{html.escape(s.track.title)} — {html.escape(s.track.artist or 'Unknown artist')}"
                f" <span style='color:gray'>({fmt.percent(max(0.0, s.similarity))})</span></li>"
                for s in similar[:5]
            )
            self.details.setText(f"<b>Sounds like</b><ul style='margin:0'>{rows}</ul>")
        else:
            self.details.setText("")


def _speed_note(m: Match) -> str:
    """How the excerpt differed from the track when the speed search found it."""
    if m.freq_scale == 1.0:
        return f"tempo {m.time_scale:.0%} of the original"
    if m.time_scale == 1.0:
        return f"pitch shifted ({1 / m.freq_scale:.3f}x)"
    return f"played at {1 / m.time_scale:.0%} speed"


def how_decided(notes: dict) -> str:
    """A word on how a close call was settled, from the engine's notes (empty when the
    landmark counts alone were clear)."""
    if "same_audio" in notes:
        return "the track's own audio: another version in the library is close"
    if "same_recording" in notes or "same_recording_joint" in notes:
        return "the track's own recording, found under the noise"
    if "second_look" in notes:
        return "found on a closer look, confirmed against the track's own audio"
    if any(k.startswith("transform_verified") for k in notes):
        return "confirmed against the track's own audio, on the excerpt's clock"
    if "verified" in notes or "verified_local" in notes or "verified_strong" in notes:
        return "confirmed against the track's own audio"
    if "rarity" in notes:
        return "settled by its rarest landmarks"
    return ""


class AlignmentPlot(QWidget):
    """Matched landmarks as (query time, track time) points, and the offset histogram.

    The points on the winning diagonal are the proof: chance hits scatter, a true match
    lines up (Wang 2003, figures 2-3).  Items are created once and updated with setData.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tip = self._tip
        self.scatter = plot_widget()
        self.hist = plot_widget()
        for w in (self.scatter, self.hist):
            w.setMenuEnabled(False)
            w.hideButtons()
            w.setMinimumSize(220, 170)
        sp = self.scatter.getPlotItem()
        sp.setTitle("Matched landmarks")
        sp.setLabel("bottom", "Time in the excerpt (s)")
        sp.setLabel("left", "Time in the track (s)")
        sp.showGrid(x=True, y=True, alpha=0.15)
        self.others = pg.ScatterPlotItem(size=5, hoverable=True, tip=tip, pen=None)
        self.aligned = pg.ScatterPlotItem(size=7, hoverable=True, tip=tip, pen=None)
        self.diagonal = pg.PlotDataItem()
        sp.addItem(self.diagonal)
        sp.addItem(self.others)
        sp.addItem(self.aligned)
        hp = self.hist.getPlotItem()
        hp.setTitle("Offset histogram")
        hp.setLabel("bottom", "Track time − excerpt time (s)")
        hp.setLabel("left", "Landmarks")
        hp.showGrid(x=False, y=True, alpha=0.15)
        self.bars = pg.BarGraphItem(x=[0.0], height=[0], width=0.02)
        hp.addItem(self.bars)
        for pi in (sp, hp):
            for name in ("left", "bottom"):
                pi.getAxis(name).enableAutoSIPrefix(False)
        self.hint = pg.TextItem(
            "When a song is found, its matched landmarks\nline up here: that is the proof.",
            anchor=(0.5, 0.5),
        )
        sp.addItem(self.hint)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        lay.addWidget(self.scatter, 3)
        lay.addWidget(self.hist, 2)
        self.match: Match | None = None
        self._apply_colours()
        self.clear()

    @staticmethod
    def _tip(x: float, y: float, data: object) -> str:
        where = "on the diagonal" if data else "chance hit"
        return f"excerpt {x:.2f} s → track {y:.2f} s ({fmt.duration(y)})\n{where}"

    def clear(self) -> None:
        self.match = None
        self.others.setData(x=[], y=[])
        self.aligned.setData(x=[], y=[])
        self.diagonal.setData(x=[], y=[])
        self.bars.setOpts(x=[0.0], height=[0], width=0.02)
        # An empty proof: quiet axes and a sentence saying what will appear.
        self.scatter.getPlotItem().setRange(xRange=(0, 10), yRange=(0, 60), padding=0)
        self.hist.getPlotItem().setRange(xRange=(-1, 1), yRange=(0, 10), padding=0)
        self.hint.setPos(5, 30)
        self.hint.show()

    def show_match(self, m: Match, fps: float = 11025 / 256) -> None:
        self.match = m
        self.hint.hide()
        q, t, on = m.query_times_s, m.track_times_s, m.aligned.astype(bool)
        self.others.setData(x=q[~on], y=t[~on], data=np.zeros(int((~on).sum()), bool))
        self.aligned.setData(x=q[on], y=t[on], data=np.ones(int(on.sum()), bool))
        if q.size:
            x0, x1 = float(q.min()), float(q.max())
            self.diagonal.setData(
                x=[x0, x1], y=[m.offset_s + x0 * m.time_scale, m.offset_s + x1 * m.time_scale]
            )
        width = 1.0 / fps
        peak = int(np.argmax(m.hist_counts)) if m.hist_counts.size else 0
        c = plot_colours(self.palette())
        brushes = [
            pg.mkBrush(c.match if abs(i - peak) <= 1 else c.point)
            for i in range(m.hist_counts.size)
        ]
        self.bars.setOpts(
            x=m.hist_offsets_s, height=m.hist_counts, width=width * 0.9, brushes=brushes, pen=None
        )
        self.scatter.getPlotItem().enableAutoRange()
        self.hist.getPlotItem().enableAutoRange()

    @property
    def n_points(self) -> int:
        return len(self.others.data) + len(self.aligned.data)

    def changeEvent(self, e: QEvent) -> None:
        if e.type() == QEvent.PaletteChange:
            self._apply_colours()
            if self.match is not None:
                self.show_match(self.match)
        super().changeEvent(e)

    def _apply_colours(self) -> None:
        c = plot_colours(self.palette())
        for w in (self.scatter, self.hist):
            w.setBackground(c.background)
            pi = w.getPlotItem()
            pi.titleLabel.setText(pi.titleLabel.text, color=c.foreground)
            for name in ("left", "bottom"):
                ax = pi.getAxis(name)
                ax.setPen(c.foreground)
                ax.setTextPen(c.foreground)
        self.others.setBrush(pg.mkBrush(c.point))
        self.aligned.setBrush(pg.mkBrush(c.match))
        self.diagonal.setPen(pg.mkPen(c.match, width=1.5, style=Qt.DashLine))
        hint = QColor(c.foreground)
        hint.setAlpha(150)
        self.hint.setColor(hint)
