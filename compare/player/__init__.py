"""Watching EM work: an iteration player, its GIF, restarts over the likelihood landscape
and the lecture's worked example (issue 14).

Everything here takes plain arrays (data, ``em.FitHistory``-like histories, posterior
draws), so a case page can call it with whatever it already has:

- :func:`write_player`: soft EM, hard EM and k-means stepping side by side (HTML + inline
  script, a final-frame PNG for readers without JavaScript, an animated GIF);
- :func:`stepped_histories`: the histories, until the estimators keep their own;
- :func:`write_landscape`: EM's paths from many starts over the log-likelihood of the two
  means, classified by the optimum each reached, with a count table;
- :func:`worked_example_html`: the lecture's one-epoch example beside its printed numbers.
"""

from .history import IterationHistory, stepped_histories, stepped_history
from .landscape import LandscapeResult, write_landscape
from .player import PlayerResult, write_player
from .worked_example import worked_example_html

__all__ = [
    "IterationHistory",
    "LandscapeResult",
    "PlayerResult",
    "stepped_histories",
    "stepped_history",
    "worked_example_html",
    "write_landscape",
    "write_player",
]
