"""The Listen row: the big button, the source chooser, the level meter and a status line."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from shazam_desktop.ui.theme import ACCENT

# A level below this (dBFS, RMS) for a while means the input is too quiet to recognise.
QUIET_DB = -55.0


class ListenButton(QPushButton):
    """A big round button: Listen / Stop."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Listen", parent)
        self.setObjectName("ListenButton")
        self.setCheckable(True)
        self.setCursor(Qt.PointingHandCursor)
        self.setMinimumSize(QSize(150, 56))
        f = QFont(self.font())
        f.setPointSizeF(f.pointSizeF() * 1.35)
        f.setBold(True)
        self.setFont(f)
        self._restyle()
        self.toggled.connect(lambda on: self._restyle())

    def set_listening(self, on: bool) -> None:
        self.blockSignals(True)
        self.setChecked(on)
        self.blockSignals(False)
        self._restyle()

    def _restyle(self) -> None:
        on = self.isChecked()
        self.setText("■  Stop" if on else "●  Listen")
        base = "#d64545" if on else ACCENT.name()
        hover = QColor(base).lighter(112).name()
        self.setStyleSheet(
            f"""
            QPushButton#ListenButton {{
                color: white; background: {base}; border: none; border-radius: 28px;
                padding: 8px 28px;
            }}
            QPushButton#ListenButton:hover {{ background: {hover}; }}
            QPushButton#ListenButton:disabled {{ background: #8d939b; color: #eceff2; }}
            """
        )


class LevelMeter(QWidget):
    """Input level as a bar (dBFS RMS, -70..0), green when healthy, grey when too quiet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = -120.0
        self.setMinimumSize(120, 12)
        self.setMaximumHeight(14)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setToolTip("Input level")

    def set_level(self, db: float) -> None:
        db = max(-120.0, min(0.0, float(db)))
        if abs(db - self.db) > 0.3:
            self.db = db
            self.setToolTip(f"Input level {db:.0f} dBFS")
            self.update()

    def paintEvent(self, _e) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        pal = self.palette()
        trough = pal.color(QPalette.Mid)
        p.setPen(Qt.NoPen)
        p.setBrush(trough)
        p.drawRoundedRect(r, r.height() / 2, r.height() / 2)
        frac = max(0.0, min(1.0, (self.db + 70.0) / 70.0))
        if frac > 0:
            col = QColor("#3cb371") if self.db > QUIET_DB else QColor("#9aa0a8")
            if self.db > -3.0:
                col = QColor("#e0533d")
            fill = QRectF(r.left(), r.top(), max(r.height(), r.width() * frac), r.height())
            p.setBrush(col)
            p.drawRoundedRect(fill, r.height() / 2, r.height() / 2)
        p.end()


class SourceChooser(QComboBox):
    """Microphones and 'what this computer plays' monitors; the system default first."""

    chosen = Signal(str)  # source name ("" = system default input)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.setMinimumContentsLength(22)
        self.setToolTip("Where to listen: a microphone, or what this computer plays")
        self.currentIndexChanged.connect(lambda _i: self.chosen.emit(self.current_name()))
        self.set_sources([], "")

    def set_sources(self, items: list[tuple[str, str]], remembered: str) -> None:
        """items: (label, name) with the default first; keeps `remembered` if still there."""
        self.blockSignals(True)
        self.clear()
        if not items:
            items = [("Default input", "")]
        for label, name in items:
            self.addItem(label, name)
        i = self.findData(remembered)
        self.setCurrentIndex(i if i >= 0 else 0)
        self.blockSignals(False)

    def current_name(self) -> str:
        return self.currentData() or ""

    def items(self) -> list[tuple[str, str]]:
        return [(self.itemText(i), self.itemData(i) or "") for i in range(self.count())]


class ListenPanel(QWidget):
    """The row at the top of the Listen page."""

    listen_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.button = ListenButton()
        self.button.toggled.connect(self.listen_toggled)
        self.sources = SourceChooser()
        self.meter = LevelMeter()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.PlainText)
        # A fixed height: a status that changes every second must not re-layout the page
        # (that would re-render every plot's axes).
        self.status.setFixedHeight(self.fontMetrics().lineSpacing() * 2 + 4)
        self.status.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.status.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        src_lab = QLabel("Source")
        src_lab.setBuddy(self.sources)
        side = QVBoxLayout()
        side.setSpacing(6)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(src_lab)
        row.addWidget(self.sources, 1)
        row.addWidget(self.meter, 1)
        side.addLayout(row)
        side.addWidget(self.status)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(18)
        lay.addWidget(self.button, 0, Qt.AlignVCenter)
        lay.addLayout(side, 1)
        self.set_status(
            "Press Listen (Space) to recognise what is playing, or drop audio files here."
        )

    def set_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #d64545; font-weight: 600;" if error else "")

    def set_listening(self, on: bool) -> None:
        self.button.set_listening(on)
        self.sources.setEnabled(not on)
        if not on:
            self.meter.set_level(-120.0)

    def set_unavailable(self, why: str) -> None:
        """Listen cannot work (no PortAudio, no device...): say why, keep the rest usable."""
        self.button.setToolTip(why)
        self.set_status(why, error=True)

    def set_available(self) -> None:
        self.button.setToolTip("Start or stop listening (Space)")
