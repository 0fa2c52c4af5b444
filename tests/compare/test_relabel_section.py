"""The relabelling section on the well-separated lecture pair: the three algorithms agree, the
ordered and relabelled posteriors match within Monte-Carlo error, an ordered posterior needs
no relabelling, and the section renders."""

import numpy as np
import pytest

import compare
from compare.sections import SECTIONS, render_sections
from compare.sections import relabel as section


@pytest.fixture(scope="module")
def lecture_1d():
    # The settings of test_end_to_end, so one process compiles the models once.
    return compare.run("lecture-1d", seed=3, draws=150, tune=150, chains=2)


def test_applies_to_the_two_lecture_pairs_only():
    assert "relabel" in SECTIONS
    for name in ("lecture-1d", "lecture-1d-close"):
        assert section.SECTION.applies(compare.cases.get_case(name))
    assert not section.SECTION.applies(compare.cases.get_case("three-1d"))


def test_algorithms_agree_and_ordered_matches_relabelled(lecture_1d):
    assert lecture_1d.section_errors == {}
    data = lecture_1d.sections["relabel"]
    assert data["methods_agree"] == 1.0
    rates = data["permutation_rate"]
    assert rates["pivot"] == rates["stephens"] == rates["ecr"]
    ordered = data["summaries"]["ordered"]
    for method in section.METHODS:
        other = data["summaries"][method]
        for name in section.PARAMETERS:
            sd = np.asarray(ordered[name]["sd"])
            # Monte-Carlo error of a posterior mean from a few hundred correlated draws is
            # well under half a posterior sd; two independent runs differ by less than that.
            diff = np.abs(np.asarray(ordered[name]["mean"]) - np.asarray(other[name]["mean"]))
            assert np.all(diff < 0.5 * sd), (method, name, diff, sd)
            np.testing.assert_allclose(other[name]["sd"], sd, rtol=0.35)


def test_permutation_rate_of_an_ordered_posterior_is_zero(lecture_1d):
    assert lecture_1d.sections["relabel"]["ordered_permutation_rate"] == {
        m: 0.0 for m in section.METHODS
    }


def test_pivot_never_permutes_sorted_draws_in_1d():
    # 1-D means in increasing order matched to increasing pivot means: the identity is the
    # optimal matching (rearrangement inequality), whatever the draws.
    rng = np.random.default_rng(0)
    means = np.sort(rng.normal(size=(50, 3)), axis=1)
    draws = {
        "means": means,
        "sigma": rng.uniform(0.5, 2, (50, 3)),
        "weights": np.full((50, 3), 1 / 3),
    }
    perms = section._relabel("pivot", draws, np.array([-1.0, 0.0, 1.0]), None, None)
    assert section._rate(perms) == 0.0


def test_section_renders(lecture_1d, tmp_path):
    ((title, html),) = render_sections({"relabel": lecture_1d.sections["relabel"]}, tmp_path)
    assert title == section.SECTION.title
    assert (tmp_path / "relabel_means.png").stat().st_size > 0
    assert "relabel_means.png" in html
    for method in section.METHODS:
        assert f"<td class='l'>{method}</td>" in html
    assert "ordering only names the components" in html


def test_classification_probabilities_are_bayes_rule():
    from scipy.special import softmax
    from scipy.stats import norm

    rng = np.random.default_rng(1)
    draws = {
        "weights": rng.dirichlet([2.0, 2.0, 2.0], size=20),
        "means": rng.normal(0, 3, (20, 3)),
        "sigma": rng.uniform(0.3, 2.0, (20, 3)),
    }
    x = rng.normal(0, 3, 30)
    log_dens = np.log(draws["weights"])[:, None, :] + norm.logpdf(
        x[None, :, None], draws["means"][:, None, :], draws["sigma"][:, None, :]
    )
    np.testing.assert_allclose(
        section._classification(draws, x), softmax(log_dens, axis=2), rtol=1e-10, atol=1e-300
    )
