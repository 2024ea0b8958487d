"""Pairwise-distance bounds on the entropy and information of Gaussian mixtures with
different diagonal covariances: Monte Carlo, a slow NumPy reference, the equal-variance
KDE bounds, limits, transformations and bad input."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import reference

from infojax.estimators import kde_entropy
from infojax.estimators import kde_input_information
from infojax.measures import MixtureInformationBounds
from infojax.measures import gaussian_mixture_entropy_bounds
from infojax.measures import gaussian_mixture_information_bounds

# The library and the double-loop reference evaluate the same formulas in float64 in a
# different order and arrangement (e.g. log(s_i^2 + s_j^2) - log 2 - log s_i - log s_j
# for log(v / (s_i s_j))): rounding of about 1e-15 relative per term, sums of at most a
# few hundred terms of magnitude < 100, so 1e-9 relative leaves a wide margin.
F64 = {"rtol": 1e-9, "atol": 1e-12}
# Float32 values against the float64 reference: float32 resolution is 1.2e-7; the
# divergences (magnitude < 100) and log-sums of <= 20 terms lose at most a few hundred
# ulps of a result below 10 nats, i.e. below 1e-4.
F32 = {"rtol": 1e-4, "atol": 1e-4}
# Monte Carlo: a bound must not be beyond the MC value by more than 4 standard errors
# (a false failure has probability about 3e-5 per comparison; the seeds are fixed).
N_SE = 4


def heteroscedastic_mixture(seed, n=12, d=2, n_classes=3):
    """Means spread over a few standard deviations (overlapping components, so the
    bounds are neither trivial nor exact) and per-dimension stds in [0.3, 1.5]."""
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=1.5, size=(n, d))
    stds = rng.uniform(0.3, 1.5, size=(n, d))
    labels = rng.integers(0, n_classes, n)
    labels[:n_classes] = np.arange(n_classes)  # every class present
    return means, stds, labels


def clustered_mixture(seed, separation, n=15, d=2):
    """Three classes whose components cluster around centres ``separation`` apart:
    unlike in :func:`heteroscedastic_mixture`, the I(Z;Y) bracket is not [0, ...]."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    centres = separation * np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    means = centres[labels] + rng.normal(scale=0.5, size=(n, d))
    return means, rng.uniform(0.3, 1.5, size=(n, d)), labels


# --- Against Monte Carlo ------------------------------------------------------------


@pytest.mark.float64
@pytest.mark.parametrize(("seed", "n", "d"), [(0, 8, 2), (1, 12, 3), (2, 20, 2)])
def test_bounds_bracket_monte_carlo(seed, n, d):
    means, stds, labels = heteroscedastic_mixture(seed, n, d)
    uniform = np.full(n, 1 / n)
    (entropy, entropy_se), (label_info, label_se) = reference.gaussian_mixture_monte_carlo(
        means, stds, uniform, labels, n_draws=40_000, seed=seed
    )
    lower, upper = gaussian_mixture_entropy_bounds(means, stds)
    assert float(lower) <= entropy + N_SE * entropy_se
    assert float(upper) >= entropy - N_SE * entropy_se

    # I(X;Z) = H(Z) - mean_i H(p_i); the component entropies are exact, so the MC
    # standard error of H(Z) is that of I(X;Z).
    component_entropy = np.mean(np.log(stds).sum(1)) + 0.5 * d * np.log(2 * np.pi * np.e)
    input_info = entropy - component_entropy
    bounds = gaussian_mixture_information_bounds(means, stds, labels)
    assert float(bounds.input_lower) <= input_info + N_SE * entropy_se
    assert float(bounds.input_upper) >= input_info - N_SE * entropy_se
    assert float(bounds.label_lower) <= label_info + N_SE * label_se
    assert float(bounds.label_upper) >= label_info - N_SE * label_se


@pytest.mark.float64
@pytest.mark.parametrize("separation", [3.0, 6.0])
def test_label_bracket_with_a_positive_lower_end_holds_monte_carlo(separation):
    means, stds, labels = clustered_mixture(21, separation)
    n = len(means)
    _, (label_info, label_se) = reference.gaussian_mixture_monte_carlo(
        means, stds, np.full(n, 1 / n), labels, n_draws=40_000, seed=21
    )
    bounds = gaussian_mixture_information_bounds(means, stds, labels)
    assert float(bounds.label_lower) > 0.1  # the lower end is informative here
    assert float(bounds.label_lower) <= label_info + N_SE * label_se
    assert float(bounds.label_upper) >= label_info - N_SE * label_se


