"""PyInstaller runtime hook: let sounddevice find the PortAudio library shipped in the bundle.

On Linux sounddevice asks `ctypes.util.find_library("portaudio")`, which only consults
ldconfig's cache (and gcc/ld, absent on most desktops), so a bundled libportaudio.so.2
would be ignored, and a machine without the libportaudio2 package would have no audio
input at all.  Runs before any app code: libraries that the bundle carries at its top
level win over the system's; anything else is looked up as usual.
"""

import ctypes.util
import glob
import os
import sys

_BUNDLED_FIRST = ("portaudio",)


def _pyi_rthook() -> None:
    base = getattr(sys, "_MEIPASS", None)
    if not base:
        return
    system_find_library = ctypes.util.find_library

    def find_library(name: str):
        if name in _BUNDLED_FIRST:
            hits = sorted(glob.glob(os.path.join(base, f"lib{name}.so*")))
            if hits:
                return hits[0]
        return system_find_library(name)

    ctypes.util.find_library = find_library


_pyi_rthook()
del _pyi_rthook
