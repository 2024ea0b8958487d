"""Higher-order information from samples: Gaussian, Gaussian-copula and KSG estimators of
TC, DTC and O-information, and the all-multiplets call.

References: closed forms of a known covariance (log-determinants of its blocks, NumPy),
plain NumPy statistics of the same samples, a slow NumPy KSG written here, and the
existing two-variable estimators. The registry-wide checks (jit, vmap, dtype, NaN/inf,
3-D samples, ties, constant columns, gradients) run in tests/test_registry.py.
"""

import importlib.util
import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special
import scipy.stats

from infojax import estimators
from infojax.estimators import gaussian_copula_o_information_multiplets

QUANTITIES = ("total_correlation", "dual_total_correlation", "o_information")
COVARIANCE = np.array(
    [
        [1.0, 0.6, 0.3, 0.2],
        [0.6, 1.0, 0.4, 0.1],
        [0.3, 0.4, 1.0, 0.5],
        [0.2, 0.1, 0.5, 1.0],
    ]
)


def half_logdet(cov, subset):
    block = cov[np.ix_(subset, subset)]
    return 0.5 * np.linalg.slogdet(block)[1]


def closed_form(cov, bias=None):
    """TC, DTC and O-information (nats) from half log-determinants of the blocks of
    ``cov``; ``bias(d)``, if given, is subtracted from each block of size d."""
    p = cov.shape[0]
    everything = list(range(p))

    def h(subset):
        value = half_logdet(cov, subset)
        return value - bias(len(subset)) if bias else value

    total = sum(h([i]) for i in everything) - h(everything)
    dual = sum(h([j for j in everything if j != i]) for i in everything) - (p - 1) * h(everything)
    return {
        "total_correlation": total,
        "dual_total_correlation": dual,
        "o_information": total - dual,
    }


def gaussian_samples(seed, n, cov=COVARIANCE):
    return np.random.default_rng(seed).multivariate_normal(np.zeros(len(cov)), cov, size=n)


def estimator(family, quantity):
    return getattr(estimators, f"{family}_{quantity}")


# --- Gaussian: exact against NumPy statistics of the same samples -----------------------


@pytest.mark.float64
@pytest.mark.parametrize("quantity", QUANTITIES)
def test_gaussian_equals_numpy_statistics_of_the_samples(quantity):
    x = 3.0 * gaussian_samples(0, 300) + 1.0
    sample_cov = np.cov(x, rowvar=False)
    n = x.shape[0]
    np.testing.assert_allclose(
        estimator("gaussian", quantity)(x), closed_form(sample_cov)[quantity], rtol=1e-10
    )

    # The bias of a half log-determinant of a d x d block (Ince et al. 2017), written
    # here with scipy: sum_i psi((n - i) / 2) / 2 + d (log 2 - log(n - 1)) / 2.
    def bias(d):
        i = np.arange(1, d + 1)
        return scipy.special.digamma((n - i) / 2).sum() / 2 + d * (math.log(2 / (n - 1))) / 2

    corrected = estimator("gaussian", quantity)(x, bias_correction=True, base=2)
    np.testing.assert_allclose(
        corrected, closed_form(sample_cov, bias)[quantity] / math.log(2), rtol=1e-10
    )


# Replicates: the tolerance is the estimator's own standard error, measured over
# independent sample sets (a 4-sigma bound on the mean of the replicates).
N_REPLICATES = 64
N_PER_REPLICATE = 4000


@pytest.mark.float64
@pytest.mark.parametrize("family", ["gaussian", "gaussian_copula"])
def test_gaussian_estimators_recover_the_closed_form(family):
    truth = closed_form(COVARIANCE)
    replicates = jnp.asarray(
        np.stack([gaussian_samples(seed, N_PER_REPLICATE) for seed in range(N_REPLICATES)])
    )
    for quantity in QUANTITIES:
        fn = estimator(family, quantity)
        values = np.asarray(jax.vmap(lambda x, fn=fn: fn(x, bias_correction=True))(replicates))
        standard_error = values.std(ddof=1)
        # About 0.006-0.01 nats at n = 4000 (measured), i.e. 1/sqrt(n) in size.
        assert 0.001 < standard_error < 0.03, (quantity, standard_error)
        assert abs(values.mean() - truth[quantity]) < 4 * standard_error / math.sqrt(
            N_REPLICATES
        ), (quantity, values.mean(), truth[quantity], standard_error)


def test_signs_follow_redundancy_and_synergy():
    rng = np.random.default_rng(1)
    source = rng.normal(size=(3000, 1))
    redundant = source + 0.5 * rng.normal(size=(3000, 3))
    a, b = rng.normal(size=(2, 3000))
    synergistic = np.stack([a, b, a + b + 0.3 * rng.normal(size=3000)], axis=1)
    for family in ("gaussian", "gaussian_copula", "ksg"):
        o_information = estimator(family, "o_information")
        assert float(o_information(redundant)) > 0.2, family
        assert float(o_information(synergistic)) < -0.2, family


