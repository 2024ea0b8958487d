"""Permutation tests, bootstrap intervals and shuffle correction (infojax.stats)."""

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import reference
from scipy import stats as scipy_stats

from infojax import stats


def correlation_mi(x, y):
    """Gaussian MI from the Pearson correlation of two columns, -1/2 log(1 - r^2)."""
    x = x.reshape(-1)
    y = y.reshape(-1)
    xc = x - x.mean()
    yc = y - y.mean()
    r = jnp.sum(xc * yc) / jnp.sqrt(jnp.sum(xc**2) * jnp.sum(yc**2))
    return -0.5 * jnp.log1p(-(r**2))


def pearson_r(x, y):
    return jnp.corrcoef(x.reshape(-1), y.reshape(-1))[0, 1]


def correlated_pair(key, n, rho, dtype=float):
    """Correlated normal columns, in JAX's default float dtype unless ``dtype`` is given."""
    x, noise = jax.random.normal(key, (2, n, 1), dtype)
    return x, rho * x + math.sqrt(1.0 - rho**2) * noise


def test_p_values_are_uniform_under_independence():
    """400 independent data sets of n = 30, m = 99 shuffles each, in one vmap.

    Under independence the p-value is uniform on {1/100, ..., 1}; the Kolmogorov-Smirnov
    test against the continuous uniform is slightly conservative for this lattice (the
    gap between lattice points adds at most 0.01 to the statistic, against a critical
    value of about 0.08 at 400 samples). We require KS p > 0.001: a correct test fails
    with probability about 0.001, while a p-value formula off by one permutation in a
    hundred, or a biased shuffle, moves the statistic well past that.
    """

    def one_data_set(key):
        data_key, test_key = jax.random.split(key)
        x, y = correlated_pair(data_key, 30, 0.0)
        return stats.permutation_test(test_key, correlation_mi, x, y, n_permutations=99).p_value

    keys = jax.random.split(jax.random.key(0), 400)
    p_values = np.asarray(jax.jit(jax.vmap(one_data_set))(keys))
    assert p_values.min() >= 0.01 and p_values.max() <= 1.0
    assert scipy_stats.kstest(p_values, "uniform").pvalue > 1e-3


def test_p_values_are_small_under_dependence():
    # rho = 0.6 at n = 100 puts the observed correlation about 6 null standard deviations
    # out: no shuffle in 199 should reach it, so p = 1/200 in every data set.
    def one_data_set(key):
        data_key, test_key = jax.random.split(key)
        x, y = correlated_pair(data_key, 100, 0.6)
        return stats.permutation_test(test_key, correlation_mi, x, y, n_permutations=199).p_value

    p_values = jax.jit(jax.vmap(one_data_set))(jax.random.split(jax.random.key(1), 50))
    assert float(p_values.max()) <= 0.01


def test_p_value_formula_against_numpy_count_with_ties():
    # Rounding the estimate to 0.01 nats makes many shuffles tie with the observed value:
    # ties count as "at least as large".
    def rounded(x, y):
        return jnp.round(correlation_mi(x, y) * 100) / 100

    x, y = correlated_pair(jax.random.key(2), 40, 0.2)
    result = stats.permutation_test(jax.random.key(3), rounded, x, y, n_permutations=500)
    assert result.null_samples.shape == (500,)
    assert np.any(np.asarray(result.null_samples) == float(result.estimate))
    expected = reference.permutation_p_value_reference(result.estimate, result.null_samples)
    # A float32 ratio of counts against the float64 one: half an ulp, 6e-8 relative.
    np.testing.assert_allclose(float(result.p_value), expected, rtol=1e-7)
    np.testing.assert_allclose(float(result.estimate), float(rounded(x, y)), rtol=1e-14)


def test_null_draws_are_uniform_random_permutations():
    """With n = 4 distinct values, sum(x * y_perm) identifies the permutation.

    All 4! = 24 orderings must appear equally often: a chi-square test on 12,000
    shuffles (500 expected per ordering) with p > 0.001.
    """
    x = jnp.array([1.0, 2.0, 3.0, 4.0])
    y = jnp.array([1.0, 10.0, 100.0, 1000.0])
    result = stats.permutation_test(
        jax.random.key(4), lambda a, b: jnp.sum(a * b), x, y, n_permutations=12_000
    )
    orderings = {
        float(np.sum(np.asarray(x) * np.asarray(y)[list(order)])): index
        for index, order in enumerate(itertools.permutations(range(4)))
    }
    assert len(orderings) == 24
    indices = [orderings[value] for value in np.asarray(result.null_samples).tolist()]
    counts = np.bincount(indices, minlength=24)
    assert scipy_stats.chisquare(counts).pvalue > 1e-3


