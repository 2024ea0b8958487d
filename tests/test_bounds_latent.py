"""Latent MI (cross-predictive autoencoders + KSG): accuracy on embedded tasks with a
low-dimensional dependence, independence, jit / vmap, dtype, bad input."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from infojax import bounds
from infojax import tasks
from infojax._registry import get_estimator
from infojax.bounds import _latent

BASE = tasks.canonical_normal_task([0.8, 0.8])  # I = -log(1 - 0.64) = 1.02 nats
# A few steps of a tiny network: the transformation tests compare numbers, not accuracy.
TINY = {"steps": 20, "eval_every": 10, "hidden_sizes": (8,), "batch_size": 32, "latent_dim": 2}


def _small_pair(seed, n=96, dim=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, dim))
    y = 0.6 * x + 0.8 * rng.normal(size=(n, dim))
    return jnp.asarray(x, jnp.float32), jnp.asarray(y, jnp.float32)


def test_recovers_low_dimensional_dependence_in_30_dimensions():
    # 30 + 30 dimensions, n = 2000 (1000 held out for KSG), 600 steps: a few seconds.
    # KSG on 2 x 2 latents of 1000 points has a sd of ~0.04 and a small downward bias;
    # latents that miss part of the shared subspace can only lower the estimate.
    # Measured 0.97, 1.00, 1.03 with keys 1, 2, 3 (true 1.02).
    task = tasks.embedded_task(BASE, 30, 30, seed=3)
    x, y = task.sample(jax.random.key(0), 2000)
    estimate = bounds.latent_mutual_information(jax.random.key(1), x, y, steps=600, latent_dim=2)
    assert abs(float(estimate) - task.mutual_information) < 0.25, float(estimate)


@pytest.mark.slow
def test_within_a_fifth_of_a_nat_on_100_by_100_at_n_5000():
    # The target: 100 + 100 dimensions, a 2-dimensional Gaussian dependence of
    # 1.02 nats, n = 5000, registry defaults. Measured 0.96, 0.90, 0.92, 0.91 with keys
    # 1 to 4: all low (the latents keep most but not all of the shared subspace, and KSG
    # in 4 + 4 latent dimensions is biased down), by 0.06 to 0.12, inside the issue's
    # 0.2. On the same task KSG on the raw 200 dimensions gives ~0.0 and InfoNCE with
    # its defaults -0.03 and 0.06 (experiments/latent_vs_knn.py).
    task = tasks.high_dimensional_suite()[0]
    assert (task.dim_x, task.dim_y) == (100, 100)
    x, y = task.sample(jax.random.key(0), 5000)
    for seed in (1, 2):
        estimate = get_estimator("latent_mi").bind()(jax.random.key(seed), x, y)
        assert abs(float(estimate) - task.mutual_information) < 0.2, (seed, float(estimate))


def test_independent_samples_give_about_zero():
    # KSG of independent latents: mean ~0, sd ~0.02 at 500 held-out points; the encoders
    # cannot create dependence between independent sides.
    keys = jax.random.split(jax.random.key(2), 2)
    x = jax.random.normal(keys[0], (1000, 20))
    y = jax.random.normal(keys[1], (1000, 20))
    estimate = bounds.latent_mutual_information(jax.random.key(3), x, y, steps=300)
    assert abs(float(estimate)) < 0.1, float(estimate)


def test_fit_result_shapes_and_curves():
    x, y = _small_pair(0)
    fit = bounds.fit_latent_mutual_information(jax.random.key(0), x, y, **TINY)
    assert fit.estimate.shape == ()
    assert fit.latents_x.shape == fit.latents_y.shape == (48, 2)
    assert fit.training_curve.shape == (20,) and fit.held_out_curve.shape == (2,)
    assert 0 <= int(fit.best_round) < 2
    assert np.all(np.isfinite(fit.training_curve)) and np.all(np.isfinite(fit.held_out_curve))
    # Latents are standardised column by column before KSG.
    np.testing.assert_allclose(jnp.std(fit.latents_x, axis=0), 1.0, rtol=1e-4)
    estimate = bounds.latent_mutual_information(jax.random.key(0), x, y, **TINY)
    assert estimate == fit.estimate
    # Bits are converted outside the compiled fit: same networks, same latents.
    bits = bounds.latent_mutual_information(jax.random.key(0), x, y, base=2, **TINY)
    np.testing.assert_allclose(bits, fit.estimate / math.log(2), rtol=1e-6)


# Three compilations (eager, jit, vmap); the registry's cross-cutting tests run jit and
# vmap on latent_mi in the default run.
@pytest.mark.slow
def test_jit_and_vmap_over_keys_match_eager():
    x, y = _small_pair(2)
    keys = jnp.stack([jax.random.key(seed) for seed in range(3)])

    def estimate(key):
        return bounds.latent_mutual_information(key, x, y, **TINY)

    eager = jnp.stack([estimate(key) for key in keys])
    np.testing.assert_allclose(jax.jit(estimate)(keys[0]), eager[0], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(jax.vmap(estimate)(keys), eager, rtol=1e-6, atol=1e-7)


@pytest.mark.float64
def test_dtype_follows_input():
    x, y = _small_pair(3)
    x64, y64 = x.astype(jnp.float64), y.astype(jnp.float64)
    fit = bounds.fit_latent_mutual_information(jax.random.key(0), x64, y64, **TINY)
    assert fit.estimate.dtype == fit.latents_x.dtype == fit.training_curve.dtype == jnp.float64


# The zero gradient with respect to the samples (registry flag "zero") is checked by
# tests/test_registry.py::test_gradient_with_respect_to_samples[latent_mi].


def test_collapsed_latents_give_zero():
    # A side whose latents are all constant (its encoder collapsed) carries no
    # information; rescaling its rounding noise to unit sd would give KSG garbage.
    latents = jnp.stack([jnp.full(50, 0.3), 0.3 + 1e-9 * jnp.arange(50.0)], axis=1)
    whitened, constant = _latent._whitened_columns(latents)
    assert bool(constant) and np.all(np.asarray(whitened) == 0)
    varied = latents.at[:, 1].set(jnp.arange(50.0))
    whitened, constant = _latent._whitened_columns(varied)
    assert not bool(constant)
    np.testing.assert_allclose(jnp.std(whitened[:, 1]), 1.0, rtol=1e-5)
    assert np.all(np.asarray(whitened[:, 0]) == 0)


def test_registry_entry():
    spec = get_estimator("latent_mi")
    assert spec.fn is bounds.latent_mutual_information
    assert spec.needs_key and spec.jittable and spec.gradient == "zero"
    assert spec.quantity == "mutual_information" and spec.inputs == "continuous"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"latent_dim": 0}, ValueError, "`latent_dim`"),
        ({"latent_dim": 2.0}, TypeError, "`latent_dim`"),
        ({"steps": 0}, ValueError, "`steps`"),
        ({"batch_size": 1}, ValueError, "`batch_size`"),
        ({"eval_every": 0}, ValueError, "`eval_every`"),
        ({"hidden_sizes": "64"}, TypeError, "`hidden_sizes`"),
        ({"hidden_sizes": (0,)}, ValueError, "`hidden_sizes`"),
        ({"activation": "swish-ish"}, ValueError, "`activation`"),
        ({"learning_rate": 0.0}, ValueError, "`learning_rate`"),
        ({"weight_decay": -1.0}, ValueError, "`weight_decay`"),
        ({"cross_weight": -1.0}, ValueError, "`cross_weight`"),
        ({"cross_weight": 0.0, "reconstruction_weight": 0.0}, ValueError, "both be zero"),
        ({"held_out_fraction": 1.0}, ValueError, "`held_out_fraction`"),
        ({"k": 48}, ValueError, "`k`"),
        ({"base": -2.0}, ValueError, "base"),
    ],
)
def test_bad_options_raise(kwargs, error, match):
    x, y = _small_pair(5)
    with pytest.raises(error, match=match):
        bounds.latent_mutual_information(jax.random.key(0), x, y, **{**TINY, **kwargs})


def test_bad_samples_raise():
    x, y = _small_pair(6)
    with pytest.raises(ValueError, match="`x`"):
        bounds.latent_mutual_information(jax.random.key(0), x.at[3, 0].set(jnp.nan), y, **TINY)
    with pytest.raises(ValueError, match="same number of rows"):
        bounds.latent_mutual_information(jax.random.key(0), x, y[:-1], **TINY)
    with pytest.raises(ValueError, match="too few rows"):
        bounds.latent_mutual_information(jax.random.key(0), x[:3], y[:3], **TINY)
    with pytest.raises(TypeError, match="`key`"):
        bounds.latent_mutual_information(None, x, y, **TINY)