def test_two_columns_give_the_mutual_information_and_zero_o_information():
    x = gaussian_samples(2, 2000)[:, :2]
    mi = estimators.gaussian_mutual_information(x[:, 0], x[:, 1])
    for quantity in ("total_correlation", "dual_total_correlation"):
        np.testing.assert_allclose(estimator("gaussian", quantity)(x), mi, rtol=1e-5)
    np.testing.assert_allclose(estimators.gaussian_o_information(x), 0.0, atol=1e-6)
    ksg_mi = estimators.ksg_mutual_information(x[:300, 0], x[:300, 1], backend="jax")
    np.testing.assert_allclose(estimators.ksg_total_correlation(x[:300]), ksg_mi, rtol=1e-5)


# --- Gaussian copula ---------------------------------------------------------------------


@pytest.mark.float64
@pytest.mark.parametrize("quantity", QUANTITIES)
def test_copula_is_invariant_under_monotone_transforms(quantity):
    x = gaussian_samples(3, 1000)
    transformed = np.stack([np.exp(x[:, 0]), x[:, 1] ** 3, np.arctan(x[:, 2]), 5 * x[:, 3] - 2], 1)
    fn = estimator("gaussian_copula", quantity)
    np.testing.assert_allclose(fn(transformed), fn(x), rtol=1e-12)
    assert abs(float(fn(transformed)) - float(estimator("gaussian", quantity)(transformed))) > 1e-3


# --- multiplets ----------------------------------------------------------------------------


def normal_scores(x):
    """Standard-normal scores of the ranks / (n + 1) of each column (scipy)."""
    ranks = scipy.stats.rankdata(x, axis=0, method="ordinal")
    return scipy.stats.norm.ppf(ranks / (x.shape[0] + 1))


@pytest.mark.float64
def test_multiplets_equal_a_loop_over_the_combinations():
    x = np.random.default_rng(4).normal(size=(500, 6)) @ np.random.default_rng(5).normal(
        size=(6, 6)
    )
    x[:, 1] = np.exp(x[:, 1])
    result = gaussian_copula_o_information_multiplets(x, sizes=(3, 5, 2), base=2)
    expected_rows = [c for m in (3, 5, 2) for c in itertools.combinations(range(6), m)]
    assert result.multiplets.shape == (len(expected_rows), 5)
    assert result.multiplets.dtype == result.sizes.dtype == jnp.int32
    assert result.o_information.dtype == jnp.float64
    for row, combination in enumerate(expected_rows):
        m = len(combination)
        assert int(result.sizes[row]) == m
        assert tuple(np.asarray(result.multiplets[row, :m])) == combination
        assert np.all(np.asarray(result.multiplets[row, m:]) == -1)
    # Plain NumPy: the closed form of the covariance of the normal scores of each
    # multiplet, with the bias of each block of size d removed.
    n = x.shape[0]
    cov = np.cov(normal_scores(x), rowvar=False)

    def bias(d):
        return scipy.special.digamma((n - np.arange(1, d + 1)) / 2).sum() / 2

    looped = [closed_form(cov[np.ix_(c, c)], bias) for c in expected_rows]
    for quantity in QUANTITIES:
        expected = np.array([values[quantity] for values in looped]) / math.log(2)
        np.testing.assert_allclose(getattr(result, quantity), expected, rtol=1e-9, atol=1e-12)
    # And the single-set estimators on a few of the multiplets.
    for row in (0, 21, len(expected_rows) - 1):
        columns = list(expected_rows[row])
        single = estimators.gaussian_copula_o_information(x[:, columns], base=2)
        np.testing.assert_allclose(result.o_information[row], single, rtol=1e-10, atol=1e-13)


def test_multiplets_under_jit_and_vmap():
    batch = jnp.asarray(np.random.default_rng(6).normal(size=(3, 200, 5)))
    fn = jax.jit(lambda x: gaussian_copula_o_information_multiplets(x, sizes=(3, 4)))
    looped = np.stack([np.asarray(fn(x).o_information) for x in batch])
    batched = jax.vmap(fn)(batch)
    assert batched.o_information.shape == (3, 15)
    assert batched.o_information.dtype == jnp.float32
    np.testing.assert_allclose(batched.o_information, looped, rtol=1e-5, atol=1e-6)
    eager = gaussian_copula_o_information_multiplets(batch[0], sizes=(3, 4))
    np.testing.assert_allclose(eager.o_information, looped[0], rtol=1e-5, atol=1e-6)