@pytest.mark.float64
def test_weighted_entropy_bounds_bracket_monte_carlo():
    means, stds, labels = heteroscedastic_mixture(3, n=10, d=2)
    weights = np.random.default_rng(3).dirichlet(np.ones(10))
    weights[4] = 0.0  # a component of weight 0 contributes nothing
    weights /= weights.sum()
    (entropy, entropy_se), _ = reference.gaussian_mixture_monte_carlo(
        means, stds, weights, labels, n_draws=40_000, seed=3
    )
    lower, upper = gaussian_mixture_entropy_bounds(means, stds, weights=weights)
    assert float(lower) <= entropy + N_SE * entropy_se
    assert float(upper) >= entropy - N_SE * entropy_se


# --- Against the slow reference -----------------------------------------------------


@pytest.mark.float64
@pytest.mark.parametrize(("seed", "n", "d"), [(0, 7, 1), (1, 15, 3), (2, 20, 5)])
def test_matches_double_loop_reference(seed, n, d):
    means, stds, labels = heteroscedastic_mixture(seed, n, d)
    expected = reference.gaussian_mixture_entropy_bounds_reference(means, stds)
    np.testing.assert_allclose(gaussian_mixture_entropy_bounds(means, stds), expected, **F64)

    weights = np.random.default_rng(seed).dirichlet(np.ones(n))
    expected = reference.gaussian_mixture_entropy_bounds_reference(means, stds, weights)
    got = gaussian_mixture_entropy_bounds(means, stds, weights=weights)
    np.testing.assert_allclose(got, expected, **F64)

    expected = reference.gaussian_mixture_information_bounds_reference(means, stds, labels)
    got = gaussian_mixture_information_bounds(means, stds, labels)
    np.testing.assert_allclose(tuple(got), expected, **F64)


@pytest.mark.float64
def test_blocks_do_not_change_the_result():
    # 13 rows in blocks of 1, 4 (last block padded) and 13 give the same sums.
    means, stds, labels = heteroscedastic_mixture(4, n=13, d=3)
    results = [
        gaussian_mixture_information_bounds(means, stds, labels, block_size=b) for b in (1, 4, 99)
    ]
    for result in results[1:]:
        np.testing.assert_allclose(tuple(result), tuple(results[0]), **F64)


def test_float32_matches_reference():
    means, stds, labels = heteroscedastic_mixture(5, n=20, d=3)
    expected = reference.gaussian_mixture_information_bounds_reference(means, stds, labels)
    got = gaussian_mixture_information_bounds(
        means.astype(np.float32), stds.astype(np.float32), labels
    )
    assert all(value.dtype == jnp.float32 for value in got)
    np.testing.assert_allclose(tuple(got), expected, **F32)


@pytest.mark.float64
def test_stds_broadcast_forms_agree():
    means, _, labels = heteroscedastic_mixture(6, n=9, d=3)
    full = gaussian_mixture_information_bounds(means, np.full((9, 3), 0.7), labels)
    for form in (0.7, np.full((9, 1), 0.7), np.full(3, 0.7)):
        np.testing.assert_allclose(
            tuple(gaussian_mixture_information_bounds(means, form, labels)), tuple(full), **F64
        )
    per_dimension = np.array([0.4, 0.9, 1.3])
    np.testing.assert_allclose(
        tuple(gaussian_mixture_information_bounds(means, per_dimension, labels)),
        reference.gaussian_mixture_information_bounds_reference(means, per_dimension, labels),
        **F64,
    )


# --- Equal variances: the KDE bounds --------------------------------------------------


@pytest.mark.float64
@pytest.mark.parametrize("std", [0.05, 0.3, 2.0])
def test_equal_stds_match_kde_bounds(std):
    means, _, _ = heteroscedastic_mixture(7, n=40, d=3)
    bounds = gaussian_mixture_information_bounds(means, std)
    variance = std**2
    np.testing.assert_allclose(
        bounds.input_upper,
        kde_input_information(means, noise_variance=variance, bound="upper"),
        **F64,
    )
    np.testing.assert_allclose(
        bounds.input_lower,
        kde_input_information(means, noise_variance=variance, bound="lower"),
        **F64,
    )
    lower, upper = gaussian_mixture_entropy_bounds(means, std)
    np.testing.assert_allclose(
        lower, kde_entropy(means, noise_variance=variance, bound="lower"), **F64
    )
    np.testing.assert_allclose(
        upper, kde_entropy(means, noise_variance=variance, bound="upper"), **F64
    )


