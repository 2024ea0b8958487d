"""Bounds on a score matrix: NumPy references, optimal critics, jit/vmap/grad/dtype, errors."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import reference
from flax import nnx

import infojax.bounds as bounds

N = 7  # small enough for the explicit loops of the references


def _scores(seed=0, n=N, scale=2.0):
    return np.random.default_rng(seed).normal(scale=scale, size=(n, n))


def _log_baseline(seed=1, n=N):
    return np.random.default_rng(seed).normal(size=n)


# (public function, keyword options, reference) for every bound returning one number.
SCALAR_BOUNDS = [
    (bounds.dv_bound, {}, reference.dv_bound_reference),
    (bounds.nwj_bound, {}, reference.nwj_bound_reference),
    (bounds.infonce_bound, {}, reference.infonce_bound_reference),
    (bounds.js_objective, {}, reference.js_objective_reference),
    (bounds.js_bound, {"report": "nwj"}, lambda s: reference.js_bound_reference(s, "nwj")),
    (bounds.js_bound, {"report": "dv"}, lambda s: reference.js_bound_reference(s, "dv")),
    (bounds.smile_bound, {"clip": 1.5}, lambda s: reference.smile_bound_reference(s, 1.5)),
    (bounds.smile_bound, {"clip": 50.0}, lambda s: reference.smile_bound_reference(s, 50.0)),
    (
        bounds.interpolated_bound,
        {"alpha": 0.3},
        lambda s: reference.interpolated_bound_reference(s, np.zeros(len(s)), 0.3),
    ),
    (bounds.club_bound, {}, reference.club_bound_reference),
    (bounds.conditional_log_likelihood, {}, lambda s: float(np.mean(np.diag(s)))),
]
SCALAR_IDS = [
    "dv",
    "nwj",
    "infonce",
    "js_objective",
    "js_nwj",
    "js_dv",
    "smile_clip",
    "smile_noclip",
    "interpolated",
    "club",
    "loglik",
]


@pytest.mark.float64
@pytest.mark.parametrize(("fn", "options", "ref"), SCALAR_BOUNDS, ids=SCALAR_IDS)
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_numpy_reference_float64(fn, options, ref, seed):
    scores = _scores(seed)
    # float64 against float64 loops: only summation-order rounding differs.
    np.testing.assert_allclose(fn(scores, **options), ref(scores), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("fn", "options", "ref"), SCALAR_BOUNDS, ids=SCALAR_IDS)
def test_float32_in_float32_out(fn, options, ref):
    scores = _scores(3).astype(np.float32)
    value = fn(scores, **options)
    assert value.dtype == jnp.float32
    # float32 rounding of exp/log over 49 entries of size ~e^5: a few ulps relative.
    np.testing.assert_allclose(value, ref(scores.astype(np.float64)), rtol=2e-5, atol=2e-5)


# Compared with the float64 NumPy loops at 1e-10 to 1e-12.
@pytest.mark.float64
@pytest.mark.parametrize("alpha", [0.0, 0.01, 0.5, 1.0])
def test_interpolated_with_baseline_matches_reference(alpha):
    scores, baseline = _scores(4), _log_baseline()
    expected = reference.interpolated_bound_reference(scores, baseline, alpha)
    value = bounds.interpolated_bound(scores, baseline, alpha=alpha)
    np.testing.assert_allclose(value, expected, rtol=1e-12, atol=1e-12)
    gradient = jax.grad(lambda s: bounds.interpolated_bound(s, baseline, alpha=alpha))(scores)
    assert np.isfinite(gradient).all()


# Compared with the float64 NumPy loops at 1e-10 to 1e-12.
@pytest.mark.float64
def test_interpolated_extreme_scores_stay_exact():
    # One entry per column dominates by e^60: a naive "sum minus own term" leave-one-out
    # mean would cancel to 0 (log = -inf); the reference loops never subtract.
    scores = _scores(5, scale=1.0)
    scores[2, :] += 60.0
    expected = reference.interpolated_bound_reference(scores, np.zeros(N), 0.5)
    np.testing.assert_allclose(
        bounds.interpolated_bound(scores, alpha=0.5), expected, rtol=1e-10, atol=1e-10
    )


# Compared with the float64 NumPy loops at 1e-10 to 1e-12.
@pytest.mark.float64
def test_interpolated_alpha_zero_is_nwj_with_baseline_one_shift():
    # alpha = 0, baseline a = 1: 1 + E_P[f - 1] - E_Q[e^{f - 1}], the NWJ bound exactly.
    scores = _scores(6)
    value = bounds.interpolated_bound(scores, np.ones(N), alpha=0.0)
    np.testing.assert_allclose(value, reference.nwj_bound_reference(scores), rtol=1e-12)


def test_js_and_smile_gradients_are_the_js_objective():
    scores = jnp.asarray(_scores(7))
    expected = jax.grad(bounds.js_objective)(scores)
    for fn in (bounds.js_bound, bounds.smile_bound):
        np.testing.assert_allclose(jax.grad(fn)(scores), expected, rtol=1e-12, atol=1e-15)


# Compared with the float64 NumPy loops at 1e-10 to 1e-12.
@pytest.mark.float64
def test_mine_value_state_and_gradient_match_reference():
    momentum = 0.8
    batches = [_scores(seed) for seed in (10, 11, 12)]
    expected = reference.mine_reference(batches, momentum)
    state = bounds.mine_init_state(jnp.float64)
    for scores, (dv_value, moving_average, gradient) in zip(batches, expected, strict=True):
        (objective, new_state), objective_gradient = (
            bounds.mine_bound(scores, state, momentum=momentum),
            jax.grad(lambda s, st=state: bounds.mine_bound(s, st, momentum=momentum)[0])(
                jnp.asarray(scores)
            ),
        )
        np.testing.assert_allclose(objective, dv_value, rtol=1e-12)
        np.testing.assert_allclose(np.exp(new_state.log_moving_average), moving_average, rtol=1e-12)
        np.testing.assert_allclose(objective_gradient, gradient, rtol=1e-10, atol=1e-14)
        updated = bounds.mine_update_state(state, scores, momentum=momentum)
        np.testing.assert_allclose(updated.log_moving_average, new_state.log_moving_average)
        state = new_state
    assert int(state.count) == 3


def test_mine_large_scores_do_not_overflow_float32():
    # exp(200) overflows float32; the moving average is kept in log space.
    scores = (_scores(13) + 200.0).astype(np.float32)
    objective, state = bounds.mine_bound(scores, bounds.mine_init_state(jnp.float32))
    assert np.isfinite(objective) and np.isfinite(state.log_moving_average)
    np.testing.assert_allclose(objective, reference.dv_bound_reference(scores), atol=1e-3)


# Compared with the float64 NumPy loops at 1e-10 to 1e-12.
@pytest.mark.float64
def test_infonce_never_exceeds_log_batch_size():
    rng = np.random.default_rng(14)
    for n in (2, 5, 64):
        scores = rng.normal(size=(n, n))
        scores[np.diag_indices(n)] += 1e4  # a perfect critic: the estimate saturates
        value = bounds.infonce_bound(scores)
        assert value <= math.log(n) + 1e-12
        np.testing.assert_allclose(value, math.log(n), rtol=1e-12)
        for _ in range(20):
            assert bounds.infonce_bound(rng.normal(scale=5, size=(n, n))) <= math.log(n) + 1e-12


def _correlated_gaussian(key, n, dim, mutual_information):
    """x, y in R^dim with per-coordinate correlation rho; I = -dim/2 log(1 - rho^2)."""
    rho = math.sqrt(1 - math.exp(-2 * mutual_information / dim))
    key_x, key_noise = jax.random.split(key)
    x = jax.random.normal(key_x, (n, dim))
    y = rho * x + math.sqrt(1 - rho**2) * jax.random.normal(key_noise, (n, dim))
    return x, y, rho


def _true_log_ratio(x, y, rho):
    # log p(x,y) / (p(x) p(y)) for unit-variance coordinates with correlation rho.
    quadratic = (
        rho**2 * x[:, None, :] ** 2 - 2 * rho * x[:, None, :] * y[None] + rho**2 * y[None] ** 2
    )
    return jnp.sum(-0.5 * math.log(1 - rho**2) - quadratic / (2 * (1 - rho**2)), axis=-1)


# The tolerances are set for the float64 draw from key 0 (JAX draws other numbers in
# float32, a different Monte-Carlo sample).
@pytest.mark.float64
@pytest.mark.parametrize(
    ("name", "shift", "tolerance"),
    [
        ("dv", 0.0, 0.1),
        ("mine", 0.0, 0.1),
        ("nwj", 1.0, 0.1),
        ("infonce", 0.0, 0.15),
        ("js", 0.0, 0.1),
        ("smile", 0.0, 0.1),
        ("interpolated", 0.0, 0.1),
    ],
)
def test_optimal_critic_recovers_true_mi(name, shift, tolerance):
    # With the true log density ratio (plus the bound's optimal offset) every lower bound
    # is tight up to Monte-Carlo error of a 1000-pair batch (sd of the joint term ~0.06 at
    # I = 2) and InfoNCE's log(K)-saturation gap (~0.05 at K = 1000, I = 2 nats).
    true_mi = 2.0
    x, y, rho = _correlated_gaussian(jax.random.key(0), 1000, 20, true_mi)
    scores = _true_log_ratio(x, y, rho) + shift
    spec = bounds.BOUNDS[name]
    options = dict(spec.defaults)
    value = spec.value(scores, **options)
    assert abs(float(value) - true_mi) < tolerance


def test_club_with_true_conditional_is_above_mi():
    # CLUB with q = p(y|x) equals I + E_x KL(p(y) || p(y|x)) = dim * rho^2 / (1 - rho^2)
    # for these Gaussians (4.43 nats at I = 2, dim = 20); MC sd of a 1000-pair batch ~0.1.
    true_mi, dim = 2.0, 20
    x, y, rho = _correlated_gaussian(jax.random.key(1), 1000, dim, true_mi)
    variance = np.full(dim, 1 - rho**2)
    log_q = reference.gaussian_log_density_reference(
        np.asarray(y)[None, :, :], rho * np.asarray(x)[:, None, :], variance
    )
    value = float(bounds.club_bound(log_q))
    assert value > true_mi
    assert abs(value - dim * rho**2 / (1 - rho**2)) < 0.3


@pytest.mark.parametrize(("fn", "options", "ref"), SCALAR_BOUNDS, ids=SCALAR_IDS)
def test_jit_and_vmap_match_loop(fn, options, ref):
    del ref
    stack = np.stack([_scores(seed) for seed in range(3)])
    compiled = jax.jit(lambda s: fn(s, **options))
    batched = jax.vmap(lambda s: fn(s, **options))(stack)
    looped = np.array([fn(s, **options) for s in stack])
    # Same operations in float32; vmapped and jitted reductions may round differently
    # (measured up to 3.7e-7 relative), hence 2e-6.
    np.testing.assert_allclose(batched, looped, rtol=2e-6)
    np.testing.assert_allclose(compiled(stack[0]), looped[0], rtol=2e-6)


@pytest.mark.parametrize(("fn", "options", "ref"), SCALAR_BOUNDS, ids=SCALAR_IDS)
def test_gradients_are_finite_for_extreme_scores(fn, options, ref):
    del ref
    scores = _scores(20, scale=30.0)
    gradient = jax.grad(lambda s: fn(s, **options))(jnp.asarray(scores))
    assert gradient.shape == scores.shape and np.isfinite(gradient).all()


def test_base_two_gives_bits():
    scores = _scores(21)
    for fn in (bounds.dv_bound, bounds.infonce_bound, bounds.club_bound):
        np.testing.assert_allclose(fn(scores, base=2), fn(scores) / math.log(2), rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: bounds.dv_bound(np.zeros((3, 4))), ValueError, "scores"),
        (lambda: bounds.nwj_bound(np.zeros((1, 1))), ValueError, "n >= 2"),
        (lambda: bounds.infonce_bound(np.full((3, 3), np.nan)), ValueError, "NaN"),
        (lambda: bounds.infonce_bound(np.zeros((3, 3), complex)), TypeError, "real"),
        (lambda: bounds.js_bound(np.zeros((3, 3)), report="kl"), ValueError, "report"),
        (lambda: bounds.smile_bound(np.zeros((3, 3)), clip=0.0), ValueError, "clip"),
        (lambda: bounds.interpolated_bound(np.zeros((3, 3)), alpha=1.5), ValueError, "alpha"),
        (lambda: bounds.interpolated_bound(np.zeros((3, 3)), np.zeros(4)), ValueError, "log_bas"),
        (lambda: bounds.interpolated_bound(np.zeros((2, 2))), ValueError, "n >= 3"),
        (lambda: bounds.club_bound(np.zeros(3)), ValueError, "log_likelihoods"),
        (lambda: bounds.dv_bound(np.zeros((3, 3)), base=1), ValueError, "base"),
        (
            lambda: bounds.mine_bound(np.zeros((3, 3)), bounds.mine_init_state(), momentum=1.0),
            ValueError,
            "momentum",
        ),
        (lambda: bounds.get_bound("tuba"), ValueError, "Unknown bound"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_registry_lists_every_bound():
    assert set(bounds.BOUNDS) == {
        "dv",
        "mine",
        "nwj",
        "infonce",
        "js",
        "smile",
        "interpolated",
        "club",
    }
    assert bounds.BOUNDS["club"].kind == "upper"
    assert all(spec.kind == "lower" for name, spec in bounds.BOUNDS.items() if name != "club")


# --- Critics ---

CRITIC_OPTIONS = {
    "separable": {"hidden_sizes": (8,), "embedding_dim": 4, "activation": "tanh"},
    "concatenated": {"hidden_sizes": (8, 6), "activation": "gelu"},
    "bilinear": {},
    "gaussian_conditional": {"hidden_sizes": (5,), "activation": jax.nn.softplus},
}


@pytest.mark.parametrize("name", sorted(bounds.CRITICS))
@pytest.mark.parametrize(
    "dtype", [jnp.float32, pytest.param(jnp.float64, marks=pytest.mark.float64)]
)
def test_critic_score_matrix_equals_per_pair_scores(name, dtype):
    critic = bounds.CRITICS[name](3, 2, **CRITIC_OPTIONS[name], param_dtype=dtype, rngs=nnx.Rngs(0))
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(5, 3)), dtype)
    y = jnp.asarray(rng.normal(size=(4, 2)), dtype)
    matrix = bounds.score_matrix(critic, x, y)
    graphdef, state = nnx.split(critic)

    @jax.jit
    def one_pair(state, x_i, y_j):
        return nnx.merge(graphdef, state)(x_i, y_j)

    per_pair = np.array([[one_pair(state, x[i], y[j]) for j in (0, 3)] for i in (1, 4)])
    vmapped = jax.vmap(jax.vmap(one_pair, (None, None, 0)), (None, 0, None))(state, x, y)
    assert matrix.shape == (5, 4) and matrix.dtype == dtype
    # float32: a matrix product and per-pair dot products round differently.
    tolerance = 1e-5 if dtype == jnp.float32 else 1e-12
    corners = np.ix_([1, 4], [0, 3])
    np.testing.assert_allclose(matrix[corners], per_pair, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(vmapped, matrix, rtol=tolerance, atol=tolerance)


def test_concatenated_critic_is_an_mlp_on_the_concatenation():
    critic = bounds.ConcatenatedCritic(3, 2, hidden_sizes=(6,), activation="relu", rngs=nnx.Rngs(1))
    x, y = np.random.default_rng(1).normal(size=(2, 3)), np.random.default_rng(2).normal(size=2)
    layer, head = critic.first_layer, critic.head.output_layer
    hidden = np.maximum(np.concatenate([x[0], y]) @ np.asarray(layer.kernel) + layer.bias, 0)
    expected = hidden @ np.asarray(head.kernel) + np.asarray(head.bias)
    np.testing.assert_allclose(critic(jnp.asarray(x[0]), jnp.asarray(y)), expected[0], rtol=1e-5)


def test_gaussian_conditional_is_a_normal_log_density():
    model = bounds.GaussianConditional(3, 2, hidden_sizes=(4,), rngs=nnx.Rngs(2))
    x = jnp.asarray(np.random.default_rng(3).normal(size=3))
    y = np.random.default_rng(4).normal(size=2)
    mean, variance = np.asarray(model.mean(x)[0]), np.exp(np.asarray(model.log_variance(x)[0]))
    expected = reference.gaussian_log_density_reference(y, mean, variance)
    np.testing.assert_allclose(model(x, jnp.asarray(y)), expected, rtol=1e-5)


def test_critics_are_differentiable_with_nnx_split():
    critic = bounds.SeparableCritic(3, 3, hidden_sizes=(4,), embedding_dim=2, rngs=nnx.Rngs(3))
    graphdef, state = nnx.split(critic)
    x = jnp.asarray(np.random.default_rng(5).normal(size=(6, 3)), jnp.float32)

    def objective(state):
        return bounds.infonce_bound(bounds.score_matrix(nnx.merge(graphdef, state), x, x))

    gradient = jax.jit(jax.grad(objective))(state)
    assert all(np.isfinite(leaf).all() for leaf in jax.tree.leaves(gradient))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: bounds.SeparableCritic(0, 2, rngs=nnx.Rngs(0)), "dim_x"),
        (lambda: bounds.SeparableCritic(2, 2, hidden_sizes=(0,), rngs=nnx.Rngs(0)), "hidden"),
        (lambda: bounds.ConcatenatedCritic(2, 2, hidden_sizes=(), rngs=nnx.Rngs(0)), "hidden"),
        (lambda: bounds.SeparableCritic(2, 2, activation="swish!", rngs=nnx.Rngs(0)), "activation"),
        (lambda: bounds.score_matrix(lambda a, b: a, np.zeros(3), np.zeros((3, 1))), "shape"),
    ],
)
def test_bad_critic_arguments_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()
