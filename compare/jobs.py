"""The jobs of a report run, one case or one study each: restored from the result cache
when nothing that determines them changed, else fitted, written and stored.

Both job functions are module-level and take plain arguments, so :mod:`compare.parallel`
can run them in spawned workers. Each writes its folder into a staging folder given by
the caller (``<staging>/<case>`` or ``<staging>/studies/<name>``) and returns a
:class:`JobOutcome`: the line for :mod:`compare.progress`, the folder and the document
(``metrics.json`` or ``results.json``) the report's index is built from. The caller then
moves the folders into the report (:func:`compare.reports._files.write_atomic_dir`).
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .cases import get_case
from .progress import JobReport, report_step
from .resultcache import JobKey, ResultCache, job_key, restore
from .settings import SAMPLERS

__all__ = [
    "CACHE_MAX_BYTES",
    "CASE_SETTINGS",
    "JobOutcome",
    "case_group",
    "case_key",
    "restore_cached",
    "run_case_job",
    "run_study_job",
    "study_group",
    "study_key",
    "study_label",
]

# What a case's result depends on besides its definition (ComparisonResult.settings).
CASE_SETTINGS = ("seed", "draws", "tune", "chains", "sampler", "quick", "method", "prior", "ladder")
# The result cache's size cap: after each store the least recently used entries go. Every
# edit of the source changes every key, so without a cap each edited run would add a whole
# report (about 60 MB for `make report`); 1 GB keeps the last dozen or so.
CACHE_MAX_BYTES = 1_000_000_000


@dataclass
class JobOutcome:
    """What a finished job hands back to the parent process.

    Attributes
    ----------
    report : JobReport
        Its progress line and step timings.
    folder : str
        Where its folder was written (inside the staging folder).
    document : dict
        The folder's ``metrics.json`` (case) or ``results.json`` (study).
    """

    report: JobReport
    folder: str
    document: dict


def case_group(name: str) -> str:
    """The :class:`compare.parallel.Job` group of a case: cases whose models have one
    structure (:meth:`compare.cases.Case.structure`) run in one worker, one after another,
    where one compiled sampler serves them all."""
    return f"models:{get_case(name).structure()}"


def study_group(name: str) -> str | None:
    """The group of a study: that of the case whose models it refits
    (:data:`compare.studies.FITS_CASE`), else None (a group of its own)."""
    from .studies import FITS_CASE, STUDIES

    if name not in STUDIES:
        raise ValueError(f"unknown study {name!r}; valid studies: {', '.join(STUDIES)}")
    case = FITS_CASE.get(name)
    return None if case is None else case_group(case)


def _check_case_settings(settings: dict) -> dict:
    missing = [k for k in CASE_SETTINGS if k not in settings]
    extra = [k for k in settings if k not in CASE_SETTINGS]
    if missing or extra:
        raise ValueError(
            f"settings must have exactly the keys {', '.join(CASE_SETTINGS)}; "
            f"missing {missing}, unexpected {extra}"
        )
    return {k: settings[k] for k in CASE_SETTINGS}


def case_key(name: str, settings: dict) -> JobKey:
    """The result-cache key of case ``name`` run with ``settings`` (:data:`CASE_SETTINGS`)."""
    return job_key("case", name, _check_case_settings(settings), case=get_case(name))


def study_key(name: str, config: dict) -> JobKey:
    """The result-cache key of study ``name`` with ``config`` (``level``, ``seed``,
    ``sampler``); the study's code is in the source hash."""
    from .studies import StudyConfig, get_study

    get_study(name)  # an unknown name fails here, with the valid ones listed
    return job_key("study", name, StudyConfig(**config).as_settings())


def study_label(name: str, config: dict) -> str:
    """``"study NAME (LEVEL)"``, the study's label in the progress lines."""
    return f"study {name} ({config.get('level', 'full')})"


def restore_cached(
    kind: str,
    name: str,
    settings: dict,
    staging: str,
    cache_dir: str | None = None,
    read_cache: bool = True,
) -> JobOutcome | None:
    """The job's cached folder restored into the staging folder, or None on a miss.

    Cheap (no PyMC import): the parent process calls it for every job first and hands
    only the misses to :func:`compare.parallel.run_jobs`, so a run where nothing changed
    starts no worker at all.

    Parameters
    ----------
    kind : {"case", "study"}
    name : str
    settings : dict
        A case's :data:`CASE_SETTINGS` or a study's config.
    staging, cache_dir, read_cache
        As for :func:`run_case_job`.
    """
    t0 = time.perf_counter()
    cache = ResultCache(cache_dir, read=read_cache, max_bytes=CACHE_MAX_BYTES)
    if kind == "case":
        return _restore(
            cache, case_key(name, settings), name, Path(staging) / name, "metrics.json", t0
        )
    if kind == "study":
        from .reports.index import STUDIES_DIR

        dest = Path(staging) / STUDIES_DIR / name
        label = study_label(name, settings)
        return _restore(cache, study_key(name, settings), label, dest, "results.json", t0)
    raise ValueError(f"kind must be one of case, study; got {kind!r}")


def _restore(cache, key, label, dest: Path, document: str, t0: float) -> JobOutcome | None:
    hit = cache.get(key)
    if hit is None:
        return None
    restore(hit, dest)
    doc = json.loads((dest / document).read_text())
    return JobOutcome(_hit_report(label, hit, t0), str(dest), doc)


