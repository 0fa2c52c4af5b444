"""em.relabel: pivot, Stephens and ECR relabelling of mixture draws."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from em import apply_permutations, ecr_relabel, pivot_relabel, stephens_relabel
from em.relabel import RelabelResult, permute_allocations

TRUE_MEANS = np.array([[-6.0, 0.0], [0.0, 6.0], [6.0, 0.0]])
TRUE_WEIGHTS = np.array([0.3, 0.3, 0.4])


def _posterior_like(n_draws=120, n_samples=90, seed=0):
    """Draws of a well-separated 3-component mixture in one labelling, with consistent
    classification probabilities (S, N, K) and allocations (S, N)."""
    rng = np.random.default_rng(seed)
    labels = rng.choice(3, size=n_samples, p=TRUE_WEIGHTS)
    x = TRUE_MEANS[labels] + rng.normal(size=(n_samples, 2))
    means = TRUE_MEANS + 0.2 * rng.normal(size=(n_draws, 3, 2))
    weights = rng.dirichlet(100 * TRUE_WEIGHTS, size=n_draws)
    log_dens = np.log(weights)[:, None, :] + norm.logpdf(
        x[None, :, None, :], means[:, None, :, :]
    ).sum(axis=-1)
    p = np.exp(log_dens - log_dens.max(axis=2, keepdims=True))
    p /= p.sum(axis=2, keepdims=True)
    u = rng.random((n_draws, n_samples, 1))
    allocations = np.minimum((np.cumsum(p, axis=2) < u).sum(axis=2), 2)
    return {"means": means, "weights": weights}, log_dens, p, allocations, labels


def _scramble(draws, log_dens, p, allocations, seed):
    """Permute every draw's labels at random, consistently across all representations."""
    rng = np.random.default_rng(seed)
    perms = np.array([rng.permutation(3) for _ in range(len(p))])
    scrambled = apply_permutations(draws, perms)
    return (
        scrambled,
        apply_permutations({"l": log_dens}, perms, axis=2)["l"],
        apply_permutations({"p": p}, perms, axis=2)["p"],
        permute_allocations(allocations, perms),
        perms,
    )


def _global_permutation(relabelled, original):
    """The one permutation g with relabelled[:, k] == original[:, g[k]] (from draw 0)."""
    g = np.array([np.argmin(np.abs(original[0] - m).sum(axis=1)) for m in relabelled[0]])
    assert sorted(g) == [0, 1, 2]
    return g


def _all_three(draws, log_dens, p, allocations, pivot_allocation):
    pivot = {"means": TRUE_MEANS, "weights": TRUE_WEIGHTS}
    return {
        "pivot": pivot_relabel(draws, pivot),
        "stephens": stephens_relabel(p, draws=draws),
        "stephens-log": stephens_relabel(log_dens, log=True, draws=draws),
        "ecr": ecr_relabel(allocations, pivot_allocation, 3, draws=draws),
        "ecr-iterative": ecr_relabel(allocations, pivot_allocation, 3, draws=draws, iterative=True),
    }


def test_apply_permutations_convention():
    means = np.array([[[0.0], [1.0], [2.0]]])
    out = apply_permutations({"means": means}, [[2, 0, 1]])["means"]
    np.testing.assert_array_equal(out[0, :, 0], [2.0, 0.0, 1.0])  # out[s, k] = in[s, perm[s, k]]
    alloc = permute_allocations([[2, 0, 1, 1]], [[2, 0, 1]])
    np.testing.assert_array_equal(alloc, [[0, 1, 2, 2]])  # old label 2 is new label 0


def test_randomly_permuted_draws_are_recovered_exactly():
    draws, log_dens, p, allocations, labels = _posterior_like()
    scrambled, s_log, s_p, s_alloc, _ = _scramble(draws, log_dens, p, allocations, seed=1)
    results = _all_three(scrambled, s_log, s_p, s_alloc, labels)
    for name, result in results.items():
        assert isinstance(result, RelabelResult)
        assert result.converged, name
        means = result.draws["means"]
        # Pivot and ECR use the true labelling as pivot, so they return it; Stephens'
        # labelling is the original one up to one global relabelling.
        g = _global_permutation(means, draws["means"])
        if not name.startswith("stephens"):
            np.testing.assert_array_equal(g, [0, 1, 2])
        np.testing.assert_array_equal(means, draws["means"][:, g], err_msg=name)
        np.testing.assert_array_equal(result.draws["weights"], draws["weights"][:, g])
        assert result.permutation_rate > 0.5, name


