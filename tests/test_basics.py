"""The walkthrough's numbers, each checked against an independent computation."""

import numpy as np
import pytest
import scipy.stats

from experiments import basics


def test_entropy_example_matches_scipy():
    result = basics.entropy_example()
    np.testing.assert_allclose(result["entropy_bits"], 1.8464, atol=5e-5)
    np.testing.assert_allclose(
        result["entropy_bits"], scipy.stats.entropy(basics.PROBABILITIES, base=2), rtol=1e-6
    )
    np.testing.assert_allclose(
        result["entropy_with_zero_bits"], scipy.stats.entropy(basics.WITH_ZERO, base=2), rtol=1e-6
    )


def test_conditional_entropy_example_by_hand():
    result = basics.conditional_entropy_example()
    joint = basics.JOINT
    p_y = joint.sum(axis=0)
    by_hand = -np.sum(joint * np.log2(joint / p_y))
    np.testing.assert_allclose(result["conditional_entropy_bits"], by_hand, rtol=1e-6)
    # Same uniform marginals, different H(X|Y): 1 bit when independent, 0 when copied.
    assert result["independent_bits"] == pytest.approx(1.0, abs=1e-6)
    assert result["copied_bits"] == pytest.approx(0.0, abs=1e-6)


def test_mutual_information_example_by_hand():
    result = basics.mutual_information_example()
    joint = basics.JOINT
    outer = np.outer(joint.sum(axis=1), joint.sum(axis=0))
    by_hand = np.sum(joint * np.log2(joint / outer))
    # Default float32: I(X;Y) = 0.0058 bits is a sum of p log(ratio) with ratios near one,
    # each log rounded to ~1e-7 absolute (measured error 1.2e-7 bits), hence atol.
    np.testing.assert_allclose(result["mutual_information_bits"], by_hand, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(result["entropy_identity_bits"], by_hand, atol=1e-6)


def test_least_squares_example_matches_lstsq():
    result = basics.least_squares_example()
    solution, *_ = np.linalg.lstsq(basics.DESIGN, basics.TARGETS, rcond=None)
    np.testing.assert_allclose(solution, [-1.0, 1.0], atol=1e-12)
    # Stopped at |grad| < 1e-6; the smallest Hessian eigenvalue (about 0.15) bounds the
    # distance to the optimum by |grad| / 0.15 < 1e-5; float32 rounding adds ~1e-6.
    assert result["gradient_norm"] < 1e-6
    np.testing.assert_allclose(result["weights"], solution, atol=2e-5)
    np.testing.assert_allclose(result["closed_form"], solution, atol=1e-12)


def test_bayes_example_by_hand():
    result = basics.bayes_example()
    joint = basics.PRIOR * basics.LIKELIHOOD
    assert result["evidence"] == pytest.approx(0.29, abs=1e-7)
    assert result["sum_of_likelihoods"] == pytest.approx(1.0)
    np.testing.assert_allclose(result["posterior"], joint / joint.sum(), rtol=1e-6)
    assert result["posterior_sum"] == pytest.approx(1.0, abs=1e-6)


def test_main_prints_every_example(capsys):
    basics.main()
    printed = capsys.readouterr().out
    for expected in ("1.8464 bits", "0.2900", "I(X;Y)", "closed form", "sums to 1.000000"):
        assert expected in printed
