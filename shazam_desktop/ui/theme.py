"""Light and dark palettes (Fusion) and the colours the plots take from them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")
ACCENT = QColor("#2f6fed")
MATCH = QColor("#f0a020")  # the winning diagonal and its peaks: readable on both palettes


def dark_palette() -> QPalette:
    p = QPalette()
    c = {
        QPalette.Window: "#1f2329",
        QPalette.WindowText: "#e6e8eb",
        QPalette.Base: "#16191d",
        QPalette.AlternateBase: "#22262c",
        QPalette.ToolTipBase: "#2b3038",
        QPalette.ToolTipText: "#e6e8eb",
        QPalette.PlaceholderText: "#8a9099",
        QPalette.Text: "#e6e8eb",
        QPalette.Button: "#2a2f36",
        QPalette.ButtonText: "#e6e8eb",
        QPalette.BrightText: "#ff6b6b",
        QPalette.Light: "#3a4049",
        QPalette.Midlight: "#30353d",
        QPalette.Mid: "#262a30",
        QPalette.Dark: "#121417",
        QPalette.Shadow: "#000000",
        QPalette.Highlight: "#3d7bf0",
        QPalette.HighlightedText: "#ffffff",
        QPalette.Link: "#6ea2ff",
        QPalette.LinkVisited: "#b08cff",
    }
    for role, col in c.items():
        p.setColor(role, QColor(col))
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        p.setColor(QPalette.Disabled, role, QColor("#6b717a"))
    return p


def light_palette() -> QPalette:
    p = QPalette()
    c = {
        QPalette.Window: "#f3f4f6",
        QPalette.WindowText: "#1d2127",
        QPalette.Base: "#ffffff",
        QPalette.AlternateBase: "#f6f7f9",
        QPalette.ToolTipBase: "#ffffff",
        QPalette.ToolTipText: "#1d2127",
        QPalette.PlaceholderText: "#7a808a",
        QPalette.Text: "#1d2127",
        QPalette.Button: "#f9fafb",
        QPalette.ButtonText: "#1d2127",
        QPalette.BrightText: "#c62828",
        QPalette.Light: "#ffffff",
        QPalette.Midlight: "#e9ebee",
        QPalette.Mid: "#c9cdd3",
        QPalette.Dark: "#a0a6ae",
        QPalette.Shadow: "#5a5f66",
        QPalette.Highlight: "#2f6fed",
        QPalette.HighlightedText: "#ffffff",
        QPalette.Link: "#1f5fd6",
        QPalette.LinkVisited: "#6a3fc9",
    }
    for role, col in c.items():
        p.setColor(role, QColor(col))
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        p.setColor(QPalette.Disabled, role, QColor("#9aa0a8"))
    return p


def apply_theme(app: QApplication, name: str) -> None:
    """Fusion everywhere (consistent spacing); the palette from the setting."""
    app.setStyle("Fusion")
    if name == "dark":
        app.setPalette(dark_palette())
    elif name == "light":
        app.setPalette(light_palette())
    else:
        app.setPalette(app.style().standardPalette())


@dataclass(frozen=True)
class PlotColours:
    background: QColor
    foreground: QColor
    grid: QColor
    point: QColor
    accent: QColor
    match: QColor


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.Window).lightness() < 128


def plot_colours(palette: QPalette) -> PlotColours:
    fg = palette.color(QPalette.WindowText)
    bg = palette.color(QPalette.Base)
    grid = QColor(fg)
    grid.setAlpha(40)
    point = QColor("#8a93a0") if is_dark(palette) else QColor("#7d8794")
    return PlotColours(bg, fg, grid, point, ACCENT, MATCH)
