"""Gaussian closed forms vs scipy, numerical integration and Monte Carlo."""

import math

import numpy as np
import pytest
import scipy.integrate
import scipy.stats

from infojax import measures

# Cholesky log-determinants of well-conditioned matrices (condition number < 100) in
# float64: relative error ~1e-14, so 1e-10 is a safe bound.
F64 = {"rtol": 1e-10, "atol": 1e-12}
# The comparisons at this precision are marked float64 (run with x64 enabled): a float32
# tolerance wide enough for rounding would also let small formula errors through. The
# default float32 path of these measures is checked by test_jit_vmap_grad_and_dtype in
# test_measures.py.


def random_covariance(seed, d):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(d, d))
    return a @ a.T + 0.5 * d * np.eye(d)


@pytest.mark.float64
@pytest.mark.parametrize("d", [1, 2, 5])
def test_gaussian_entropy_matches_scipy(d):
    covs = np.stack([random_covariance(seed, d) for seed in range(4)])
    expected = [scipy.stats.multivariate_normal(cov=cov).entropy() for cov in covs]
    np.testing.assert_allclose(measures.gaussian_entropy(covs), expected, **F64)
    np.testing.assert_allclose(
        measures.gaussian_entropy(covs, base=2), np.array(expected) / math.log(2), **F64
    )


@pytest.mark.float64
def test_gaussian_entropy_by_numerical_integration():
    # -int p log p dx for N(0, 2.5^2); quad's error estimate is < 1e-9 here.
    sigma = 2.5
    density = scipy.stats.norm(scale=sigma)
    value, error = scipy.integrate.quad(
        lambda x: -density.pdf(x) * density.logpdf(x), -40 * sigma, 40 * sigma, limit=200
    )
    assert error < 1e-8
    assert float(measures.gaussian_entropy(np.array([[sigma**2]]))) == pytest.approx(
        value, abs=1e-8
    )


def correlated_pairs_covariance(rhos):
    """X_i and Y_i unit-variance with correlation rho_i, pairs independent; X first."""
    k = len(rhos)
    cov = np.eye(2 * k)
    for i, rho in enumerate(rhos):
        cov[i, k + i] = cov[k + i, i] = rho
    return cov


@pytest.mark.float64
@pytest.mark.parametrize("rhos", [[0.0], [0.5], [-0.9], [0.3, 0.8, -0.99]])
def test_gaussian_mutual_information_of_correlated_pairs(rhos):
    cov = correlated_pairs_covariance(rhos)
    expected = -0.5 * sum(math.log(1 - rho**2) for rho in rhos)
    value = measures.gaussian_mutual_information_from_covariance(cov, dim_x=len(rhos))
    assert float(value) == pytest.approx(expected, abs=1e-12)


@pytest.mark.float64
@pytest.mark.parametrize(("d", "dim_x"), [(2, 1), (4, 1), (5, 3)])
def test_gaussian_mutual_information_is_difference_of_scipy_entropies(d, dim_x):
    cov = random_covariance(d, d)
    entropy = lambda c: scipy.stats.multivariate_normal(cov=c).entropy()
    expected = entropy(cov[:dim_x, :dim_x]) + entropy(cov[dim_x:, dim_x:]) - entropy(cov)
    value = measures.gaussian_mutual_information_from_covariance(cov, dim_x=dim_x)
    np.testing.assert_allclose(value, expected, **F64)


def test_gaussian_mutual_information_by_monte_carlo():
    # I = E[log p(x, y) - log p(x) - log p(y)] over 40000 draws; 5 standard errors of the
    # mean is a failure probability under 1e-6.
    d, dim_x, n = 3, 1, 40_000
    cov = random_covariance(7, d)
    rng = np.random.default_rng(0)
    samples = rng.multivariate_normal(np.zeros(d), cov, size=n)
    pointwise = (
        scipy.stats.multivariate_normal(cov=cov).logpdf(samples)
        - scipy.stats.multivariate_normal(cov=cov[:dim_x, :dim_x]).logpdf(samples[:, :dim_x])
        - scipy.stats.multivariate_normal(cov=cov[dim_x:, dim_x:]).logpdf(samples[:, dim_x:])
    )
    standard_error = pointwise.std() / math.sqrt(n)
    value = float(measures.gaussian_mutual_information_from_covariance(cov, dim_x=dim_x))
    assert abs(value - pointwise.mean()) < 5 * standard_error


def test_gaussian_kl_divergence_by_monte_carlo():
    # KL = E_p[log p(x) - log q(x)] over 40000 draws from p; tolerance 5 standard errors.
    d, n = 3, 40_000
    mean_p, mean_q = np.array([0.0, 1.0, -1.0]), np.array([0.5, 0.0, -0.5])
    cov_p, cov_q = random_covariance(1, d), random_covariance(2, d)
    rng = np.random.default_rng(1)
    samples = rng.multivariate_normal(mean_p, cov_p, size=n)
    pointwise = scipy.stats.multivariate_normal(mean_p, cov_p).logpdf(
        samples
    ) - scipy.stats.multivariate_normal(mean_q, cov_q).logpdf(samples)
    standard_error = pointwise.std() / math.sqrt(n)
    value = float(measures.gaussian_kl_divergence(mean_p, cov_p, mean_q, cov_q))
    assert abs(value - pointwise.mean()) < 5 * standard_error


