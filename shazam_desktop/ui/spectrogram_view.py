"""The spectrogram with its constellation peaks: scrolling while listening, whole for a file."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pyqtgraph.functions as fn
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QVBoxLayout, QWidget

from shazam_desktop.engine.fingerprint import Analysis
from shazam_desktop.ui.live import LiveSpectrogram
from shazam_desktop.ui.plots import plot_widget
from shazam_desktop.ui.theme import plot_colours

# Fixed dB levels: the colours mean the same loudness from frame to frame (no flicker).
LEVELS = (-20.0, 42.0)
COLORMAP = "inferno"


def _lut32(name: str = COLORMAP) -> np.ndarray:
    rgb = pg.colormap.get(name).getLookupTable(nPts=256, alpha=False).astype(np.uint32)
    return (0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).astype(np.uint32)


class ScrollingImage(pg.GraphicsObject):
    """A spectrogram that scrolls: a ring of coloured columns in one QImage.

    Each frame colours only the new columns and draws the ring in two pieces; re-colouring
    and re-uploading the whole 10-s image every frame (ImageItem.setImage) cost about 7 ms
    a frame against 2 ms for this, measured at 1256 x 360 pixels.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lut = _lut32()
        self._rect = QRectF(-10.0, 0.0, 10.0, 5512.5)
        self.reset(2, 2, self._rect)

    def reset(self, n_cols: int, n_rows: int, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self._rect = QRectF(rect)
        self._img = QImage(n_cols, n_rows, QImage.Format_RGB32)
        self._img.fill(int(self._lut[0]))
        stride = self._img.bytesPerLine() // 4
        self._px = np.ndarray((n_rows, stride), np.uint32, buffer=self._img.bits())[:, :n_cols]
        self._head = 0  # the column the next frame goes to (and the oldest one shown)
        self.update()

    def append(self, cols_db: np.ndarray) -> None:
        """New columns (frames x bins, dB), oldest first."""
        n = self._px.shape[1]
        cols = cols_db[-n:]
        k = cols.shape[0]
        if k == 0:
            return
        lo, hi = LEVELS
        idx = np.clip((cols - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)
        px = self._lut[idx].T  # bins x k; row 0 (lowest bin) is drawn at y = 0, the bottom
        first = min(k, n - self._head)
        self._px[:, self._head : self._head + first] = px[:, :first]
        if first < k:
            self._px[:, : k - first] = px[:, first:]
        self._head = (self._head + k) % n
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, p: QPainter, *_args) -> None:
        n, rows = self._px.shape[1], self._px.shape[0]
        r, h = self._rect, self._head
        cw = r.width() / n
        old = n - h  # columns head..n-1 are the oldest: they go on the left
        p.drawImage(
            QRectF(r.left(), r.top(), old * cw, r.height()), self._img, QRectF(h, 0, old, rows)
        )
        if h:
            p.drawImage(
                QRectF(r.left() + old * cw, r.top(), h * cw, r.height()),
                self._img,
                QRectF(0, 0, h, rows),
            )


class PeakDots(pg.GraphicsObject):
    """The constellation: one pre-drawn dot stamped at every peak in a single C++ call.

    ScatterPlotItem recomputed its bounds, pixel vectors and culling mask in Python several
    times a frame of the live view; wide round pens (QPainter.drawPoints) cost 0.8 ms a
    paint.  This maps the points to device pixels with numpy and stamps one cached dot
    pixmap with drawPixmapFragments (pyqtgraph's own fast path for scatter symbols).
    `data` holds the points, an (n, 2) array in data coordinates.
    """

    def __init__(self, colour: str = "#57e3ff", rim: str = "#0b0b0b", size: int = 7) -> None:
        super().__init__()
        self._colour, self._rim, self._size = QColor(colour), QColor(rim), size
        self._dot: QPixmap | None = None
        self._dpr = 0.0
        self._frags = PrimitiveArray(QPainter.PixmapFragment, 10)
        self.data = np.zeros((0, 2))
        self._bounds = QRectF()

    def setData(self, x, y) -> None:  # noqa: N802 (pyqtgraph's spelling)
        self.prepareGeometryChange()
        self.data = np.column_stack([np.asarray(x, np.float64), np.asarray(y, np.float64)])
        if len(self.data):
            (x0, y0), (x1, y1) = self.data.min(axis=0), self.data.max(axis=0)
            self._bounds = QRectF(float(x0), float(y0), float(x1 - x0), float(y1 - y0))
        self.update()

    def boundingRect(self) -> QRectF:
        # The dots reach a few pixels past their centres; the view clips what pokes out.
        return self._bounds if len(self.data) else QRectF()

    def _pixmap(self, dpr: float) -> QPixmap:
        if self._dot is None or dpr != self._dpr:
            side = int(np.ceil((self._size + 2) * dpr))
            pm = QPixmap(side, side)
            pm.setDevicePixelRatio(dpr)
            pm.fill(Qt.transparent)
            q = QPainter(pm)
            q.setRenderHint(QPainter.Antialiasing, True)
            q.setPen(QPen(self._rim, 1.2))
            q.setBrush(self._colour)
            r = self._size / 2
            c = (self._size + 2) / 2
            q.drawEllipse(QRectF(c - r, c - r, 2 * r, 2 * r))
            q.end()
            self._dot, self._dpr = pm, dpr
        return self._dot

    def paint(self, p: QPainter, _option=None, widget=None) -> None:
        n = len(self.data)
        if not n:
            return
        dpr = widget.devicePixelRatioF() if widget is not None else 1.0
        dot = self._pixmap(dpr)
        pts = fn.transformCoordinates(p.transform(), self.data.T)
        p.resetTransform()
        self._frags.resize(n)
        frags = self._frags.ndarray()
        frags[:, 0:2] = np.clip(pts.T, -(2**30), 2**30)  # centres, device pixels
        frags[:, 2:6] = (0, 0, dot.width(), dot.height())  # the whole dot
        frags[:, 6:10] = (1 / dpr, 1 / dpr, 0.0, 1.0)  # scale x, y; rotation; opacity
        p.drawPixmapFragments(*self._frags.drawargs(), dot)


class SpectrogramView(QWidget):
    """One PlotWidget whose image and scatter items are created once and updated in place."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = plot_widget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMinimumHeight(180)
        pi = self.plot.getPlotItem()
        pi.setLabel("left", "Frequency", units="Hz")
        pi.setLabel("bottom", "Time", units="s")
        pi.getAxis("left").enableAutoSIPrefix(True)
        self.image = pg.ImageItem(axisOrder="col-major")  # a whole file
        self.image.setColorMap(pg.colormap.get(COLORMAP))
        self.image.setLevels(LEVELS)
        # A still picture: drawn from a pixmap of its on-screen size until it changes (scaling
        # the image to the view cost 3-4 ms a paint).
        self.image.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        pi.addItem(self.image)
        self.scroll = ScrollingImage()  # live
        pi.addItem(self.scroll)
        self._drawn = 0  # live frames already in `scroll`
        self.peaks = PeakDots()
        pi.addItem(self.peaks)
        self.caption = pg.TextItem(anchor=(0, 0))
        self.caption.setZValue(10)
        pi.addItem(self.caption)
        self.updates = 0  # redraws since the last reset: the frames-per-second figure
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot)
        self._nyquist = 11025 / 2
        self._apply_colours()
        self.clear()

    # --- live ---
    def start_live(self, live: LiveSpectrogram) -> None:
        """Switch to the scrolling picture of a new listening session."""
        self._nyquist = live.rate / 2
        self.image.hide()
        self.scroll.reset(
            live.n_cols,
            live.columns.shape[1],
            QRectF(-live.seconds, 0.0, live.seconds, self._nyquist),
        )
        self.scroll.show()
        self._drawn = 0
        self._peaks_version = -1
        self.peaks.setData(x=[], y=[])
        self.plot.setXRange(-live.seconds, 0.0, padding=0)
        self.plot.setYRange(0, self._nyquist, padding=0)
        self.set_caption("")

    def show_live(self, live: LiveSpectrogram) -> None:
        """Scroll in the new columns and redraw the peaks (called on the GUI timer)."""
        if not self.isVisible():
            return  # another tab is showing: the first frame after it comes back catches up
        new = live.total_frames - self._drawn
        if new > 0:
            self.scroll.append(live.columns[-min(new, live.n_cols) :])
            self._drawn = live.total_frames
        # Peaks sit at their absolute times; the item slides left as time passes, and its
        # data changes only when peaks do (about ten times a second).
        if live.peaks_version != self._peaks_version:
            self._peaks_version = live.peaks_version
            x, y = live.peaks_xy(absolute=True)
            self.peaks.setData(x=x, y=y)
        self.peaks.setPos(-live.now_s, 0.0)
        self.updates += 1

    def show_analysis(self, analysis: Analysis, caption: str = "") -> None:
        """A whole signal (a dropped file or a query): its STFT and every peak."""
        spec = analysis.spectrogram
        p = spec.params
        self.scroll.hide()
        self.image.show()
        self.peaks.setPos(0.0, 0.0)
        self._nyquist = p.sample_rate / 2
        dur = max(spec.n_frames / p.frames_per_second, 1e-3)
        self.image.setImage(spec.db.T, autoLevels=False, levels=LEVELS, autoDownsample=True)
        self.image.setRect(QRectF(0.0, 0.0, dur, self._nyquist))
        pk = analysis.peaks
        self.peaks.setData(x=pk.t / p.frames_per_second, y=pk.f * (p.sample_rate / p.n_fft))
        self.plot.setXRange(0, dur, padding=0)
        self.plot.setYRange(0, self._nyquist, padding=0)
        self.set_caption(caption)
        self.updates += 1

    def set_caption(self, text: str) -> None:
        self.caption.setText(text)
        vb = self.plot.getPlotItem().getViewBox()
        (x0, _), (_, y1) = vb.viewRange()
        self.caption.setPos(x0, y1)

    def clear(self) -> None:
        self.scroll.hide()
        self.image.show()
        self.peaks.setPos(0.0, 0.0)
        self.image.setImage(np.full((2, 2), LEVELS[0], np.float32), autoLevels=False, levels=LEVELS)
        self.image.setRect(QRectF(-10.0, 0.0, 10.0, self._nyquist))
        self.peaks.setData(x=[], y=[])
        self.plot.setXRange(-10.0, 0.0, padding=0)
        self.plot.setYRange(0, self._nyquist, padding=0)
        self.set_caption("")

    # --- palette ---
    def changeEvent(self, e: QEvent) -> None:
        if e.type() == QEvent.PaletteChange:
            self._apply_colours()
        super().changeEvent(e)

    def _apply_colours(self) -> None:
        c = plot_colours(self.palette())
        self.plot.setBackground(c.background)
        pi = self.plot.getPlotItem()
        for name in ("left", "bottom"):
            ax = pi.getAxis(name)
            ax.setPen(c.foreground)
            ax.setTextPen(c.foreground)
        self.caption.setColor("#ffffff")
