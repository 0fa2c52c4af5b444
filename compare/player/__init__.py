"""Watching EM work: an iteration player, its GIF, restarts over the likelihood landscape
and the lecture's worked example (issue 14).

Everything here takes plain arrays (data, ``em.FitHistory``-like histories, posterior
draws), so a case page can call it with whatever it already has.
"""
