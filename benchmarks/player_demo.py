"""Write standalone pages of the iteration player for lecture-1d and lecture-2d; time them.

Usage::

    python benchmarks/player_demo.py [--out DIR] [--seed S] [--screenshot]

For each case (data as ``python -m compare run <case> --seed S`` draws them): soft EM,
hard EM and k-means from the case's start (fitted with ``keep_history=True``, as the
report's variants are), the player, and EM's restarts over the likelihood landscape;
lecture-1d's page also shows the lecture's worked example. Every page is
``DIR/<case>/index.html`` (default DIR: a new temporary folder), styled like the report.

Printed per case: the seconds of each part (histories, player, landscape) and the bytes
the case adds (files and HTML). With ``--screenshot`` headless Chromium (``chromium`` on the
PATH) photographs every page after its script ran, into ``DIR/<case>.png``.

No posterior draws are drawn here (sampling is the report's job); ``write_landscape``
takes them as ``posterior_means``.
"""

from __future__ import annotations

import argparse
import html
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from compare.cases import get_case
from compare.kinds.mixture_extras import fit_variants
from compare.player import (
    variant_histories,
    worked_example_html,
    write_landscape,
    write_player,
)
from compare.reports._html import CSS

CASES = ("lecture-1d", "lecture-2d")


def write_case(name: str, out: Path, seed: int) -> dict:
    """Write one case's page; returns its timings (s) and bytes."""
    case = get_case(name)
    X = case.generate(seed, "numpy").X
    directory = out / name
    t0 = time.perf_counter()
    histories = variant_histories(fit_variants(X, case.start, seed=seed))
    t1 = time.perf_counter()
    player = write_player(
        directory, X, histories, title="Soft EM, hard EM and k-means from one start"
    )
    landscape = write_landscape(directory, X, seed=seed)
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(name)}</title>"
        f"<style>{CSS}</style></head><body><h1>{html.escape(name)}</h1>"
        f"<p>{html.escape(case.description)}</p>",
        player.html,
        "<h3>Restarts over the likelihood landscape</h3>",
        landscape.html,
    ]
    if name == "lecture-1d":
        parts.append(worked_example_html())
    parts.append("</body></html>")
    page = "\n".join(parts)
    (directory / "index.html").write_text(page)
    return {
        "histories_s": t1 - t0,
        "player_s": player.seconds,
        "landscape_s": landscape.seconds,
        "total_s": time.perf_counter() - t0,
        "frames": player.n_frames,
        "player_bytes": player.bytes,
        "landscape_bytes": landscape.bytes,
        "page_bytes": len(page.encode()),
        "counts": landscape.counts,
        "page": directory / "index.html",
    }


def screenshot(page: Path, png: Path) -> None:
    """Photograph ``page`` with headless Chromium (after its scripts ran)."""
    subprocess.run(
        [
            shutil.which("chromium") or "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1100,1700",
            f"--screenshot={png}",
            page.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--screenshot", action="store_true")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="player-demo-"))
    for name in CASES:
        r = write_case(name, out, args.seed)
        pb, lb = r["player_bytes"], r["landscape_bytes"]
        print(
            f"{name}: {r['frames']} frames; seconds: histories {r['histories_s']:.2f}, "
            f"player {r['player_s']:.2f}, landscape {r['landscape_s']:.2f}, "
            f"total {r['total_s']:.2f}"
        )
        print(
            f"  bytes: player files {pb['final'] + pb['background'] + pb['gif']} (final "
            f"{pb['final']}, background {pb['background']}, gif {pb['gif']}), player html "
            f"{pb['html']}, landscape png {lb['figure']} + html {lb['html']}; total added "
            f"{pb['total'] + lb['total']}"
        )
        print(f"  landscape starts per optimum: {r['counts']}")
        print(f"  page: {r['page']}")
        if args.screenshot:
            png = out / f"{name}.png"
            screenshot(r["page"], png)
            print(f"  screenshot: {png}")


if __name__ == "__main__":
    main()