@pytest.mark.float64
def test_gaussian_kl_divergence_one_dimensional_closed_form():
    # KL(N(m1, s1^2) || N(m2, s2^2)) = log(s2 / s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2.
    m1, s1, m2, s2 = 0.3, 0.7, -1.1, 1.9
    expected = math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5
    value = measures.gaussian_kl_divergence(
        np.array([m1]), np.array([[s1**2]]), np.array([m2]), np.array([[s2**2]])
    )
    assert float(value) == pytest.approx(expected, abs=1e-12)
    assert float(
        measures.gaussian_kl_divergence(
            np.array([m1]), np.array([[s1**2]]), np.array([m1]), np.array([[s1**2]])
        )
    ) == pytest.approx(0.0, abs=1e-12)


def test_gaussian_kl_divergence_batches():
    covs_p = np.stack([random_covariance(seed, 2) for seed in range(3)])
    cov_q = random_covariance(10, 2)
    means_p = np.random.default_rng(0).normal(size=(3, 2))
    mean_q = np.zeros(2)
    values = measures.gaussian_kl_divergence(means_p, covs_p, mean_q[None], cov_q[None])
    expected = [
        float(measures.gaussian_kl_divergence(m, c, mean_q, cov_q))
        for m, c in zip(means_p, covs_p, strict=True)
    ]
    assert values.shape == (3,)
    np.testing.assert_allclose(values, expected, **F64)


def test_float32_keeps_dtype():
    cov = random_covariance(3, 3).astype(np.float32)
    value = measures.gaussian_entropy(cov)
    assert value.dtype == np.float32
    # float32 Cholesky of a condition-number-~10 matrix: relative error ~1e-6.
    expected = scipy.stats.multivariate_normal(cov=cov.astype(np.float64)).entropy()
    assert float(value) == pytest.approx(expected, rel=1e-5)


NOT_PD = np.array([[1.0, 2.0], [2.0, 1.0]])
GOOD = np.eye(2)

BAD_INPUTS = [
    ("entropy-not-pd", lambda: measures.gaussian_entropy(NOT_PD), ValueError, "`cov`"),
    ("entropy-singular", lambda: measures.gaussian_entropy(np.zeros((2, 2))), ValueError, "`cov`"),
    (
        "entropy-not-symmetric",
        lambda: measures.gaussian_entropy(np.array([[1.0, 0.5], [0.0, 1.0]])),
        ValueError,
        "`cov`",
    ),
    ("entropy-nan", lambda: measures.gaussian_entropy(GOOD * np.nan), ValueError, "`cov`"),
    ("entropy-not-square", lambda: measures.gaussian_entropy(np.ones((2, 3))), ValueError, "`cov`"),
    ("entropy-1d", lambda: measures.gaussian_entropy(np.ones(2)), ValueError, "`cov`"),
    ("entropy-base", lambda: measures.gaussian_entropy(GOOD, base=1), ValueError, "`base`"),
    (
        "mi-dim-x-zero",
        lambda: measures.gaussian_mutual_information_from_covariance(GOOD, dim_x=0),
        ValueError,
        "`dim_x`",
    ),
    (
        "mi-dim-x-all",
        lambda: measures.gaussian_mutual_information_from_covariance(GOOD, dim_x=2),
        ValueError,
        "`dim_x`",
    ),
    (
        "mi-dim-x-float",
        lambda: measures.gaussian_mutual_information_from_covariance(GOOD, dim_x=1.0),
        ValueError,
        "`dim_x`",
    ),
    (
        "mi-not-pd",
        lambda: measures.gaussian_mutual_information_from_covariance(NOT_PD, dim_x=1),
        ValueError,
        "`cov`",
    ),
    (
        "kl-mean-shape",
        lambda: measures.gaussian_kl_divergence(np.zeros(3), GOOD, np.zeros(2), GOOD),
        ValueError,
        "`mean_p`",
    ),
    (
        "kl-cov-q-shape",
        lambda: measures.gaussian_kl_divergence(np.zeros(2), GOOD, np.zeros(2), np.eye(3)),
        ValueError,
        "`cov_q`",
    ),
    (
        "kl-not-pd-q",
        lambda: measures.gaussian_kl_divergence(np.zeros(2), GOOD, np.zeros(2), NOT_PD),
        ValueError,
        "`cov_q`",
    ),
    (
        "kl-not-pd-p",
        lambda: measures.gaussian_kl_divergence(np.zeros(2), NOT_PD, np.zeros(2), GOOD),
        ValueError,
        "`cov_p`",
    ),
    (
        "kl-nan-mean",
        lambda: measures.gaussian_kl_divergence(np.zeros(2), GOOD, np.array([np.nan, 0.0]), GOOD),
        ValueError,
        "`mean_q`",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_raises_naming_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
