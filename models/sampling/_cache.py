"""Compiled objects kept per model, and a count of the compilations done in this process.

Compiling costs seconds to a minute, so what depends on a model's structure only (the
nutpie sampler, the log-likelihood function) is compiled once per model object. Weak keys:
an entry lives as long as its model does. A fingerprint of the model's variables catches a
model changed in place after it was compiled.

A kind that can hand a compiled object another model's shared values (``rebind``) also
finds one by structure: a new model object whose graph equals one compiled before, up to
its data and hyperparameters (:func:`._structure.signature`), reuses that compilation. The
last :data:`MAX_STRUCTURES` structures per kind are kept.
"""

from __future__ import annotations

import time
import weakref
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable
from typing import Any

import pymc as pm

from ._structure import signature

__all__ = ["cached", "compile_counts", "count_compile"]

# kind -> model -> (fingerprint, compiled object)
_CACHES: defaultdict[str, weakref.WeakKeyDictionary[pm.Model, tuple[tuple, Any]]] = defaultdict(
    weakref.WeakKeyDictionary
)
_COMPILES: Counter[str] = Counter()
# kind -> structure signature -> compiled object, least recently used first
_BY_STRUCTURE: defaultdict[str, OrderedDict[str, Any]] = defaultdict(OrderedDict)
MAX_STRUCTURES = 16


def compile_counts() -> dict[str, int]:
    """How many compilations :func:`models.sample` has done in this process, by kind.

    Keys are sampler names (``"nutpie"``: compiled samplers; ``"pymc"``: PyMC NUTS runs, one
    per call since PyMC compiles inside every run) and ``"log_likelihood"``. A refit after
    :func:`models.set_data`, or a new model of a structure compiled before, adds nothing
    with nutpie.
    """
    return dict(_COMPILES)


def count_compile(kind: str) -> None:
    """Record one compilation of ``kind`` done outside :func:`cached`."""
    _COMPILES[kind] += 1


def cached(
    kind: str,
    model: pm.Model,
    build: Callable[[pm.Model], Any],
    rebind: Callable[[Any, pm.Model], Any] | None = None,
) -> tuple[Any, float, bool]:
    """``(object, compile_time, compiled_now)`` for ``model``, calling ``build`` on a miss.

    With ``rebind``, a miss first looks for a compiled model of the same structure and
    returns ``rebind(that_object, model)`` (no compilation) when there is one.
    """
    fingerprint = (tuple(model.named_vars), tuple(v.name for v in model.data_vars))
    cache = _CACHES[kind]
    entry = cache.get(model)
    if entry is not None and entry[0] == fingerprint:
        return entry[1], 0.0, False
    start = time.perf_counter()
    structures = _BY_STRUCTURE[kind]
    key = signature(model) if rebind is not None else None
    if key in structures:
        structures.move_to_end(key)
        obj = rebind(structures[key], model)
        cache[model] = (fingerprint, obj)
        return obj, time.perf_counter() - start, False
    obj = build(model)
    cache[model] = (fingerprint, obj)
    if key is not None:
        structures[key] = obj
        while len(structures) > MAX_STRUCTURES:
            structures.popitem(last=False)
    _COMPILES[kind] += 1
    return obj, time.perf_counter() - start, True