# --- Limits -----------------------------------------------------------------------


def test_identical_components_carry_no_information():
    # All divergences are 0 up to float32 rounding of d * s^2 / s^2 - d (a few ulps).
    means = np.tile([[0.3, -1.2, 2.0]], (16, 1)).astype(np.float32)
    bounds = gaussian_mixture_information_bounds(means, 0.7, np.arange(16) % 4)
    np.testing.assert_allclose(tuple(bounds), 0.0, atol=1e-6)
    lower, upper = gaussian_mixture_entropy_bounds(means, 0.7)
    component = 3 * (math.log(0.7) + 0.5 * math.log(2 * math.pi * math.e))
    np.testing.assert_allclose([lower, upper], component, rtol=1e-6)


@pytest.mark.float64
def test_far_apart_components_reach_log_n():
    # Components 1e3 standard deviations apart: every off-diagonal exp(-D) underflows to
    # 0, so both bounds are exact: log n for I(X;Z) and the entropy of a disjoint mixture.
    rng = np.random.default_rng(8)
    n = 10
    means = 1e3 * np.arange(n, dtype=float)[:, None] * np.ones((1, 2))
    stds = rng.uniform(0.5, 2.0, size=(n, 2))
    labels = np.arange(n) % 2
    bounds = gaussian_mixture_information_bounds(means, stds, labels)
    np.testing.assert_allclose(bounds[:2], math.log(n), **F64)
    np.testing.assert_allclose(bounds[2:], math.log(2), **F64)  # I(Z;Y) = H(Y)
    weights = rng.dirichlet(np.ones(n))
    disjoint = np.sum(weights * (np.log(stds).sum(1) + np.log(2 * np.pi * np.e) - np.log(weights)))
    got = gaussian_mixture_entropy_bounds(means, stds, weights=weights)
    np.testing.assert_allclose(got, disjoint, **F64)
    gradient = jax.grad(lambda m: sum(gaussian_mixture_information_bounds(m, stds)[:2]))(means)
    assert np.isfinite(gradient).all()


@pytest.mark.float64
def test_one_class_carries_no_label_information():
    means, stds, _ = heteroscedastic_mixture(9, n=12, d=2)
    bounds = gaussian_mixture_information_bounds(means, stds, np.zeros(12, np.int32))
    assert float(bounds.label_lower) == 0.0
    assert float(bounds.label_upper) == 0.0


@pytest.mark.float64
def test_one_input_per_class_gives_the_input_bounds():
    # With Y = X, I(Z;Y) = I(X;Z): each class mixture is one Gaussian, whose bounds are
    # exact, so the label bracket is the input bracket (below H(Y) = log n).
    means, stds, _ = heteroscedastic_mixture(10, n=12, d=2)
    bounds = gaussian_mixture_information_bounds(means, stds, np.arange(12))
    np.testing.assert_allclose(bounds.label_lower, bounds.input_lower, **F64)
    np.testing.assert_allclose(bounds.label_upper, bounds.input_upper, **F64)


def test_without_labels_the_label_fields_are_none():
    means, stds, _ = heteroscedastic_mixture(11)
    bounds = gaussian_mixture_information_bounds(means, stds)
    assert isinstance(bounds, MixtureInformationBounds)
    assert bounds.label_lower is None and bounds.label_upper is None
    assert 0 <= float(bounds.input_lower) <= float(bounds.input_upper) <= math.log(12)


def test_empty_class_is_allowed():
    means, stds, labels = heteroscedastic_mixture(12, n_classes=2)
    with_empty = gaussian_mixture_information_bounds(means, stds, labels, n_classes=5)
    np.testing.assert_allclose(
        tuple(with_empty), tuple(gaussian_mixture_information_bounds(means, stds, labels))
    )


# --- Transformations, dtype, units --------------------------------------------------


def test_jit_with_traced_labels_needs_n_classes():
    means, stds, labels = heteroscedastic_mixture(13)
    eager = gaussian_mixture_information_bounds(means, stds, labels)
    jitted = jax.jit(lambda m, s, y: gaussian_mixture_information_bounds(m, s, y, n_classes=3))(
        means, stds, labels
    )
    # Same float32 computation compiled in one program or two: rounding only.
    np.testing.assert_allclose(tuple(jitted), tuple(eager), rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="n_classes"):
        jax.jit(gaussian_mixture_information_bounds)(means, stds, labels)


