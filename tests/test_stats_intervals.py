"""Intervals of the mean over seeds: against scipy.stats.t.interval and
scipy.stats.bootstrap (percentile)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats

from infojax.stats import SeedInterval
from infojax.stats import seed_interval


def curves(seeds=7, points=(5, 3), seed=0):
    rng = np.random.default_rng(seed)
    offsets = rng.exponential(0.3, (seeds,) + (1,) * len(points))
    return rng.normal(1.0, 0.4, (seeds, *points)) + offsets


def scipy_t(values, confidence):
    """Student-t interval of the mean of a 1-D sample (no NaN)."""
    n = values.size
    return scipy.stats.t.interval(
        confidence, n - 1, loc=values.mean(), scale=values.std(ddof=1) / np.sqrt(n)
    )


@pytest.mark.float64
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_t_interval_matches_scipy_at_every_point(confidence):
    values = curves()
    result = seed_interval(jnp.asarray(values), confidence=confidence)
    assert isinstance(result, SeedInterval)
    assert result.mean.dtype == jnp.float64
    expected = np.array([scipy_t(values[:, i, j], confidence) for i in range(5) for j in range(3)])
    np.testing.assert_allclose(result.mean.ravel(), values.mean(0).ravel(), rtol=1e-12)
    np.testing.assert_allclose(result.low.ravel(), expected[:, 0], rtol=1e-10)
    np.testing.assert_allclose(result.high.ravel(), expected[:, 1], rtol=1e-10)
    np.testing.assert_array_equal(result.count, 7)


def test_t_interval_float32_and_axis():
    values = curves(seeds=5, points=(4,))
    result = seed_interval(jnp.asarray(values.T, jnp.float32), axis=1, confidence=0.95)
    assert result.low.dtype == jnp.float32 and result.low.shape == (4,)
    expected = np.array([scipy_t(values[:, i], 0.95) for i in range(4)])
    np.testing.assert_allclose(result.low, expected[:, 0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(result.high, expected[:, 1], rtol=1e-5, atol=1e-6)
    negative = seed_interval(jnp.asarray(values.T, jnp.float32), axis=-1)
    np.testing.assert_array_equal(negative.low, result.low)


@pytest.mark.float64
def test_nan_seeds_are_left_out_point_by_point():
    values = curves(seeds=6, points=(4,))
    values[[0, 3], 1] = np.nan
    values[1:, 2] = np.nan  # one seed left: no interval
    values[:, 3] = np.nan  # none left
    for method in ("t", "bootstrap"):
        result = seed_interval(
            jnp.asarray(values), method=method, key=jax.random.key(0), n_resamples=200
        )
        np.testing.assert_array_equal(result.count, [6, 4, 1, 0])
        kept = values[~np.isnan(values[:, 1]), 1]
        np.testing.assert_allclose(result.mean[:2], [values[:, 0].mean(), kept.mean()])
        assert result.mean[2] == values[0, 2] and np.isnan(result.mean[3])
        assert np.isnan(result.low[2:]).all() and np.isnan(result.high[2:]).all()
        assert np.isfinite(result.low[:2]).all()
    t = seed_interval(jnp.asarray(values))
    np.testing.assert_allclose([t.low[1], t.high[1]], scipy_t(kept, 0.95), rtol=1e-10)


def test_single_seed_gives_nan_width():
    result = seed_interval(jnp.ones((1, 3)))
    np.testing.assert_array_equal(result.mean, 1.0)
    assert np.isnan(result.low).all() and np.isnan(result.high).all()


@pytest.mark.float64
def test_bootstrap_matches_scipy_percentile_bootstrap():
    values = curves(seeds=10, points=(3,), seed=1)
    n_resamples = 10000
    result = seed_interval(
        jnp.asarray(values),
        confidence=0.9,
        method="bootstrap",
        key=jax.random.key(3),
        n_resamples=n_resamples,
    )
    reference = scipy.stats.bootstrap(
        (values,),
        np.mean,
        axis=0,
        confidence_level=0.9,
        n_resamples=n_resamples,
        method="percentile",
        rng=np.random.default_rng(5),
    ).confidence_interval
    # Two independent Monte Carlo runs: an end (5%) quantile of 10000 resampled means has
    # a Monte Carlo sd of about 2% of their spread s / sqrt(n), so the two runs differ
    # by about 3%; 10% is over three of those.
    spread = values.std(axis=0, ddof=1) / np.sqrt(values.shape[0])
    np.testing.assert_allclose(result.low, reference.low, atol=0.1 * spread.max())
    np.testing.assert_allclose(result.high, reference.high, atol=0.1 * spread.max())
    np.testing.assert_allclose(result.mean, values.mean(axis=0), rtol=1e-12)


def test_bootstrap_resamples_whole_seeds_and_is_reproducible():
    # Point 1 is point 0 plus 10: a resample of whole seeds keeps the offset exactly.
    base = curves(seeds=8, points=(1,))[:, 0]
    values = jnp.asarray(np.stack([base, base + 10.0], axis=1), jnp.float32)
    key = jax.random.key(4)
    result = seed_interval(values, method="bootstrap", key=key, n_resamples=500)
    np.testing.assert_allclose(result.low[1] - result.low[0], 10.0, rtol=1e-5)
    np.testing.assert_allclose(result.high[1] - result.high[0], 10.0, rtol=1e-5)
    again = seed_interval(values, method="bootstrap", key=key, n_resamples=500)
    np.testing.assert_array_equal(again.low, result.low)
    # The resampled means lie inside the range of the seeds.
    assert base.min() <= result.low[0] < result.high[0] <= base.max()


def test_jit_and_vmap():
    values = jnp.asarray(curves(seeds=5, points=(6,)), jnp.float32)
    eager = seed_interval(values)
    jitted = jax.jit(lambda v: seed_interval(v))(values)
    np.testing.assert_allclose(jitted.low, eager.low, rtol=1e-6)
    batched = jax.vmap(lambda v: seed_interval(v))(jnp.stack([values, 2 * values]))
    np.testing.assert_allclose(batched.high[1], 2 * eager.high, rtol=1e-5)
    key = jax.random.key(0)
    boot = seed_interval(values, method="bootstrap", key=key, n_resamples=100)
    boot_jit = jax.jit(lambda v, k: seed_interval(v, method="bootstrap", key=k, n_resamples=100))
    np.testing.assert_allclose(boot_jit(values, key).low, boot.low, rtol=1e-6)


def test_bad_inputs():
    values = jnp.ones((3, 2))
    with pytest.raises(ValueError, match="`values`"):
        seed_interval(jnp.asarray(1.0))
    with pytest.raises(ValueError, match="`values` contains inf"):
        seed_interval(values.at[0, 0].set(jnp.inf))
    with pytest.raises(TypeError, match="`values`"):
        seed_interval(np.array(["a", "b"]))
    with pytest.raises(ValueError, match="`axis`"):
        seed_interval(values, axis=2)
    with pytest.raises(ValueError, match="`confidence`"):
        seed_interval(values, confidence=1.0)
    with pytest.raises(TypeError, match="`confidence`"):
        seed_interval(values, confidence=jnp.asarray(0.9))
    with pytest.raises(ValueError, match="`method`"):
        seed_interval(values, method="normal")
    with pytest.raises(TypeError, match="`key`"):
        seed_interval(values, method="bootstrap")
    with pytest.raises(ValueError, match="`n_resamples`"):
        seed_interval(values, method="bootstrap", key=jax.random.key(0), n_resamples=1)
