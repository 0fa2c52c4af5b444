"""What :func:`models.sample` hands a sampler backend, and what a backend must provide.

A backend is a module with three names:

``CACHED : bool``
    Whether what ``compile`` returns is kept per model and reused by later calls (after
    :func:`models.set_data` too). ``False``: ``compile`` runs before every ``run`` and the
    backend compiles inside ``run``; the time ``run`` does not spend sampling is then counted
    as compile time.
``compile(model) -> compiled``
    Everything that depends on the model's structure only, not on its data values.
``rebind(compiled, model) -> compiled`` (optional, with ``CACHED``)
    ``compiled``, made for another model of ``model``'s structure, made ready for
    ``model`` (its starting point, say); ``run`` hands it the data. Without it, every
    model object compiles.
``run(compiled, model, settings) -> xarray.DataTree``
    Draws with :class:`Settings`: groups ``posterior`` (with ``attrs["sampling_time"]`` in
    seconds), ``sample_stats`` (with ``diverging``), ``observed_data`` and ``constant_data``.
    A cached ``compiled`` must be given ``model``'s current data first.

Adding a backend is one module and one line in ``BACKENDS`` (``models/sampling/__init__.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    """Validated options of one :func:`models.sample` call.

    Attributes
    ----------
    draws, tune, chains : int
        Kept draws and tuning steps per chain; number of chains.
    cores : int or None
        Chains run in parallel (None: the backend's default).
    seed : int
        The run's random seed.
    progressbar : bool
    target_accept : float or None
        Step-size adaptation target; None keeps the backend's default.
    initvals : list of dict or None
        One mapping per chain, variable name -> float array in the constrained space.
    starts : list of ndarray or None
        The same starts as flat vectors of the free variables' transformed values, in model
        order (shape (n_free,) each).
    """

    draws: int
    tune: int
    chains: int
    cores: int | None
    seed: int
    progressbar: bool = False
    target_accept: float | None = None
    initvals: list[dict[str, np.ndarray]] | None = None
    starts: list[np.ndarray] | None = None
