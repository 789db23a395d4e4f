"""What the app remembers (QSettings), and the Settings dialog."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shazam_desktop.ui.prompts import Prompter
from shazam_desktop.ui.theme import THEMES

ORG = "shazam-desktop"
APP = "Shazam Desktop"


class AppSettings:
    """Typed access to QSettings; pass a QSettings on an .ini file in tests."""

    def __init__(self, qs: QSettings | None = None) -> None:
        self.qs = qs if qs is not None else QSettings(ORG, APP)

    def _get(self, key: str, default, kind=str):
        v = self.qs.value(key, default)
        if kind is bool:
            return v if isinstance(v, bool) else str(v).lower() in ("1", "true", "yes")
        try:
            return kind(v)
        except (TypeError, ValueError):
            return default

    @property
    def source(self) -> str:
        return self._get("listen/source", "")

    @source.setter
    def source(self, name: str) -> None:
        self.qs.setValue("listen/source", name)

    @property
    def continuous(self) -> bool:
        return self._get("listen/continuous", False, bool)

    @continuous.setter
    def continuous(self, on: bool) -> None:
        self.qs.setValue("listen/continuous", bool(on))

    @property
    def library(self) -> str:
        return self._get("library/folder", "")

    @library.setter
    def library(self, folder: str) -> None:
        self.qs.setValue("library/folder", folder)

    @property
    def theme(self) -> str:
        t = self._get("ui/theme", "system")
        return t if t in THEMES else "system"

    @theme.setter
    def theme(self, name: str) -> None:
        self.qs.setValue("ui/theme", name)

    def geometry(self) -> QByteArray | None:
        v = self.qs.value("ui/geometry")
        return v if isinstance(v, QByteArray) else None

    def set_geometry(self, data: QByteArray) -> None:
        self.qs.setValue("ui/geometry", data)

    def tab(self) -> int:
        return self._get("ui/tab", 0, int)

    def set_tab(self, i: int) -> None:
        self.qs.setValue("ui/tab", int(i))

    def sync(self) -> None:
        self.qs.sync()


@dataclass
class SettingsValues:
    source: str
    library: str
    continuous: bool
    theme: str


class SettingsDialog(QDialog):
    """Input device (system default first), library folder, continuous listening, palette."""

    def __init__(
        self,
        values: SettingsValues,
        sources: list[tuple[str, str]],
        prompter: Prompter,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.prompter = prompter
        self.source = QComboBox()
        for label, name in sources:
            self.source.addItem(label, name)
        i = self.source.findData(values.source)
        self.source.setCurrentIndex(max(0, i))
        self.library = QLineEdit(values.library)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        lib_row = QHBoxLayout()
        lib_row.addWidget(self.library, 1)
        lib_row.addWidget(browse)
        self.continuous = QCheckBox("Keep listening and log each new song (radio monitor)")
        self.continuous.setChecked(values.continuous)
        self.theme = QComboBox()
        for t in THEMES:
            self.theme.addItem(t.capitalize(), t)
        self.theme.setCurrentIndex(max(0, self.theme.findData(values.theme)))
        form = QFormLayout()
        form.addRow("Input", self.source)
        form.addRow("Library folder", lib_row)
        form.addRow("", self.continuous)
        form.addRow("Appearance", self.theme)
        note = QLabel("A different library folder is opened (or created) when you press OK.")
        note.setWordWrap(True)
        note.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(buttons)
        self.setMinimumWidth(520)

    def _browse(self) -> None:
        d = self.prompter.open_folder("Choose the library folder", self.library.text())
        if d:
            self.library.setText(d)

    def values(self) -> SettingsValues:
        return SettingsValues(
            self.source.currentData() or "",
            self.library.text().strip(),
            self.continuous.isChecked(),
            self.theme.currentData(),
        )
