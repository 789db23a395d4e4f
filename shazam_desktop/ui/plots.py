"""Plot widgets that are cheap to show again: one paint per tab switch, axes from a cache."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QGraphicsItem

_ACTIVATION = (QEvent.WindowActivate, QEvent.WindowDeactivate)


class _IgnoreActivation(QObject):
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        return event.type() in _ACTIVATION


def plot_widget() -> pg.PlotWidget:
    """A PlotWidget whose page paints it once when shown, mostly from cached pixmaps.

    Qt tells a view's scene that the window was deactivated when the view hides and
    activated when it shows again (every tab switch); each QGraphicsWidget in the scene
    then asks for a repaint, so every plot was painted twice per switch and its tick text
    drawn again each time (measured: the Listen tab cost 50 ms to show instead of 9 ms).
    Nothing in these plots takes keyboard focus, so their scenes need not hear of it.
    The axes are cached in device pixels: their text is drawn only when range or size change.
    And they keep the room they start with for tick text unless a label needs more: shrinking
    to fit after the first paint resized every plot on the page, so all six axes drew their
    text again at the next show (15 ms) for a few pixels of margin.
    """
    w = pg.PlotWidget()
    w.scene().installEventFilter(_IgnoreActivation(w))
    pi = w.getPlotItem()
    for name in ("left", "bottom", "top", "right"):
        axis = pi.getAxis(name)
        axis.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        axis.setStyle(autoReduceTextSpace=False)
    return w
