"""The Listen page: the Listen row, the spectrogram, the result card and its proof."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QVBoxLayout, QWidget

from shazam_desktop.ui.listen_panel import ListenPanel
from shazam_desktop.ui.result_view import AlignmentPlot, ResultCard
from shazam_desktop.ui.spectrogram_view import SpectrogramView


class ListenPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = ListenPanel()
        self.spectrogram = SpectrogramView()
        self.card = ResultCard()
        self.alignment = AlignmentPlot()
        bottom = QWidget()
        bl = QHBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.setSpacing(12)
        bl.addWidget(self.card, 2)
        bl.addWidget(self.alignment, 3)
        split = QSplitter(Qt.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self.spectrogram)
        split.addWidget(bottom)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 4)
        split.setHandleWidth(10)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.setSpacing(12)
        lay.addWidget(self.panel)
        lay.addWidget(split, 1)
