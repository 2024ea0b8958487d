"""Bayes' theorem: hand computation, conjugate closed forms, sequential updates, transforms.

References are independent of infojax: hand arithmetic, ``scipy.stats.beta`` /
``scipy.stats.dirichlet`` densities and ``scipy.special.betaln`` / ``gammaln`` for the
conjugate posteriors and marginal likelihoods.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special
import scipy.stats

from infojax import bayes

# Products and sums of <= a few thousand float64 terms: rounding far below 1e-10.
F64 = {"rtol": 1e-10, "atol": 1e-12}
# Default float32: inputs round to 6e-8 relative, and products and sums of a few terms
# add a few ulps more.
F32 = {"rtol": 1e-6, "atol": 1e-7}
# float32 on a grid of thousands of hypotheses: each posterior value is a product of
# rounded terms divided by a sum over the grid; measured up to 2.4e-6 relative.
F32_GRID = {"rtol": 1e-5, "atol": 1e-15}
# float32 log-posteriors down to -53, where the float32 spacing is 3.8e-6.
F32_LOG = {"rtol": 1e-6, "atol": 1e-5}

PRIOR = np.array([0.1, 0.3, 0.2, 0.4])
LIKELIHOOD = np.array([0.2, 0.3, 0.1, 0.4])


def test_evidence_and_posterior_by_hand():
    # p(d) = 0.1*0.2 + 0.3*0.3 + 0.2*0.1 + 0.4*0.4 = 0.02 + 0.09 + 0.02 + 0.16 = 0.29.
    # Default float32 (as users run): a few ulps of rounding, see F32.
    assert float(bayes.evidence(PRIOR, LIKELIHOOD)) == pytest.approx(0.29, rel=1e-6)
    expected = np.array([0.02, 0.09, 0.02, 0.16]) / 0.29
    np.testing.assert_allclose(bayes.posterior(PRIOR, LIKELIHOOD), expected, **F32)
    assert float(jnp.sum(bayes.posterior(PRIOR, LIKELIHOOD))) == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(
        bayes.log_evidence(np.log(PRIOR), np.log(LIKELIHOOD)), math.log(0.29), **F32
    )
    np.testing.assert_allclose(
        bayes.log_posterior(np.log(PRIOR), np.log(LIKELIHOOD)), np.log(expected), **F32
    )


def test_zero_prior_mass_stays_zero():
    prior = np.array([0.0, 0.5, 0.5])
    likelihood = np.array([0.9, 0.2, 0.6])
    np.testing.assert_allclose(bayes.posterior(prior, likelihood), [0.0, 0.25, 0.75], **F64)
    with np.errstate(divide="ignore"):
        log_prior = np.log(prior)
    log_post = bayes.log_posterior(log_prior, np.log(likelihood))
    assert float(log_post[0]) == -math.inf
    np.testing.assert_allclose(np.exp(log_post), [0.0, 0.25, 0.75], **F64)


def test_batched_likelihoods_broadcast_against_one_prior():
    likelihoods = np.array([[0.2, 0.3, 0.1, 0.4], [1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.5, 0.5]])
    expected = PRIOR * likelihoods / (PRIOR * likelihoods).sum(-1, keepdims=True)
    np.testing.assert_allclose(bayes.posterior(PRIOR, likelihoods), expected, **F32)
    np.testing.assert_allclose(
        bayes.evidence(PRIOR, likelihoods), (PRIOR * likelihoods).sum(-1), **F32
    )


# 1e-300 is far below float32's range (smallest normal 1.2e-38).
@pytest.mark.float64
def test_tiny_likelihoods_give_a_correct_posterior():
    prior = np.full(4, 0.25)
    # 1e-300 * 0.25 is still a normal float64 (XLA on CPU flushes subnormals to zero).
    likelihood = np.array([1e-300, 3e-300, 0.0, 2e-300])
    np.testing.assert_allclose(bayes.posterior(prior, likelihood), [1 / 6, 3 / 6, 0, 2 / 6], **F64)
    # Likelihoods of e^-800 underflow to 0 as probabilities; in log space the posterior is
    # softmax(-800 - [0, 1, 2]) = [1, e^-1, e^-2] / (1 + e^-1 + e^-2).
    log_likelihood = -800.0 - np.array([0.0, 1.0, 2.0])
    weights = np.exp(-np.array([0.0, 1.0, 2.0]))
    log_post = bayes.log_posterior(np.log(np.full(3, 1 / 3)), log_likelihood)
    np.testing.assert_allclose(np.exp(log_post), weights / weights.sum(), **F64)
    expected_log_evidence = -800.0 + math.log(weights.sum() / 3)
    np.testing.assert_allclose(
        bayes.log_evidence(np.log(np.full(3, 1 / 3)), log_likelihood), expected_log_evidence, **F64
    )


# --- conjugate closed forms -------------------------------------------------------------


def beta_grid(num_points):
    """Midpoints of ``num_points`` equal cells of (0, 1)."""
    return (np.arange(num_points) + 0.5) / num_points


@pytest.mark.parametrize(
    ("a", "b", "successes", "trials"), [(1, 1, 3, 5), (2, 3, 7, 10), (2.5, 1.5, 0, 4)]
)
def test_beta_bernoulli_posterior_on_a_grid(a, b, successes, trials):
    theta = beta_grid(2000)
    prior = scipy.stats.beta.pdf(theta, a, b)
    prior /= prior.sum()
    likelihood = theta**successes * (1 - theta) ** (trials - successes)
    # On the grid the conjugate update is exact: posterior ~ Beta(a + k, b + n - k) pdf.
    expected = scipy.stats.beta.pdf(theta, a + successes, b + trials - successes)
    expected /= expected.sum()
    np.testing.assert_allclose(bayes.posterior(prior, likelihood), expected, **F32_GRID)
    log_post = bayes.log_posterior(np.log(prior), np.log(likelihood))
    np.testing.assert_allclose(np.exp(log_post), expected, **F32_GRID)
    # The evidence is a ratio of two midpoint sums, each within O(1/N^2) of its integral:
    # with N = 2000 and these smooth densities the log error is below 1e-5.
    exact = scipy.special.betaln(a + successes, b + trials - successes) - scipy.special.betaln(a, b)
    assert float(jnp.log(bayes.evidence(prior, likelihood))) == pytest.approx(exact, abs=1e-5)


def test_beta_bernoulli_log_evidence_converges_as_the_grid_refines():
    a, b, successes, trials = 2.0, 3.0, 7, 10
    exact = scipy.special.betaln(a + successes, b + trials - successes) - scipy.special.betaln(a, b)
    errors = []
    for num_points in (50, 200, 800):
        theta = beta_grid(num_points)
        prior = scipy.stats.beta.pdf(theta, a, b)
        prior /= prior.sum()
        log_likelihood = successes * np.log(theta) + (trials - successes) * np.log1p(-theta)
        errors.append(abs(float(bayes.log_evidence(np.log(prior), log_likelihood)) - exact))
    # Midpoint rule: error ~ 1/N^2, so each 4x refinement cuts it ~16x (at least 8x here).
    assert errors[1] < errors[0] / 8
    assert errors[2] < errors[1] / 8
    assert errors[2] < 1e-5


def simplex_grid(num_steps):
    """Interior points (i, j, N - i - j) / N of the 2-simplex, all coordinates >= 1/N."""
    points = [
        (i, j, num_steps - i - j) for i in range(1, num_steps) for j in range(1, num_steps - i)
    ]
    return np.array(points, dtype=float) / num_steps


def test_dirichlet_categorical_posterior_on_a_simplex_grid():
    alpha = np.array([2.0, 3.0, 2.5])
    counts = np.array([4, 1, 2])
    theta = simplex_grid(120)
    prior = scipy.stats.dirichlet.pdf(theta.T, alpha)
    prior /= prior.sum()
    log_likelihood = (counts * np.log(theta)).sum(-1)
    expected = scipy.stats.dirichlet.pdf(theta.T, alpha + counts)
    expected /= expected.sum()
    np.testing.assert_allclose(bayes.posterior(prior, np.exp(log_likelihood)), expected, **F32_GRID)
    np.testing.assert_allclose(
        np.exp(bayes.log_posterior(np.log(prior), log_likelihood)), expected, **F32_GRID
    )
    # log B(alpha + n) - log B(alpha) with B(a) = prod Gamma(a_i) / Gamma(sum a). The grid
    # sums are lattice rules for densities vanishing on the boundary, log error O(1/N^2):
    # measured 8.8e-4, 2.2e-4, 5.3e-5 at N = 60, 120, 240.
    log_beta = lambda a: scipy.special.gammaln(a).sum() - scipy.special.gammaln(a.sum())
    exact = log_beta(alpha + counts) - log_beta(alpha)
    value = float(bayes.log_evidence(np.log(prior), log_likelihood))
    assert value == pytest.approx(exact, abs=1e-3)


# --- sequential updates -----------------------------------------------------------------


def bernoulli_log_likelihoods(theta, observations):
    """(T, H) table of log p(x_t | theta_h) for binary observations."""
    x = np.asarray(observations, dtype=float)[:, None]
    return x * np.log(theta) + (1 - x) * np.log1p(-theta)


def test_sequential_update_equals_one_batch_update():
    a, b = 2.0, 2.0
    observations = [1, 0, 1, 1, 1, 0, 1, 1]
    theta = beta_grid(1000)
    prior = scipy.stats.beta.pdf(theta, a, b)
    log_prior = np.log(prior / prior.sum())
    log_likelihoods = bernoulli_log_likelihoods(theta, observations)
    result = bayes.sequential_update(log_prior, log_likelihoods)
    assert result.log_posteriors.shape == (len(observations), theta.size)
    assert result.log_evidence.shape == (len(observations),)
    # Conditionally independent observations: one update with the summed log-likelihood.
    batch = bayes.log_posterior(log_prior, log_likelihoods.sum(0))
    np.testing.assert_allclose(result.log_posterior, batch, **F32_LOG)
    np.testing.assert_allclose(result.log_posteriors[-1], result.log_posterior, **F64)
    for t in range(len(observations)):
        partial = bayes.log_posterior(log_prior, log_likelihoods[: t + 1].sum(0))
        np.testing.assert_allclose(result.log_posteriors[t], partial, **F32_LOG)
    # Summed log predictive probabilities = the log marginal likelihood of the sequence
    # (eight float32 log-sum-exps of about -1 each: a few ulps of 6e-8 each).
    total = float(jnp.sum(result.log_evidence))
    assert total == pytest.approx(
        float(bayes.log_evidence(log_prior, log_likelihoods.sum(0))), abs=1e-6
    )
    k, n = sum(observations), len(observations)
    exact = scipy.special.betaln(a + k, b + n - k) - scipy.special.betaln(a, b)
    # Midpoint rule on 1000 cells: log error below 1e-5 (see the grid tests above).
    assert total == pytest.approx(exact, abs=1e-5)
    # Each step's evidence is the Beta-Bernoulli predictive:
    # p(x_t = 1 | x_1..x_{t-1}) = (a + k) / (a + b + t - 1), k successes so far.
    successes = np.concatenate([[0], np.cumsum(observations)[:-1]])
    p_one = (a + successes) / (a + b + np.arange(n))
    predictive = np.where(np.array(observations) == 1, p_one, 1 - p_one)
    np.testing.assert_allclose(np.exp(result.log_evidence), predictive, atol=1e-5)


def test_sequential_update_with_batched_priors():
    theta = beta_grid(50)
    priors = np.stack([scipy.stats.beta.pdf(theta, a, 2.0) for a in (1.0, 3.0)])
    log_priors = np.log(priors / priors.sum(-1, keepdims=True))
    log_likelihoods = bernoulli_log_likelihoods(theta, [1, 1, 0])
    result = bayes.sequential_update(log_priors, log_likelihoods[:, None, :])
    assert result.log_posterior.shape == (2, 50)
    assert result.log_evidence.shape == (3, 2)
    for i in range(2):
        expected = bayes.log_posterior(log_priors[i], log_likelihoods.sum(0))
        np.testing.assert_allclose(result.log_posterior[i], expected, **F32_LOG)


# --- jit, vmap, grad, dtype -------------------------------------------------------------

LOG_PRIOR_WITH_ZERO = np.log(np.array([0.5, 0.3, 0.2, 1e-300])) + np.array([0, 0, 0, -np.inf])


def _posterior_reference(prior, likelihood):
    joint = prior * likelihood
    return joint / joint.sum()


def _log_posterior_reference(log_prior, log_likelihood):
    joint = log_prior + log_likelihood
    return joint - scipy.special.logsumexp(joint)


def _sequential_reference(log_prior, log_likelihoods):
    """A Python loop of single updates: (final, history, log predictive per step)."""
    belief, history, log_predictive = log_prior, [], []
    for log_likelihood in log_likelihoods:
        log_predictive.append(scipy.special.logsumexp(belief + log_likelihood))
        belief = _log_posterior_reference(belief, log_likelihood)
        history.append(belief)
    return belief, np.stack(history), np.array(log_predictive)


def _prior_and_likelihood(seed):
    return np.array([0.5, 0.0, 0.3, 0.2]), np.random.default_rng(seed).random(4) * [1, 1, 0, 1]


def _log_prior_and_likelihood(seed, shape=(4,)):
    return LOG_PRIOR_WITH_ZERO, np.random.default_rng(seed).normal(size=shape)


# name: (function, example arguments from a seed, float64 reference, scalar reduction
# for the gradient). Priors carry a zero (or -inf log) entry and likelihoods a zero, so
# gradients are checked at the boundary.
TRANSFORM_CASES = {
    "evidence": (
        bayes.evidence,
        _prior_and_likelihood,
        lambda prior, likelihood: (prior * likelihood).sum(),
        lambda out: out,
    ),
    "posterior": (
        bayes.posterior,
        _prior_and_likelihood,
        _posterior_reference,
        lambda out: jnp.sum(out * jnp.arange(4)),
    ),
    "log_evidence": (
        bayes.log_evidence,
        _log_prior_and_likelihood,
        lambda log_prior, log_likelihood: scipy.special.logsumexp(log_prior + log_likelihood),
        lambda out: out,
    ),
    "log_posterior": (
        bayes.log_posterior,
        _log_prior_and_likelihood,
        _log_posterior_reference,
        lambda out: jnp.sum(jnp.exp(out) * jnp.arange(4)),
    ),
    "sequential_update": (
        bayes.sequential_update,
        lambda s: _log_prior_and_likelihood(s, (3, 4)),
        _sequential_reference,
        lambda out: jnp.sum(jnp.exp(out.log_posterior) * jnp.arange(4)) + jnp.sum(out.log_evidence),
    ),
}


@pytest.mark.parametrize(
    "dtype", [jnp.float32, pytest.param(jnp.float64, marks=pytest.mark.float64)]
)
@pytest.mark.parametrize("name", sorted(TRANSFORM_CASES))
def test_jit_vmap_grad_and_dtype(name, dtype):
    function, build, ref, reduce = TRANSFORM_CASES[name]
    examples = [build(seed) for seed in range(3)]
    expected = [jax.tree.leaves(ref(*args)) for args in examples]
    inputs = [tuple(jnp.asarray(a, dtype=dtype) for a in args) for args in examples]
    # float32 keeps ~7 digits; these sums over 4 hypotheses lose a few ulps at most.
    tolerance = {"rtol": 1e-5, "atol": 1e-6} if dtype == jnp.float32 else F64
    argnums = tuple(range(len(inputs[0])))

    # One compilation per case: the jitted value, the vmapped batch and the gradient.
    @jax.jit
    def transformed(single, batch):
        scalar = lambda *args: reduce(function(*args))
        return function(*single), jax.vmap(function)(*batch), jax.grad(scalar, argnums)(*single)

    stacked = tuple(jnp.stack(column) for column in zip(*inputs, strict=True))
    value, batched, gradients = transformed(inputs[0], stacked)
    for leaf, leaf_expected in zip(jax.tree.leaves(value), expected[0], strict=True):
        assert leaf.dtype == dtype
        np.testing.assert_allclose(leaf, leaf_expected, **tolerance)
    for i, single_expected in enumerate(expected):
        for leaf, leaf_expected in zip(jax.tree.leaves(batched), single_expected, strict=True):
            assert leaf.dtype == dtype
            np.testing.assert_allclose(leaf[i], leaf_expected, **tolerance)
    for gradient, argument in zip(gradients, inputs[0], strict=True):
        assert gradient.dtype == dtype
        assert gradient.shape == argument.shape
        assert np.isfinite(np.asarray(gradient)).all(), (name, gradient)


def test_eager_float32_keeps_dtype():
    prior = jnp.asarray(PRIOR, dtype=jnp.float32)
    likelihood = jnp.asarray(LIKELIHOOD, dtype=jnp.float32)
    assert bayes.posterior(prior, likelihood).dtype == jnp.float32
    assert float(bayes.evidence(prior, likelihood)) == pytest.approx(0.29, rel=1e-6)
    result = bayes.sequential_update(jnp.log(prior), jnp.log(likelihood)[None])
    assert result.log_posterior.dtype == jnp.float32


def test_evidence_gradient_is_the_likelihood():
    # d p(d) / d p(h) = p(d | h) and d p(d) / d p(d | h) = p(h).
    grad_prior, grad_likelihood = jax.grad(bayes.evidence, argnums=(0, 1))(
        jnp.asarray(PRIOR), jnp.asarray(LIKELIHOOD)
    )
    # Exactly the float32-rounded inputs: half an ulp (6e-8 relative) from the float64 ones.
    np.testing.assert_allclose(grad_prior, LIKELIHOOD, rtol=1e-7)
    np.testing.assert_allclose(grad_likelihood, PRIOR, rtol=1e-7)


# --- bad input --------------------------------------------------------------------------

LOG_PRIOR = np.log(PRIOR)
LOG_LIKELIHOOD = np.log(LIKELIHOOD)

BAD_INPUTS = [
    ("prior-negative", lambda: bayes.posterior(np.array([-0.1, 0.6, 0.5]), np.ones(3)), "`prior`"),
    ("prior-nan", lambda: bayes.posterior(np.array([np.nan, 0.5, 0.5]), np.ones(3)), "`prior`"),
    ("prior-unnormalised", lambda: bayes.evidence(PRIOR * 2, LIKELIHOOD), "`prior`"),
    ("prior-scalar", lambda: bayes.evidence(np.float64(1.0), LIKELIHOOD), "`prior`"),
    ("likelihood-negative", lambda: bayes.posterior(PRIOR, -LIKELIHOOD), "`likelihood`"),
    ("likelihood-nan", lambda: bayes.evidence(PRIOR, LIKELIHOOD * np.nan), "`likelihood`"),
    ("likelihood-inf", lambda: bayes.evidence(PRIOR, LIKELIHOOD * np.inf), "`likelihood`"),
    ("hypotheses-mismatch", lambda: bayes.posterior(PRIOR, np.ones(3)), "`likelihood`"),
    (
        "batch-mismatch",
        lambda: bayes.posterior(np.tile(PRIOR, (2, 1)), np.ones((3, 4))),
        "`likelihood`",
    ),
    (
        "zero-evidence",
        lambda: bayes.posterior(np.array([0.5, 0.5, 0.0]), np.array([0.0, 0.0, 1.0])),
        r"evidence p\(d\) is zero.*`likelihood` is zero for every hypothesis",
    ),
    (
        "log-prior-positive",
        lambda: bayes.log_posterior(np.array([0.5, -1.0]), np.zeros(2)),
        "`log_prior`",
    ),
    (
        "log-prior-unnormalised",
        lambda: bayes.log_posterior(np.log([0.3, 0.3]), np.zeros(2)),
        "log_prior",
    ),
    (
        "log-prior-nan",
        lambda: bayes.log_evidence(LOG_PRIOR * np.nan, LOG_LIKELIHOOD),
        "`log_prior`",
    ),
    (
        "log-likelihood-nan",
        lambda: bayes.log_evidence(LOG_PRIOR, LOG_LIKELIHOOD * np.nan),
        "`log_likelihood`",
    ),
    (
        "log-likelihood-posinf",
        lambda: bayes.log_posterior(LOG_PRIOR, np.array([np.inf, 0.0, 0.0, 0.0])),
        "`log_likelihood`",
    ),
    (
        "log-hypotheses-mismatch",
        lambda: bayes.log_posterior(LOG_PRIOR, np.zeros(3)),
        "`log_likelihood`",
    ),
    (
        "log-zero-evidence",
        lambda: bayes.log_posterior(LOG_PRIOR, np.full(4, -np.inf)),
        r"evidence p\(d\) is zero.*`log_likelihood` is -inf for every hypothesis",
    ),
    (
        "sequential-1d",
        lambda: bayes.sequential_update(LOG_PRIOR, LOG_LIKELIHOOD),
        "`log_likelihoods`",
    ),
    (
        "sequential-empty",
        lambda: bayes.sequential_update(LOG_PRIOR, np.zeros((0, 4))),
        "`log_likelihoods`",
    ),
    (
        "sequential-hypotheses",
        lambda: bayes.sequential_update(LOG_PRIOR, np.zeros((2, 3))),
        "`log_likelihood`",
    ),
    (
        "sequential-zero-evidence",
        lambda: bayes.sequential_update(
            LOG_PRIOR, np.array([[0.0, -np.inf, 0.0, -np.inf], [-np.inf, 0.0, -np.inf, 0.0]])
        ),
        r"evidence p\(d\) is zero.*sum of `log_likelihoods` over the observations is -inf",
    ),
    (
        "sequential-prior",
        lambda: bayes.sequential_update(LOG_PRIOR + 1, np.zeros((2, 4))),
        "`log_prior`",
    ),
]


@pytest.mark.parametrize(
    ("call", "match"), [case[1:] for case in BAD_INPUTS], ids=[case[0] for case in BAD_INPUTS]
)
def test_bad_input_raises_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
