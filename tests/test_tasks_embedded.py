"""Embedded high-dimensional tasks: closed-form MI, densities, shapes, determinism."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from infojax import tasks

BASE = tasks.canonical_normal_task([0.8, 0.8])


def _gaussian_mutual_information(cov, dim_x):
    def logdet(matrix):
        return np.linalg.slogdet(matrix)[1]

    return 0.5 * (logdet(cov[:dim_x, :dim_x]) + logdet(cov[dim_x:, dim_x:]) - logdet(cov))


def _embedded_covariance(task):
    """Covariance of the embedded Gaussian: Q diag(base block, I) Q^T on each side."""
    params = task.params
    base_cov = BASE.params["cov"]
    base_x, base_y = params["base_dim_x"], params["base_dim_y"]
    padded = np.eye(task.dim_x + task.dim_y)
    padded[:base_x, :base_x] = base_cov[:base_x, :base_x]
    padded[:base_x, task.dim_x : task.dim_x + base_y] = base_cov[:base_x, base_x:]
    padded[task.dim_x : task.dim_x + base_y, :base_x] = base_cov[base_x:, :base_x]
    padded[task.dim_x : task.dim_x + base_y, task.dim_x : task.dim_x + base_y] = base_cov[
        base_x:, base_x:
    ]
    rotation = np.zeros_like(padded)
    rotation[: task.dim_x, : task.dim_x] = params["rotation_x"]
    rotation[task.dim_x :, task.dim_x :] = params["rotation_y"]
    return rotation @ padded @ rotation.T


def test_random_rotation_is_orthogonal_and_seeded():
    q = tasks.random_rotation(7, seed=3)
    np.testing.assert_allclose(q @ q.T, np.eye(7), atol=1e-12)
    np.testing.assert_array_equal(q, tasks.random_rotation(7, seed=3))
    assert not np.allclose(q, tasks.random_rotation(7, seed=4))


@pytest.mark.parametrize(("dim_x", "dim_y"), [(2, 2), (5, 3), (40, 60)])
def test_mutual_information_equals_gaussian_closed_form(dim_x, dim_y):
    task = tasks.embedded_task(BASE, dim_x, dim_y, seed=2)
    cov = _embedded_covariance(task)
    assert task.mutual_information == BASE.mutual_information
    np.testing.assert_allclose(
        _gaussian_mutual_information(cov, dim_x), task.mutual_information, rtol=1e-10
    )
    # -log(1 - 0.8^2), the canonical-correlation formula.
    np.testing.assert_allclose(task.mutual_information, -np.log(1 - 0.64), rtol=1e-12)


@pytest.mark.float64
def test_log_density_matches_scipy_multivariate_normal():
    task = tasks.embedded_task(BASE, 6, 4, seed=1)
    cov = _embedded_covariance(task)
    x, y = task.sample(jax.random.key(0), 50)
    log_joint, log_x, log_y = task.log_densities(x, y)
    xy = np.concatenate([np.asarray(x), np.asarray(y)], axis=1)
    np.testing.assert_allclose(log_joint, stats.multivariate_normal(cov=cov).logpdf(xy), rtol=1e-9)
    np.testing.assert_allclose(
        log_x, stats.multivariate_normal(cov=cov[:6, :6]).logpdf(np.asarray(x)), rtol=1e-9
    )
    np.testing.assert_allclose(
        log_y, stats.multivariate_normal(cov=cov[6:, 6:]).logpdf(np.asarray(y)), rtol=1e-9
    )


def test_samples_have_the_embedded_covariance():
    task = tasks.embedded_task(BASE, 8, 8, seed=0)
    x, y = task.sample(jax.random.key(1), 20000)
    empirical = np.cov(np.concatenate([x, y], axis=1).T)
    # Entries of a sample covariance of unit-scale variables have sd ~ 1/sqrt(n) = 0.007.
    np.testing.assert_allclose(empirical, _embedded_covariance(task), atol=0.04)


def test_pointwise_mutual_information_averages_to_the_true_value():
    task = tasks.high_dimensional_suite()[0]
    x, y = task.sample(jax.random.key(2), 4000)
    pmi = task.pointwise_mutual_information(x, y)
    # The pointwise MI has sd ~ 1.4 here: its mean over 4000 pairs has sd ~ 0.02.
    assert abs(float(jnp.mean(pmi)) - task.mutual_information) < 0.1


def test_shapes_dtype_and_determinism():
    task = tasks.embedded_task(BASE, 30, 20, seed=5)
    x, y = task.sample(jax.random.key(3), 64)
    assert x.shape == (64, 30) and y.shape == (64, 20)
    assert x.dtype == y.dtype == jnp.float32
    x_again, _ = task.sample(jax.random.key(3), 64)
    np.testing.assert_array_equal(x, x_again)
    rebuilt = tasks.embedded_task(BASE, 30, 20, seed=5)
    np.testing.assert_array_equal(rebuilt.sample(jax.random.key(3), 64)[0], x)
    other_seed = tasks.embedded_task(BASE, 30, 20, seed=6)
    assert not np.allclose(other_seed.sample(jax.random.key(3), 64)[0], x)
    assert task.name == "normal-canonical-2x2-rho0.8_0.8-in-30x20-seed5"
    assert task.family == "normal" and task.transforms == ("embedded",)


@pytest.mark.float64
def test_float64_samples_and_densities():
    task = tasks.embedded_task(BASE, 10, 10)
    x, y = task.sample(jax.random.key(4), 16, dtype=jnp.float64)
    assert x.dtype == jnp.float64
    assert task.pointwise_mutual_information(x, y).dtype == jnp.float64


def test_transform_keeps_mutual_information_and_pointwise_values():
    plain = tasks.embedded_task(BASE, 12, 12)
    bent = tasks.embedded_task(BASE, 12, 12, transform=tasks.half_cube_transform())
    assert bent.mutual_information == plain.mutual_information
    assert bent.transforms == ("embedded", "half_cube-x", "half_cube-y")
    x, y = plain.sample(jax.random.key(5), 32)
    bent_x, bent_y = bent.sample(jax.random.key(5), 32)
    np.testing.assert_allclose(bent_x, jnp.sign(x) * jnp.abs(x) ** 1.5, rtol=1e-5)
    np.testing.assert_allclose(
        bent.pointwise_mutual_information(bent_x, bent_y),
        plain.pointwise_mutual_information(x, y),
        rtol=1e-3,
        atol=1e-3,
    )


def test_high_dimensional_suite():
    suite = tasks.high_dimensional_suite()
    names = [task.name for task in suite]
    assert len(set(names)) == len(names) == 5
    assert all(min(task.dim_x, task.dim_y) >= 100 for task in suite)
    assert not set(names) & {task.name for task in tasks.default_suite()}


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (("not a task", 10, 10), {}, TypeError, "`task`"),
        ((BASE, 1, 10), {}, ValueError, "`dim_x`"),
        ((BASE, 10, 1), {}, ValueError, "`dim_y`"),
        ((BASE, 0, 10), {}, ValueError, "`dim_x`"),
        ((BASE, 10.0, 10), {}, TypeError, "`dim_x`"),
        ((BASE, 10, 10), {"seed": -1}, ValueError, "`seed`"),
        ((BASE, 10, 10), {"transform": "asinh"}, TypeError, "`transform`"),
        ((BASE, 10, 10), {"transform": tasks.swiss_roll_transform()}, ValueError, "`transform`"),
        ((tasks.discrete_continuous_task(n_symbols=3), 10, 10), {}, ValueError, "discrete"),
    ],
)
def test_bad_arguments_raise(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        tasks.embedded_task(*args, **kwargs)
