"""Frames to an animated GIF (Pillow), one GIF frame per player frame.

All frames share one palette, built from the first and the last frame (between them the
picture only moves, it gains no new colours), so every frame maps to it without dithering
noise and Pillow can store each frame as the small rectangle that changed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image

__all__ = ["frame_durations", "gif_bytes"]

# The whole animation lasts about this long, however many iterations the runs take; a
# frame is shown at least MIN_FRAME_MS (browsers slow down anything faster than 20 ms).
TOTAL_MS = 9000
MIN_FRAME_MS, MAX_FRAME_MS = 60, 500
# The last frame stays this long before the loop starts again.
HOLD_LAST_MS = 2000
# 63 colours and one index left free (Pillow marks unchanged pixels with it): a third
# smaller than 127 colours, and the blends of the points still read as blends.
PALETTE_COLOURS = 63


def frame_durations(n_frames: int) -> list[int]:
    """Display time of every frame in milliseconds (the last one held longer)."""
    if n_frames < 1:
        raise ValueError(f"n_frames is {n_frames}; accepted: at least 1")
    each = int(np.clip(TOTAL_MS / n_frames, MIN_FRAME_MS, MAX_FRAME_MS))
    return [each] * (n_frames - 1) + [HOLD_LAST_MS]


def gif_bytes(frames: Sequence[np.ndarray]) -> bytes:
    """An endlessly looping GIF of ``frames``.

    Parameters
    ----------
    frames : sequence of ndarray of shape (H, W, 3 or 4), uint8
        Same size; alpha is dropped (the figures are opaque).

    Returns
    -------
    bytes
        A GIF with exactly ``len(frames)`` frames.

    Raises
    ------
    ValueError
        For no frames, or two equal consecutive frames (a GIF writer merges those into
        one, so the count would be off; the player's step counter makes every frame
        differ from the one before).
    """
    if not frames:
        raise ValueError("frames is empty; accepted: at least one image")
    for i in range(1, len(frames)):
        # Whole (contiguous) arrays: three times faster than comparing RGB slices, and the
        # same answer for opaque figures.
        if np.array_equal(frames[i - 1], frames[i]):
            raise ValueError(
                f"frames {i - 1} and {i} are equal; accepted: consecutive frames that differ"
            )
    # Pillow drops the alpha channel faster than a contiguous copy of an RGB slice.
    rgb = [Image.fromarray(np.asarray(f, dtype=np.uint8)).convert("RGB") for f in frames]
    sample = Image.new("RGB", (rgb[0].width, 2 * rgb[0].height))
    sample.paste(rgb[0], (0, 0))
    sample.paste(rgb[-1], (0, rgb[0].height))
    palette = sample.quantize(PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT)
    indexed = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in rgb]
    out = io.BytesIO()
    indexed[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=indexed[1:],
        duration=frame_durations(len(indexed)),
        loop=0,
        disposal=1,
        optimize=True,
    )
    return out.getvalue()