def test_null_of_pearson_correlation_has_exact_permutation_moments():
    # Over uniform permutations the sample correlation has mean 0 and variance 1/(n - 1)
    # exactly. With m = 4000 draws the mean's standard error is sqrt(1/(n-1)/m) and the
    # variance's relative standard error about sqrt(2/m) = 2.2%: 4 standard errors / 10%.
    n, m = 25, 4000
    x, y = correlated_pair(jax.random.key(5), n, 0.5)
    null = np.asarray(
        stats.permutation_test(jax.random.key(6), pearson_r, x, y, n_permutations=m)[1]
    )
    assert abs(null.mean()) <= 4 * math.sqrt(1 / (n - 1) / m)
    np.testing.assert_allclose(null.var(), 1 / (n - 1), rtol=0.1)


def test_chunked_draws_equal_one_vmap():
    # jit and vmap of the whole test are exercised by the p-value tests above.
    x, y = correlated_pair(jax.random.key(7), 50, 0.4)
    key = jax.random.key(8)
    whole = stats.permutation_test(key, correlation_mi, x, y, n_permutations=101)
    chunked = stats.permutation_test(key, correlation_mi, x, y, n_permutations=101, batch_size=16)
    # Same draws, reductions in a different order: float32 rounding of MI values below
    # 0.05 nats, a few ulps (measured 2.2e-8 absolute), hence 1e-7 absolute.
    for a, b in zip(chunked, whole, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_raw_and_typed_keys_draw_the_same_resamples():
    # A legacy uint32[2] key (jax.random.PRNGKey) is accepted and draws the same bits.
    x, y = correlated_pair(jax.random.key(7), 30, 0.4)
    key = jax.random.key(8)
    for key_option in (key, jax.random.key_data(key)):
        np.testing.assert_array_equal(
            stats.permutation_test(key_option, correlation_mi, x, y, n_permutations=20)[1],
            stats.permutation_test(key, correlation_mi, x, y, n_permutations=20)[1],
        )
        np.testing.assert_array_equal(
            stats.bootstrap_ci(key_option, correlation_mi, x, y, n_resamples=20).replicates,
            stats.bootstrap_ci(key, correlation_mi, x, y, n_resamples=20).replicates,
        )


def test_float32_in_float32_out():
    x, y = correlated_pair(jax.random.key(9), 60, 0.5, dtype=jnp.float32)
    result = stats.permutation_test(jax.random.key(10), correlation_mi, x, y, n_permutations=50)
    assert result.estimate.dtype == result.null_samples.dtype == result.p_value.dtype
    assert result.p_value.dtype == jnp.float32
    boot = stats.bootstrap_ci(jax.random.key(11), correlation_mi, x, y, n_resamples=50)
    assert all(field.dtype == jnp.float32 for field in boot)
    corrected = stats.shuffle_corrected_estimate(
        jax.random.key(12), correlation_mi, x, y, n_permutations=50
    )
    assert corrected.dtype == jnp.float32


def test_bootstrap_interval_covers_the_truth_at_the_nominal_rate():
    """400 data sets of n = 300 at rho = 0.6 (true MI 0.2231 nats), B = 200 each.

    The binomial standard deviation of the coverage over 400 data sets is 0.011; the
    percentile interval's own error at n = 300 (skew and the O(1/n) bias of the
    estimator, about 0.002 nats against a standard error of 0.04) is about 0.01. We allow
    |coverage - 0.95| <= 0.045, four binomial standard deviations.
    """
    truth = -0.5 * math.log(1 - 0.36)

    def covered(key):
        data_key, boot_key = jax.random.split(key)
        x, y = correlated_pair(data_key, 300, 0.6)
        result = stats.bootstrap_ci(boot_key, correlation_mi, x, y, n_resamples=200)
        return (result.low <= truth) & (truth <= result.high)

    keys = jax.random.split(jax.random.key(13), 400)
    coverage = float(jnp.mean(jax.jit(lambda k: jax.lax.map(covered, k, batch_size=50))(keys)))
    assert abs(coverage - 0.95) <= 0.045


def test_bootstrap_standard_error_and_interval_of_the_mean():
    # The ideal bootstrap standard error of a mean is sqrt(sum (x - mean)^2 / n) / sqrt(n)
    # exactly; B = 4000 resamples estimate it within about 1/sqrt(2B) = 1.1%: 5%.
    x = jnp.asarray(np.random.default_rng(14).gamma(2.0, size=80))
    result = stats.bootstrap_ci(
        jax.random.key(15), lambda a, b: jnp.mean(a), x, x, n_resamples=4000, confidence=0.9
    )
    values = np.asarray(x)
    ideal = math.sqrt(np.mean((values - values.mean()) ** 2) / len(values))
    np.testing.assert_allclose(float(result.standard_error), ideal, rtol=0.05)
    replicates = np.asarray(result.replicates)
    # The float32 statistics against NumPy's float64 ones on the same float32 values:
    # sums of 80 or 4000 terms rounded to float32, measured 5e-8 relative, asserted 1e-6.
    np.testing.assert_allclose(float(result.standard_error), replicates.std(ddof=1), rtol=1e-6)
    np.testing.assert_allclose(
        [float(result.low), float(result.high)], np.quantile(replicates, [0.05, 0.95]), rtol=1e-6
    )
    np.testing.assert_allclose(float(result.estimate), values.mean(), rtol=1e-6)


def test_shuffle_correction_removes_the_bias_under_independence():
    """Under independence the estimate and each shuffled estimate have the same law, so
    the corrected estimate has mean exactly zero; the raw one has mean about 1/(2n).

    300 data sets of n = 20: the raw mean (about 0.026 nats) must be more than 5 standard
    errors above zero and the corrected mean within 4 standard errors of zero.
    """

    def both(key):
        data_key, test_key = jax.random.split(key)
        x, y = correlated_pair(data_key, 20, 0.0)
        raw = correlation_mi(x, y)
        return raw, stats.shuffle_corrected_estimate(
            test_key, correlation_mi, x, y, n_permutations=50
        )

    raw, corrected = (
        np.asarray(values)
        for values in jax.jit(jax.vmap(both))(jax.random.split(jax.random.key(16), 300))
    )
    assert raw.mean() > 5 * raw.std(ddof=1) / math.sqrt(len(raw))
    assert abs(corrected.mean()) <= 4 * corrected.std(ddof=1) / math.sqrt(len(corrected))


def test_bootstrap_shuffle_corrected_shifts_everything_by_the_null_mean():
    x, y = correlated_pair(jax.random.key(17), 40, 0.3)
    key = jax.random.key(18)
    plain = stats.bootstrap_ci(key, correlation_mi, x, y, n_resamples=100)
    # Chunked resamples (batch_size) must give the same replicates as one vmap.
    corrected = stats.bootstrap_ci(
        key, correlation_mi, x, y, n_resamples=100, shuffle_corrected=True, batch_size=7
    )
    shift = float(plain.estimate - corrected.estimate)
    # The null mean of a Pearson-based MI at n = 40 is about 1/(2n) = 0.0125 nats.
    assert 0.002 < shift < 0.05
    # float32 values near 0.1 carry ulps of 7e-9, a few 1e-7 of the 0.014-nat shift
    # (measured 2.6e-7 relative), hence 2e-6; the standard errors differ by rounding.
    for field in ("low", "high", "replicates"):
        np.testing.assert_allclose(
            getattr(plain, field) - getattr(corrected, field), shift, rtol=2e-6
        )
    np.testing.assert_allclose(corrected.standard_error, plain.standard_error, rtol=1e-6)


def test_bad_inputs_raise_clear_errors():
    x, y = correlated_pair(jax.random.key(19), 10, 0.5)
    key = jax.random.key(20)
    with pytest.raises(TypeError, match="`estimator`"):
        stats.permutation_test(key, "ksg", x, y)
    with pytest.raises(ValueError, match="`estimator` must return a scalar"):
        stats.permutation_test(key, lambda a, b: a * b, x, y)
    with pytest.raises(TypeError, match="`estimator` must return a float"):
        stats.permutation_test(key, lambda a, b: jnp.sum(a > b), x, y)
    with pytest.raises(ValueError, match="same number of rows"):
        stats.permutation_test(key, correlation_mi, x, y[:-1])
    with pytest.raises(ValueError, match="at least 2 samples"):
        stats.bootstrap_ci(key, correlation_mi, x[:1], y[:1])
    with pytest.raises(ValueError, match="`x`"):
        stats.permutation_test(key, correlation_mi, x[None], y)
    with pytest.raises(ValueError, match="`n_permutations`"):
        stats.permutation_test(key, correlation_mi, x, y, n_permutations=0)
    with pytest.raises(TypeError, match="`n_permutations`"):
        stats.permutation_test(key, correlation_mi, x, y, n_permutations=10.0)
    with pytest.raises(TypeError, match="`key`"):
        stats.permutation_test(0, correlation_mi, x, y)
    with pytest.raises(ValueError, match="`batch_size`"):
        stats.permutation_test(key, correlation_mi, x, y, batch_size=0)
    with pytest.raises(ValueError, match="`confidence`"):
        stats.bootstrap_ci(key, correlation_mi, x, y, confidence=1.5)
    with pytest.raises(ValueError, match="`n_resamples`"):
        stats.bootstrap_ci(key, correlation_mi, x, y, n_resamples=1)


def test_with_a_library_estimator_on_a_ground_truth_task():
    # Gaussian MI from the sample covariance on a 3 x 3 Gaussian task (true MI 0.51 nats)
    # at n = 500: the estimate's standard deviation is about 0.04 nats, so 0.15 nats is
    # over three of them; every one of 99 shuffles falls far below it, so p = 1/100.
    from infojax.estimators import gaussian_mutual_information
    from infojax.tasks import sparse_normal_task

    task = sparse_normal_task(3, 3, n_pairs=1, correlation=0.8)
    x, y = task.sample(jax.random.key(21), 500)
    result = stats.permutation_test(
        jax.random.key(22), gaussian_mutual_information, x, y, n_permutations=99
    )
    assert abs(float(result.estimate) - task.mutual_information) < 0.15
    # 1 / 100 in float32: 0.01 to half an ulp (6e-8 relative).
    np.testing.assert_allclose(float(result.p_value), 0.01, rtol=1e-7)
