"""Watching EM work: an iteration player, its GIF, restarts over the likelihood landscape
and the lecture's worked example (issue 14).

Everything here takes plain arrays (data, ``em.FitHistory`` histories, posterior draws),
so a case page (:mod:`compare.sections.player`) can call it with whatever it already has:

- :func:`write_player`: soft EM, hard EM and k-means stepping side by side (HTML + inline
  script, a final-frame PNG for readers without JavaScript, an animated GIF); the
  histories are the estimators' own ``history_`` (``keep_history=True``), keyed by panel
  title with :func:`variant_histories`;
- :func:`find_restarts` and :func:`write_landscape`: EM's paths from many starts (the
  estimator's ``histories_``) over the log-likelihood of the two means, classified by the
  optimum each reached, with a count table;
- :func:`worked_example_html`: the lecture's one-epoch example beside its printed numbers.
"""

from .history import variant_histories
from .landscape import LandscapeResult, Restarts, find_restarts, write_landscape
from .player import PlayerResult, write_player
from .worked_example import epoch, worked_example_html

__all__ = [
    "LandscapeResult",
    "PlayerResult",
    "Restarts",
    "epoch",
    "find_restarts",
    "variant_histories",
    "worked_example_html",
    "write_landscape",
    "write_player",
]
