"""Gaussian PID (MMI redundancy) from samples, against the closed form of the covariance."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from infojax.estimators import gaussian_pid
from infojax.measures import gaussian_mutual_information_from_covariance

COV = np.array(
    [
        [1.0, 0.3, 0.6],
        [0.3, 1.0, 0.5],
        [0.6, 0.5, 1.0],
    ]
)


def closed_form_atoms(cov: np.ndarray) -> dict:
    """MMI atoms of (x1, x2, y) scalars with covariance ``cov``, in nats."""

    def information(rows):
        block = cov[np.ix_([*rows, 2], [*rows, 2])]
        return float(gaussian_mutual_information_from_covariance(block, dim_x=len(rows)))

    info1, info2, total = information([0]), information([1]), information([0, 1])
    redundancy = min(info1, info2)
    return {
        ((0,), (1,)): redundancy,
        ((0,),): info1 - redundancy,
        ((1,),): info2 - redundancy,
        ((0, 1),): total - info1 - info2 + redundancy,
    }


def samples(n: int, seed: int, cov: np.ndarray = COV) -> np.ndarray:
    return np.random.default_rng(seed).multivariate_normal(np.zeros(3), cov, size=n)


@pytest.mark.float64
def test_equals_closed_form_of_the_sample_covariance():
    z = samples(2000, 0)
    result = gaussian_pid(z[:, 0], z[:, 1], z[:, 2])
    expected = closed_form_atoms(np.cov(z, rowvar=False))
    for node, value in expected.items():
        assert abs(float(result.atoms[node]) - value) < 1e-10


@pytest.mark.float64
def test_converges_to_closed_form_of_the_true_covariance():
    z = samples(200_000, 1)
    result = gaussian_pid(z[:, 0], z[:, 1], z[:, 2], base=2)
    expected = closed_form_atoms(COV)
    for node, value in expected.items():
        # Standard error of a Gaussian MI estimate at n = 2e5 is ~3e-3 nats.
        assert abs(float(result.atoms[node]) - value / np.log(2)) < 0.015
    assert abs(float(sum(result.atoms.values())) - float(result.total)) < 1e-12
    assert result.unique.shape == (2,)


@pytest.mark.float64
def test_multivariate_sources():
    rng = np.random.default_rng(2)
    mixing = rng.normal(size=(5, 5))
    cov = mixing @ mixing.T + np.eye(5)
    z = rng.multivariate_normal(np.zeros(5), cov, size=3000)
    result = gaussian_pid(z[:, :2], z[:, 2:4], z[:, 4])
    sample_cov = np.cov(z, rowvar=False)

    def information(rows):
        block = sample_cov[np.ix_([*rows, 4], [*rows, 4])]
        return float(gaussian_mutual_information_from_covariance(block, dim_x=len(rows)))

    info1, info2, total = information([0, 1]), information([2, 3]), information([0, 1, 2, 3])
    assert abs(float(result.redundancy) - min(info1, info2)) < 1e-10
    assert abs(float(result.synergy) - (total - max(info1, info2))) < 1e-10


def test_jit_vmap_float32_and_grad():
    z = jnp.asarray(samples(500, 3), jnp.float32)
    eager = gaussian_pid(z[:, 0], z[:, 1], z[:, 2])
    assert eager.synergy.dtype == jnp.float32
    compiled = jax.jit(gaussian_pid)(z[:, 0], z[:, 1], z[:, 2])
    np.testing.assert_allclose(compiled.synergy, eager.synergy, rtol=1e-5)
    batch = jnp.stack([z, z[::-1] * 2.0])
    batched = jax.vmap(lambda s: gaussian_pid(s[:, 0], s[:, 1], s[:, 2]))(batch)
    np.testing.assert_allclose(batched.synergy, [eager.synergy] * 2, rtol=1e-4)
    np.testing.assert_allclose(batched.unique, [eager.unique] * 2, rtol=1e-4, atol=1e-6)
    grad = jax.grad(lambda s: gaussian_pid(s[:, 0], s[:, 1], s[:, 2]).synergy)(z)
    assert np.isfinite(np.asarray(grad)).all()


@pytest.mark.float64
def test_float32_close_to_float64():
    z = samples(500, 4)
    r64 = gaussian_pid(z[:, 0], z[:, 1], z[:, 2])
    r32 = gaussian_pid(*(jnp.asarray(z[:, i], jnp.float32) for i in range(3)))
    for node in r64.atoms:
        assert abs(float(r32.atoms[node]) - float(r64.atoms[node])) < 1e-4


def test_bad_inputs():
    z = samples(100, 5)
    with pytest.raises(ValueError, match="same number of rows"):
        gaussian_pid(z[:, 0], z[:50, 1], z[:, 2])
    with pytest.raises(ValueError, match="`x2`"):
        gaussian_pid(z[:, 0], np.ones(100), z[:, 2])
    with pytest.raises(ValueError, match="`x1`, `x2` and `y` need more samples"):
        gaussian_pid(z[:3, 0], z[:3, 1], z[:3, 2])
    with pytest.raises(ValueError, match="linearly dependent"):
        gaussian_pid(z[:, 0], z[:, 1], z[:, 0] + z[:, 1])
    with pytest.raises(ValueError, match="`base`"):
        functools.partial(gaussian_pid, base=-1)(z[:, 0], z[:, 1], z[:, 2])
