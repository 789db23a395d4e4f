"""The frozen app's entry point (PyInstaller): the same `shazam-desktop` command line.

`multiprocessing.freeze_support()` comes first: the library's indexing pool starts its
forkserver (and the resource tracker) by running this executable again with `-c ...`
arguments, and freeze_support diverts those runs to multiprocessing before our own
argument parser sees them.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()

    from shazam_desktop.cli import main

    sys.exit(main())
