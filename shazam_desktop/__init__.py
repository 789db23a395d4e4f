"""Shazam Desktop: an offline music recogniser for the Linux desktop."""

__version__ = "0.1.0"
