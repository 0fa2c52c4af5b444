"""The jobs of a report run, one case or one study each: restored from the result cache
when nothing that determines them changed, else fitted, written and stored.

Both job functions are module-level and take plain arguments, so :mod:`compare.parallel`
can run them in spawned workers. Each writes its folder into a staging folder given by
the caller (``<staging>/<case>`` or ``<staging>/studies/<name>``) and returns a
:class:`JobOutcome`: the line for :mod:`compare.progress`, the folder and the document
(``metrics.json`` or ``results.json``) the report's index is built from. The caller then
moves the folders into the report (:func:`compare.report.write_atomic_dir`).
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
from .resultcache import ResultCache, job_key, restore

__all__ = ["CASE_SETTINGS", "JobOutcome", "case_group", "run_case_job", "run_study_job"]

# What a case's result depends on besides its definition (ComparisonResult.settings).
CASE_SETTINGS = ("seed", "draws", "tune", "chains", "sampler", "quick", "method")


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
    """The :class:`compare.parallel.Job` group of a case: cases that can share one compiled
    model (same ``model_group``, priors fixed by the case) run in one worker."""
    case = get_case(name)
    if case.data_independent_priors and case.model_group:
        return f"model:{case.model_group}"
    return f"case:{case.name}"


def _check_case_settings(settings: dict) -> dict:
    missing = [k for k in CASE_SETTINGS if k not in settings]
    extra = [k for k in settings if k not in CASE_SETTINGS]
    if missing or extra:
        raise ValueError(
            f"settings must have exactly the keys {', '.join(CASE_SETTINGS)}; "
            f"missing {missing}, unexpected {extra}"
        )
    return {k: settings[k] for k in CASE_SETTINGS}


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
        Exactly :data:`CASE_SETTINGS`, as :func:`compare.comparison.run` takes them.
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
    from .comparison import run
    from .report import write_case

    t0 = time.perf_counter()
    case = get_case(name)
    key = job_key("case", name, settings, case=case)
    cache = ResultCache(cache_dir, read=read_cache)
    dest = Path(staging) / name
    hit = cache.get(key)
    if hit is not None:
        restore(hit, dest)
        doc = json.loads((dest / "metrics.json").read_text())
        return JobOutcome(_hit_report(name, hit, t0), str(dest), doc)

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
    from .studies import StudyConfig, get_study, run_study
    from .studies.report import STUDIES_DIR, write_study

    get_study(name)  # an unknown name fails here, with the valid ones listed
    config = StudyConfig(**config)
    label = f"study {name} ({config.level})"
    t0 = time.perf_counter()
    key = job_key("study", name, config.as_settings())
    cache = ResultCache(cache_dir, read=read_cache)
    dest = Path(staging) / STUDIES_DIR / name
    hit = cache.get(key)
    if hit is not None:
        restore(hit, dest)
        doc = json.loads((dest / "results.json").read_text())
        return JobOutcome(_hit_report(label, hit, t0), str(dest), doc)

    before = _compile_counts()
    report_step("fit")
    result = run_study(name, config)
    report_step("figures")
    write_study(result, staging)
    seconds = time.perf_counter() - t0
    after = _compile_counts()
    compiled = sum(after.get(k, 0) - before.get(k, 0) for k in ("nutpie", "pymc"))
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