def test_vmap_over_mean_sets():
    rng = np.random.default_rng(14)
    batch = rng.normal(size=(4, 15, 2)).astype(np.float32)
    stds = rng.uniform(0.3, 1.0, size=(15, 2)).astype(np.float32)
    labels = np.arange(15) % 3
    batched = jax.vmap(lambda m: gaussian_mixture_information_bounds(m, stds, labels))(batch)
    for k, means in enumerate(batch):
        single = gaussian_mixture_information_bounds(means, stds, labels)
        # float32 rounding only (batched and single programs may order sums differently).
        np.testing.assert_allclose([b[k] for b in batched], tuple(single), rtol=1e-5, atol=1e-6)
    entropy = jax.vmap(lambda m: gaussian_mixture_entropy_bounds(m, stds))(batch)
    assert entropy[0].shape == entropy[1].shape == (4,)


# Means 1e4 apart (every off-diagonal exp(-D) underflows) and standard deviations 1e-8
# (near the documented float32 limit of about 1e-9, where s^4 stops being normal).
@pytest.mark.parametrize(("mean_scale", "std_scale"), [(1.0, 1.0), (1e4, 1.0), (1.0, 1e-8)])
def test_gradients_are_finite(mean_scale, std_scale):
    means, stds, labels = heteroscedastic_mixture(15, n=10, d=3)
    means, stds = means * mean_scale, stds * std_scale
    means[1] = means[0]  # a coinciding pair: divergence 0 (clipped) on and off the diagonal
    stds[1] = stds[0]

    def total(m, s):
        bounds = gaussian_mixture_information_bounds(m, s, labels)
        lower, upper = gaussian_mixture_entropy_bounds(m, s)
        return sum(bounds) + lower + upper

    grads = jax.grad(total, argnums=(0, 1))(means.astype(np.float32), stds.astype(np.float32))
    assert all(np.isfinite(g).all() for g in grads)


@pytest.mark.float64
def test_gradient_matches_finite_differences():
    means, stds, _ = heteroscedastic_mixture(16, n=8, d=2)

    def upper(m, s):
        return gaussian_mixture_information_bounds(m, s).input_upper

    def lower(m, s):
        return gaussian_mixture_entropy_bounds(m, s)[0]

    step = 1e-6
    for fn in (upper, lower):
        grad_means, grad_stds = jax.grad(fn, argnums=(0, 1))(means, stds)
        for array, grad, index in ((means, grad_means, (3, 1)), (stds, grad_stds, (5, 0))):
            plus, minus = array.copy(), array.copy()
            plus[index] += step
            minus[index] -= step
            args = (plus, stds) if array is means else (means, plus)
            args_minus = (minus, stds) if array is means else (means, minus)
            numerical = (float(fn(*args)) - float(fn(*args_minus))) / (2 * step)
            # Central differences in float64: truncation ~step^2, rounding ~1e-16/step.
            assert float(grad[index]) == pytest.approx(numerical, rel=1e-6, abs=1e-8)


@pytest.mark.float64
def test_dtype_follows_input():
    means, stds, labels = heteroscedastic_mixture(17)
    for dtype in (np.float32, np.float64):
        bounds = gaussian_mixture_information_bounds(
            means.astype(dtype), stds.astype(dtype), labels
        )
        assert all(value.dtype == dtype for value in bounds)
        lower, upper = gaussian_mixture_entropy_bounds(means.astype(dtype), 0.5)
        assert lower.dtype == upper.dtype == dtype


def test_base_two_gives_bits():
    means, stds, labels = heteroscedastic_mixture(18)
    nats = gaussian_mixture_information_bounds(means, stds, labels)
    bits = gaussian_mixture_information_bounds(means, stds, labels, base=2)
    np.testing.assert_allclose(tuple(bits), np.array(tuple(nats)) / math.log(2), rtol=1e-6)
    nats = gaussian_mixture_entropy_bounds(means, stds)
    bits = gaussian_mixture_entropy_bounds(means, stds, base=2)
    np.testing.assert_allclose(bits, np.array(nats) / math.log(2), rtol=1e-6)


