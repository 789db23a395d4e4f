"""Shazam Desktop: an offline music recogniser for the Linux desktop."""

import os as _os

__version__ = "0.1.0"

# The engine multiplies small matrices (mel bands, DCT) per query; a multi-threaded BLAS
# spends 20x longer waking its threads than computing.  Parallelism comes from processes.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")