def test_the_three_algorithms_agree_on_separated_data():
    draws, log_dens, p, allocations, labels = _posterior_like(seed=3)
    scrambled, s_log, s_p, s_alloc, perms = _scramble(draws, log_dens, p, allocations, seed=4)
    results = _all_three(scrambled, s_log, s_p, s_alloc, labels)
    reference = results["pivot"].permutations
    # The pivot result undoes the scrambling: perms[s][reference[s]] is the identity.
    np.testing.assert_array_equal(np.take_along_axis(perms, reference, axis=1), [[0, 1, 2]] * 120)
    for name, result in results.items():
        g = _global_permutation(result.draws["means"], results["pivot"].draws["means"])
        np.testing.assert_array_equal(result.permutations, reference[:, g], err_msg=name)


def test_ordered_draws_have_permutation_rate_zero():
    draws, log_dens, p, allocations, labels = _posterior_like(seed=5)
    for name, result in _all_three(draws, log_dens, p, allocations, labels).items():
        assert result.permutation_rate == 0.0, name
        np.testing.assert_array_equal(result.draws["means"], draws["means"])


def test_ecr_keeps_labels_among_equally_good_permutations():
    # Identity and swapping labels 1 and 2 both agree with the pivot on 4 of 7 samples
    # (scipy's Hungarian solver alone returns the swap); ECR keeps the labels.
    pivot = np.array([0, 0, 1, 1, 1, 2, 3])
    draw = np.array([[0, 0, 1, 2, 2, 2, 2]])
    result = ecr_relabel(draw, pivot, 4)
    np.testing.assert_array_equal(result.permutations, [[0, 1, 2, 3]])
    assert result.permutation_rate == 0.0


def test_pivot_matches_on_the_named_parameters_only():
    draws, *_ = _posterior_like(n_draws=10)
    result = pivot_relabel(draws, {"means": TRUE_MEANS[[1, 2, 0]]})
    np.testing.assert_array_equal(result.permutations, [[1, 2, 0]] * 10)
    np.testing.assert_array_equal(result.draws["weights"], draws["weights"][:, [1, 2, 0]])


def test_stephens_starts_from_given_permutations():
    _, _, p, *_ = _posterior_like(n_draws=30, seed=6)
    start = np.tile([2, 0, 1], (30, 1))
    result = stephens_relabel(p, initial_permutations=start)
    # Already a common labelling: Stephens keeps it in one iteration.
    np.testing.assert_array_equal(result.permutations, start)
    assert result.n_iter == 1


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_relabelling_is_invariant_to_repermuting_the_input(seed):
    draws, log_dens, p, allocations, labels = _posterior_like(n_draws=40, n_samples=60, seed=7)
    first = _all_three(*_scramble(draws, log_dens, p, allocations, seed=8)[:4], labels)
    second = _all_three(*_scramble(draws, log_dens, p, allocations, seed=seed)[:4], labels)
    for name in first:
        a, b = first[name].draws["means"], second[name].draws["means"]
        g = _global_permutation(b, a)
        np.testing.assert_array_equal(b, a[:, g], err_msg=name)


def test_bad_input_names_the_argument():
    draws, _, p, allocations, labels = _posterior_like(n_draws=5)
    with pytest.raises(ValueError, match=r"pivot\['means'\] has shape \(2, 2\)"):
        pivot_relabel(draws, {"means": TRUE_MEANS[:2]})  # another K
    with pytest.raises(ValueError, match=r"pivot\['sd'\] has no draws"):
        pivot_relabel(draws, {"sd": TRUE_WEIGHTS})
    with pytest.raises(TypeError, match="draws must be a mapping"):
        pivot_relabel(draws["means"], {"means": TRUE_MEANS})
    with pytest.raises(ValueError, match="every entry needs the same S and K"):
        pivot_relabel({"means": draws["means"], "w": draws["weights"][:3]}, {"means": TRUE_MEANS})
    with pytest.raises(ValueError, match="probabilities must sum to 1"):
        stephens_relabel(2 * p)
    with pytest.raises(ValueError, match=r"probabilities must have shape \(S, N, K\)"):
        stephens_relabel(p[0])
    with pytest.raises(ValueError, match="initial_permutations has shape"):
        stephens_relabel(p, initial_permutations=[[0, 1, 2]])
    with pytest.raises(ValueError, match="pivot_allocation has 3 samples"):
        ecr_relabel(allocations, labels[:3], 3)
    with pytest.raises(ValueError, match=r"labels must lie in 0..1"):
        ecr_relabel(allocations, labels, 2)
    with pytest.raises(ValueError, match="every row of permutations must be a permutation"):
        apply_permutations(draws, [[0, 0, 1]] * 5)
    with pytest.raises(ValueError, match="permutations has shape"):
        apply_permutations(draws, [[0, 1, 2]] * 4)