def test_multiplets_bad_input_names_the_argument():
    x = np.random.default_rng(7).normal(size=(100, 4))
    for sizes in ((1,), (5,), (), (3, 3)):
        with pytest.raises(ValueError, match="`sizes`"):
            gaussian_copula_o_information_multiplets(x, sizes=sizes)
    with pytest.raises(TypeError, match="`sizes`"):
        gaussian_copula_o_information_multiplets(x, sizes=(3.0,))
    with pytest.raises(ValueError, match="`x`"):
        gaussian_copula_o_information_multiplets(np.c_[x, x[:, 0]], sizes=3)


# --- k-nearest neighbours ------------------------------------------------------------------


def ksg_multi_information_reference(x, k):
    """KSG algorithm 1 for m one-dimensional variables, slowly, in NumPy."""
    n, p = x.shape
    differences = np.abs(x[:, None, :] - x[None, :, :])  # (n, n, p)
    differences[np.arange(n), np.arange(n), :] = np.inf
    eps = np.sort(differences.max(axis=2), axis=1)[:, k - 1]
    counts = (differences < eps[:, None, None]).sum(axis=1)  # (n, p)
    return (
        scipy.special.digamma(k)
        + (p - 1) * scipy.special.digamma(n)
        - scipy.special.digamma(counts + 1).sum(axis=1).mean()
    )


def ksg_reference(x, k):
    p = x.shape[1]
    total = ksg_multi_information_reference(x, k)
    left_out = [ksg_multi_information_reference(np.delete(x, j, axis=1), k) for j in range(p)]
    omega = (2 - p) * total + sum(left_out)
    return {
        "total_correlation": total,
        "dual_total_correlation": total - omega,
        "o_information": omega,
    }


@pytest.mark.float64
def test_ksg_equals_the_numpy_reference():
    x = gaussian_samples(8, 150)
    expected = ksg_reference(x, k=2)
    for quantity in QUANTITIES:
        value = estimator("ksg", quantity)(x, k=2, block_size=32)
        np.testing.assert_allclose(value, expected[quantity], rtol=1e-10, atol=1e-12)


# The k-NN estimates of DTC and O-information combine p + 1 separate searches and vary
# more than TC: at n = 1000, k = 3, their standard deviation over sample sets is about
# 0.05-0.09 nats (TC: 0.02-0.05; measured). The tolerance is 4 standard errors of the
# mean of the replicates, from their own spread; the bias of KSG on these Gaussians is
# below it (measured: at most 0.02 nats).
N_KSG_REPLICATES = 16


@pytest.mark.parametrize("cov", [COVARIANCE, np.eye(4)], ids=["correlated", "independent"])
def test_ksg_recovers_the_gaussian_closed_form(cov):
    truth = closed_form(cov)
    replicates = jnp.asarray(
        np.stack([gaussian_samples(seed, 1000, cov) for seed in range(N_KSG_REPLICATES)]),
        jnp.float32,
    )
    for quantity in QUANTITIES:
        fn = estimator("ksg", quantity)
        values = np.asarray(jax.vmap(lambda x, fn=fn: fn(x, block_size=64))(replicates))
        standard_error = values.std(ddof=1) / math.sqrt(N_KSG_REPLICATES)
        assert standard_error < 0.03, (quantity, standard_error)
        assert abs(values.mean() - truth[quantity]) < 4 * standard_error, (
            quantity,
            values.mean(),
            truth[quantity],
            standard_error,
        )


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize("family", ["gaussian", "gaussian_copula", "ksg"])
def test_bad_input_names_the_argument(family):
    fn = estimator(family, "o_information")
    x = gaussian_samples(12, 50)
    with pytest.raises(ValueError, match="`x` must have at least 2 columns"):
        fn(x[:, :1])
    with pytest.raises(ValueError, match="`base`"):
        fn(x, base=-1)
    if family != "ksg":
        with pytest.raises(ValueError, match="`x` needs more samples than columns"):
            fn(x[:4])
        with pytest.raises(ValueError, match=r"`x`.*linearly dependent"):
            fn(np.c_[x, x[:, 0] + 2 * x[:, 1]] if family == "gaussian" else np.c_[x, x[:, 0] ** 3])
    else:
        with pytest.raises(ValueError, match="`k`"):
            fn(x, k=50)


@pytest.mark.slow  # HOI compiles its scan for every multiplet size: 15-40 s
def test_benchmark_smoke():
    if importlib.util.find_spec("hoi") is None:
        pytest.skip("HOI (the optional bench extra) is not installed")
    from experiments import bench_higher_order

    result = bench_higher_order.main(
        ["--columns", "6", "--samples", "400", "--max-size", "4", "--repeats", "1"]
    )
    assert result["max_difference_bits"] < 1e-5
