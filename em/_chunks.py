"""How the E-step walks over the data: chunks of bounded size."""

from __future__ import annotations

from collections.abc import Iterator

# Working-set target of one chunk's largest buffer (e.g. the whitened chunk, (K, D, chunk)
# float64): small enough to stay in the CPU's second-level cache, large enough that
# NumPy's per-call overhead is spread over many samples.
_CHUNK_BYTES = 1 << 21
_MIN_CHUNK, _MAX_CHUNK = 256, 65_536


def chunk_size(rows: int) -> int:
    """Samples per chunk when the largest buffer holds ``rows`` float64 numbers per sample."""
    return int(min(_MAX_CHUNK, max(_MIN_CHUNK, _CHUNK_BYTES // (8 * rows))))


def chunks(n_samples: int, size: int) -> Iterator[slice]:
    """Consecutive slices of at most ``size`` samples covering ``range(n_samples)``."""
    for start in range(0, n_samples, size):
        yield slice(start, min(start + size, n_samples))
