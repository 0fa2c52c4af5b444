"""Gaussian mixtures: the lecture's main kind of case.

Two layouts share this kind. In 1-D the report compares standard deviations (``sigma``,
what the 1-D model samples); in more dimensions it compares covariance matrices. The
components are matched to the truth (or to EM when there is none) before anything is laid
side by side, and a comparison adds the soft/hard EM and k-means runs, the responsibilities,
BIC by K and PSIS-LOO.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import metrics as M
from ..align import align_fits
from ._kind import Kind, fields, method_of
from .mixture_extras import fit_bic_by_k, fit_em_variants, loo

__all__ = ["COLLAPSE_FRACTION", "MixtureKind"]

# A fitted component whose standard deviation is below this fraction of the data's has
# collapsed onto a few points: the likelihood grows without bound there, which is EM's
# small-sample failure (the floor reg_covar only keeps the number finite).
COLLAPSE_FRACTION = 0.01

# What the EM side's covariance rows mean when its covariance type is not "full".
_COVARIANCE_NOTES = {
    "diag": "covariance off-diagonals fixed at 0 (diagonal model), not estimated",
    "tied": "one covariance matrix shared by all components (tied model): every "
    "component's rows repeat the same estimate",
    "spherical": "one variance per component (spherical model): off-diagonals fixed at 0 "
    "and the diagonal entries of a component equal",
}

# Report name -> posterior variable.
_NAMES_1D = {"weights": "w", "means": "mu", "sigma": "sigma"}
_NAMES = {"weights": "w", "means": "mu", "covariances": "cov"}


def _one_d(data) -> bool:
    return data.X.shape[1] == 1


class MixtureKind(Kind):
    """A K-component Gaussian mixture fitted by EM and by a PyMC mixture model."""

    name = "mixture"
    figures = ("data_responsibilities", "iterations", "responsibilities", "intervals")

    def figure_names(self, data) -> list[str]:
        # The data's shape goes second: a density in 1-D, ellipses in 2-D.
        first, *rest = self.figures
        return [first, "density" if _one_d(data) else "ellipses", *rest, *self.arviz_figures]

    # ----------------------------------------------------------------------------------------

    def fit(self, estimator, data) -> None:
        estimator.fit(data.X)

    def inference(self, estimator, data, level):
        # The observed information needs the data; the other estimators computed theirs at fit.
        return estimator.inference(data.X, level=level)

    def em_parameters(self, estimator, table):
        method = method_of(table)
        means = np.asarray(estimator.means_, float)
        out = {"weights": fields(table, "weights", estimator.weights_)}
        # Every covariance type is compared as one full matrix per component, the
        # posterior's layout; entries the type fixes (a diagonal's zeros, a tied matrix's
        # copies) are fixed on the EM side, with zero standard error where they are zero.
        cov = {
            f: estimator.full_covariances(v)
            for f, v in fields(
                table, "covariances", estimator.covariances_, np.shape(estimator.covariances_)
            ).items()
        }
        if means.shape[1] == 1:
            out["means"] = fields(table, "means", means[:, 0])
            var = {f: v.reshape(-1) for f, v in cov.items()}
            sd = np.sqrt(var["estimate"])
            # Delta method for the standard error; the interval is the variance interval's
            # square root (monotone), floored at 0.
            out["sigma"] = {
                "estimate": sd,
                "se": var["se"] / (2.0 * sd),
                "lower": np.sqrt(np.clip(var["lower"], 0.0, None)),
                "upper": np.sqrt(np.clip(var["upper"], 0.0, None)),
            }
        else:
            out["means"] = fields(table, "means", means)
            out["covariances"] = cov
            note = _COVARIANCE_NOTES.get(getattr(estimator, "covariance_type", "full"))
            if note:
                method += "; " + note
        return out, method

    def posterior_names(self, data):
        return _NAMES_1D if _one_d(data) else _NAMES

    def report_truth(self, truth, data):
        if truth is None:
            return None
        if _one_d(data):
            return {
                "weights": np.asarray(truth["weights"]),
                "means": np.asarray(truth["means"])[:, 0],
                "sigma": np.sqrt(np.asarray(truth["covariances"]).reshape(-1)),
            }
        return dict(truth)

    def align(self, case, em_params, posterior):
        # Without a truth (fixed data, a wrong K) the components are matched to EM's.
        if case.truth is not None:
            reference, ref_means = "truth", case.truth["means"]
        else:
            reference, ref_means = "EM", em_params["means"]["estimate"]
        return align_fits(ref_means, em_params, posterior, reference=reference)

    # ----------------------------------------------------------------------------------------

    def point_parameters(self, params):
        out = super().point_parameters(params)
        if "sigma" in out:  # 1-D: standard deviations (K,) -> covariances (K, 1, 1)
            out["means"] = out["means"][:, None]
            out["covariances"] = (out.pop("sigma") ** 2)[:, None, None]
        return out

    def log_likelihood(self, data, point):
        return M.mixture_log_likelihood(
            data.X, point["weights"], point["means"], point["covariances"]
        )

    def em_start(self, model, estimator) -> dict:
        import models

        return models.mixture_start(
            model, estimator.weights_, estimator.means_, estimator.full_covariances()
        )

    def set_data(self, model, data) -> None:
        import models

        # Any number of points (any_size): the compiled sampler takes them all.
        if "x" in models.data_names(model):  # the 1-D model takes a vector
            models.resize_data(model, x=data.x1d)
        else:
            models.resize_data(model, X=data.X)

    def simulate(self, draws, X, observed, rng):
        w, mu = draws["weights"], draws["means"]
        S, n = w.shape[0], observed.shape[0]
        # Inverse-CDF draw of each point's component, per posterior draw.
        u = rng.uniform(size=(S, n, 1))
        comp = np.minimum((u > np.cumsum(w, axis=1)[:, None, :]).sum(-1), w.shape[1] - 1)
        rows = np.arange(S)[:, None]
        if "sigma" in draws:
            sim = mu[rows, comp] + draws["sigma"][rows, comp] * rng.standard_normal((S, n))
        else:
            chol = np.linalg.cholesky(draws["covariances"])  # (S, K, d, d)
            z = rng.standard_normal((S, n, mu.shape[-1]))
            sim = mu[rows, comp] + np.einsum("snij,snj->sni", chol[rows, comp], z)
        return sim.reshape(S, *observed.shape)

    # ----------------------------------------------------------------------------------------

    def run_extras(self, case, data, em_fit, bayes, alignment, seed):
        import models

        est = em_fit.estimator
        X = data.x1d if _one_d(data) else data.X
        mean, sd = models.posterior_responsibilities(bayes.idata, X)
        em_resp = est.predict_proba(data.X)
        return {
            "variants": fit_em_variants(case, data, seed, est.covariance_type),
            "responsibilities": {
                "em": em_resp[:, alignment["em"].order],
                "posterior_mean": mean[:, alignment["posterior"].order],
                "posterior_sd": sd[:, alignment["posterior"].order],
            },
        }

    def em_metrics(self, estimator, data, extras) -> dict[str, Any]:
        resp, variants = extras["responsibilities"], extras["variants"]
        out: dict[str, Any] = {
            M.EM_N_ITER: int(estimator.n_iter_),
            M.EM_CONVERGED: bool(estimator.converged_),
            M.EM_STOP_REASON: str(estimator.stop_reason_),
            M.EM_BIC: float(estimator.bic(data.X)),
            M.EM_AIC: float(estimator.aic(data.X)),
        }
        em_labels = resp["em"].argmax(axis=1)
        post_labels = resp["posterior_mean"].argmax(axis=1)
        if data.labels is not None:
            out[M.ARI_EM] = M.adjusted_rand_index(data.labels, em_labels)
            out[M.ARI_POSTERIOR] = M.adjusted_rand_index(data.labels, post_labels)
        out[M.ARI_EM_VS_POSTERIOR] = M.adjusted_rand_index(em_labels, post_labels)
        diff = M.responsibility_difference(resp["em"], resp["posterior_mean"])
        out[M.RESPONSIBILITY_DIFF_MAX] = diff["max"]
        out[M.RESPONSIBILITY_DIFF_MEAN] = diff["mean"]
        out[M.VARIANTS] = {
            "soft_em_log_likelihood": float(variants["soft"].log_likelihood_),
            "soft_em_n_iter": int(variants["soft"].n_iter_),
            "hard_em_log_likelihood": float(variants["hard"].log_likelihood_),
            "hard_em_n_iter": int(variants["hard"].n_iter_),
            "kmeans_inertia": float(variants["kmeans"].inertia_),
            "kmeans_n_iter": int(variants["kmeans"].n_iter_),
        }
        return out

    def posterior_metrics(self, case, data, em_fit, bayes, seed):
        out = loo(bayes.idata)
        bic = fit_bic_by_k(
            data, seed, em_fit.estimator.covariance_type, max(4, case.n_components + 1)
        )
        out[M.EM_BIC_BY_K] = {str(k): v for k, v in bic.items()}  # JSON keys are strings
        out[M.EM_BIC_BEST_K] = min(bic, key=bic.get)
        return out

    # ----------------------------------------------------------------------------------------

    def collapsed(self, data, em_params, messages):
        if any(m.startswith("DegenerateComponentWarning") for m in messages):
            return True
        if "sigma" in em_params:  # 1-D: standard deviations (K,)
            sd = np.asarray(em_params["sigma"]["estimate"], float)[:, None]
        else:  # (K, d, d): the smallest spread of each component, along any direction
            sd = np.sqrt(np.clip(np.linalg.eigvalsh(em_params["covariances"]["estimate"]), 0, None))
        scale = data.X.std(axis=0).min()
        return bool(np.any(sd.min(axis=-1) < COLLAPSE_FRACTION * scale))