def _hit_report(label: str, hit, t0: float) -> JobReport:
    manifest = hit.manifest
    return JobReport(
        label,
        time.perf_counter() - t0,
        detail=f"cached; first run {hit.created[:16].replace('T', ' ')}: {hit.seconds:.1f} s, "
        + manifest.get("summary", ""),
        status=manifest.get("status", "ok"),
        ok=True,
        cached=True,
        saved=hit.seconds if math.isfinite(hit.seconds) else 0.0,
        timings={"cache": time.perf_counter() - t0},
    )


def run_case_job(
    name: str,
    settings: dict,
    staging: str,
    cache_dir: str | None = None,
    read_cache: bool = True,
) -> JobOutcome:
    """Fit case ``name`` (or restore it from the cache) into ``<staging>/<name>``.

    Parameters
    ----------
    name : str
    settings : dict
        Exactly :data:`CASE_SETTINGS`, as :func:`compare.engine.comparison.run` takes them.
    staging : str
        An existing folder; the case's page folder is written inside it.
    cache_dir : str, optional
        The result cache's folder (default :func:`compare.resultcache.default_cache_dir`).
    read_cache : bool, default True
        False (``--no-cache``): fit again; the new result is stored all the same.

    Returns
    -------
    JobOutcome
    """
    settings = _check_case_settings(settings)
    t0 = time.perf_counter()
    key = case_key(name, settings)
    cache = ResultCache(cache_dir, read=read_cache, max_bytes=CACHE_MAX_BYTES)
    restored = _restore(cache, key, name, Path(staging) / name, "metrics.json", t0)
    if restored is not None:
        return restored
    from .engine.comparison import run
    from .reports.case_page import write_case

    dest = Path(staging) / name
    report_step("fit")
    result = run(name, **settings)
    report_step("figures")
    dest.mkdir(parents=True, exist_ok=False)
    doc = write_case(result, dest)
    seconds = time.perf_counter() - t0
    t = doc["timings"]
    report = JobReport(
        name,
        seconds,
        detail=f"compile {t['compile']:.1f} s, sampling {t['sampling']:.1f} s",
        status="ok" if result.converged else "WARNING: not converged",
        timings={
            "EM": t["em_fit"] + t["em_inference"],
            "compile": t["model_build"] + t["compile"],
            "sample": t["sampling"],
            "posterior extras": t["posterior_extras"],
            "figures": t["figures"],
            "write": t["write"],
        },
    )
    manifest = {
        "seconds": seconds,
        "summary": report.detail,
        "status": report.status,
        "timings": report.timings,
    }
    cache.put(key, dest, json.loads(json.dumps(manifest, default=float)))
    return JobOutcome(report, str(dest), doc)


def run_study_job(
    name: str,
    config: dict,
    staging: str,
    cache_dir: str | None = None,
    read_cache: bool = True,
) -> JobOutcome:
    """Run study ``name`` (or restore it from the cache) into ``<staging>/studies/<name>``.

    Parameters
    ----------
    name : str
    config : dict
        ``level``, ``seed``, ``sampler``: :class:`compare.studies.StudyConfig`'s fields.
    staging, cache_dir, read_cache
        As for :func:`run_case_job`.

    Returns
    -------
    JobOutcome
        ``document`` is the study's ``results.json``.
    """
    from .reports.index import STUDIES_DIR
    from .reports.study_page import write_study
    from .studies import StudyConfig, run_study

    t0 = time.perf_counter()
    key = study_key(name, config)
    label = study_label(name, config)
    cache = ResultCache(cache_dir, read=read_cache, max_bytes=CACHE_MAX_BYTES)
    dest = Path(staging) / STUDIES_DIR / name
    restored = _restore(cache, key, label, dest, "results.json", t0)
    if restored is not None:
        return restored
    config = StudyConfig(**config)

    before = _compile_counts()
    report_step("fit")
    result = run_study(name, config)
    report_step("figures")
    write_study(result, staging)
    seconds = time.perf_counter() - t0
    after = _compile_counts()
    compiled = sum(after.get(k, 0) - before.get(k, 0) for k in SAMPLERS)
    t = result.timings
    extra = f", {t['per_replication']:.2f} s per replication" if "per_replication" in t else ""
    warned = f", {len(result.warnings)} warning(s)" if result.warnings else ""
    steps = {
        "EM": t.get("em", 0.0),
        "compile": t.get("compile", t.get("nuts_compile", 0.0)),
        "sample": t.get("sampling", t.get("nuts_sampling", 0.0)),
    }
    steps = {k: float(v) for k, v in steps.items() if v}
    report = JobReport(
        label,
        seconds,
        detail=f"{compiled} model compilation(s){extra}{warned}",
        status="ok",
        timings=steps | {"study, other": max(seconds - sum(steps.values()), 0.0)},
    )
    manifest = {
        "seconds": seconds,
        "summary": report.detail,
        "status": "ok",
        "timings": report.timings,
    }
    cache.put(key, dest, manifest)
    return JobOutcome(report, str(dest), json.loads((dest / "results.json").read_text()))


def _compile_counts() -> dict[str, int]:
    """Compilations so far in this process (0 before PyMC's side was ever imported)."""
    models = sys.modules.get("models")
    return models.compile_counts() if models is not None else {}