# --- Bad input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "name"),
    [
        (lambda m, s, y: (m, np.where(s > 1, -s, s), y), "stds"),
        (lambda m, s, y: (m, np.zeros_like(s), y), "stds"),
        (lambda m, s, y: (m, np.full_like(s, np.inf), y), "stds"),
        (lambda m, s, y: (np.where(m > 1, np.nan, m), s, y), "means"),
        (lambda m, s, y: (m[:, 0], s, y), "means"),
        (lambda m, s, y: (m, s[:, :1].T, y), "stds"),
        (lambda m, s, y: (m, np.ones(3), y), "stds"),
        (lambda m, s, y: (m, s, np.where(y == 0, -1, y)), "labels"),
        (lambda m, s, y: (m, s, y[:-1]), "labels"),
    ],
)
def test_bad_input_names_the_argument(change, name):
    means, stds, labels = heteroscedastic_mixture(19)
    means, stds, labels = change(means, stds, labels)
    with pytest.raises(ValueError, match=f"`{name}`"):
        gaussian_mixture_information_bounds(means, stds, labels)


def test_bad_labels_and_weights_name_the_argument():
    means, stds, labels = heteroscedastic_mixture(20)
    with pytest.raises(ValueError, match="`labels`"):
        gaussian_mixture_information_bounds(means, stds, labels, n_classes=2)
    with pytest.raises(TypeError, match="`labels`"):
        gaussian_mixture_information_bounds(means, stds, labels.astype(float))
    for weights in (np.full(12, 0.1), np.r_[-0.1, np.full(11, 1.1 / 11)], np.full(6, 1 / 6)):
        with pytest.raises(ValueError, match="`weights`"):
            gaussian_mixture_entropy_bounds(means, stds, weights=weights)


@pytest.mark.float64
def test_isolated_component_of_weight_zero_contributes_nothing():
    # Its own log-sum is log 0 (it carries no weight and all others are far); the
    # result is the entropy of the other two, with finite gradients.
    means = np.array([[0.0, 0.0], [1e4, 0.0], [0.0, 1e4]])
    weights = np.array([0.5, 0.5, 0.0])
    expected = math.log(2 * math.pi * math.e) + math.log(2)
    bounds = gaussian_mixture_entropy_bounds(means, 1.0, weights=weights)
    np.testing.assert_allclose(bounds, expected, **F64)
    gradients = jax.grad(
        lambda m, s: sum(gaussian_mixture_entropy_bounds(m, s, weights=weights)), argnums=(0, 1)
    )(means, np.ones((3, 2)))
    assert all(np.isfinite(g).all() for g in gradients)


def test_equal_stds_traced_under_jit_match_eager():
    # Regression: a scalar std traced under the caller's jit became a broadcast operand
    # of a matrix product that XLA on CPU computed wrongly (the KL bound was off).
    rng = np.random.default_rng(0)
    means = jnp.asarray(0.3 * rng.normal(size=(256, 4)), jnp.float32)
    labels = jnp.asarray(rng.integers(0, 2, 256))
    log_std = jnp.asarray(np.log(0.78), jnp.float32)
    eager = gaussian_mixture_information_bounds(means, jnp.full(means.shape, 0.78), labels)

    def broadcast(means, log_std):
        stds = jnp.broadcast_to(jnp.exp(log_std), means.shape)
        return gaussian_mixture_information_bounds(means, stds, labels, n_classes=2)

    def scalar(means, log_std):
        return gaussian_mixture_information_bounds(means, jnp.exp(log_std), labels, n_classes=2)

    for bounds in (broadcast, scalar):
        compiled = jax.jit(bounds)(means, log_std)
        for value, expected in zip(compiled, eager, strict=True):
            np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("scale", [1e30, 1e-30, 1e20])
def test_information_bounds_are_scale_free_in_float32(scale):
    # Means and standard deviations scaled alike leave every divergence unchanged:
    # the bounds are those of scale 1 (they were [-0, -0] at 1e30 and 1e-30), and the
    # entropy bounds move by exactly d log(scale).
    rng = np.random.default_rng(13)
    means = rng.normal(size=(60, 2)).astype(np.float32)
    stds = rng.uniform(0.2, 0.6, size=(60, 1)).astype(np.float32)
    s = np.float32(scale)
    labels = (means[:, 0] > 0).astype(np.int32)
    scaled = gaussian_mixture_information_bounds(means * s, stds * s, labels)
    unit = gaussian_mixture_information_bounds(means, stds, labels)
    for a, b in zip(scaled, unit, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        gaussian_mixture_entropy_bounds(means * s, stds * s),
        np.asarray(gaussian_mixture_entropy_bounds(means, stds)) + 2 * np.log(scale),
        rtol=1e-5,
    )
