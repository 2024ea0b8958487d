"""Nearest-neighbour estimators: brute-force references, scikit-learn, closed forms,
transformations (jit, vmap, grad), dtypes, ties and bad input."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import reference
import scipy.spatial
import scipy.special
import scipy.stats
from sklearn.feature_selection import mutual_info_regression
from sklearn.preprocessing import scale

from infojax.estimators import _neighbours_kdtree as kdtree
from infojax.estimators import get_estimator
from infojax.estimators import kl_entropy
from infojax.estimators import ksg_conditional_mutual_information
from infojax.estimators import ksg_mutual_information
from infojax.estimators import mixed_ksg_mutual_information
from infojax.estimators._neighbours import KL_KDTREE_FROM
from infojax.estimators._neighbours import KSG_KDTREE_FROM
from infojax.estimators._neighbours import _kl_entropy
from infojax.estimators._neighbours import _ksg
from infojax.estimators._neighbours import _resolve_backend
from infojax.estimators._neighbours import kdtree_threshold

BACKENDS = ("jax", "kdtree")
# Both backends and the NumPy reference count the same neighbours from bitwise-equal
# max-norm distances; only the order of the final float64 sums differs.
# These comparisons run with x64 (marked float64): in float32 the samples and distances
# round, so ties and near-ties fall otherwise than in the float64 reference (values on
# a 0.1 grid: 0.46 against 0.57 nats). The default float32 path is checked by the
# ground-truth tests and test_dtype_follows_input[float32].
REFERENCE_RTOL = 1e-10


def correlated_gaussians(seed, n, d, rho):
    """x, y with coordinate-wise correlation rho; I(X;Y) = -d/2 log(1 - rho^2)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = rho * x + np.sqrt(1 - rho**2) * rng.normal(size=(n, d))
    return x, y, -0.5 * d * np.log(1 - rho**2)


def dependent_triple(seed, n):
    """x, y, z with z ~ N(0,1), x = z + e1, y = x + z + e2 and I(X;Y|Z) from log-dets."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    x = z + rng.normal(size=n)
    y = x + z + rng.normal(size=n)
    cov = np.array([[2.0, 3.0, 1.0], [3.0, 6.0, 2.0], [1.0, 2.0, 1.0]])

    def logdet(idx):
        return np.linalg.slogdet(cov[np.ix_(idx, idx)])[1]

    truth = 0.5 * (logdet([0, 2]) + logdet([1, 2]) - logdet([2]) - logdet([0, 1, 2]))
    return x, y, z, truth


# --- agreement with the brute-force NumPy reference -------------------------------


@pytest.mark.float64
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("metric", ["chebyshev", "euclidean"])
@pytest.mark.parametrize("d", [1, 3])
def test_kl_entropy_matches_reference(backend, metric, d):
    x = np.random.default_rng(d).normal(size=(150, d))
    expected = reference.kl_entropy_reference(x, 4, metric)
    got = kl_entropy(x, k=4, metric=metric, backend=backend)
    # Euclidean distances are square roots of sums, rounded differently from NumPy's.
    rtol = REFERENCE_RTOL if metric == "chebyshev" else 1e-9
    np.testing.assert_allclose(got, expected, rtol=rtol)


@pytest.mark.float64
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("variant", [1, 2])
@pytest.mark.parametrize(("d_x", "d_y", "k"), [(1, 1, 3), (2, 3, 1), (3, 2, 5)])
def test_ksg_matches_reference(backend, variant, d_x, d_y, k):
    rng = np.random.default_rng(10 * d_x + d_y)
    x = rng.normal(size=(160, d_x))
    y = x[:, :1] + rng.normal(size=(160, d_y))
    expected = reference.ksg_reference(x, y, k, variant)
    got = ksg_mutual_information(x, y, k=k, variant=variant, backend=backend)
    np.testing.assert_allclose(got, expected, rtol=REFERENCE_RTOL)


@pytest.mark.float64
@pytest.mark.parametrize("backend", BACKENDS)
def test_ksg_cmi_matches_reference(backend):
    x, y, z, _ = dependent_triple(0, 150)
    expected = reference.ksg_cmi_reference(x, y, z, 3)
    got = ksg_conditional_mutual_information(x, y, z, k=3, backend=backend)
    np.testing.assert_allclose(got, expected, rtol=REFERENCE_RTOL)


@pytest.mark.float64
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind", ["continuous", "labels", "rounded"])
def test_mixed_ksg_matches_reference(backend, kind):
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, 150)
    if kind == "continuous":
        x, y = rng.normal(size=(150, 2)), rng.normal(size=150) + labels
    elif kind == "labels":
        x, y = labels, labels + 0.5 * rng.normal(size=150)
    else:  # a mixture: many exact ties in both x and y
        x, y = labels, np.round(labels + rng.normal(size=150))
    expected = reference.mixed_ksg_reference(x, y, 3)
    got = mixed_ksg_mutual_information(x, y, k=3, backend=backend)
    np.testing.assert_allclose(got, expected, rtol=REFERENCE_RTOL)


@pytest.mark.float64
@pytest.mark.parametrize("backend", BACKENDS)
def test_ties_handled_exactly_under_jit(backend):
    # Values on a coarse grid: many equal marginal distances, and duplicate points
    # (fewer than k copies, so every k-th neighbour distance stays positive). Eagerly
    # the tie check rejects such data; under jit the same check runs in the graph and
    # gives NaN (documented). The compiled core below the check counts the ties
    # exactly.
    rng = np.random.default_rng(3)
    x = np.round(rng.normal(size=(200, 1)), 1)
    y = np.round(x + rng.normal(size=(200, 1)), 1)
    assert len(np.unique(np.hstack([x, y]), axis=0)) < 200
    with pytest.raises(ValueError, match="`x` has tied samples"):
        ksg_mutual_information(x, y, k=4, backend=backend)
    jitted = jax.jit(lambda a, b: ksg_mutual_information(a, b, k=4, backend=backend))
    assert np.isnan(float(jitted(x, y)))
    x, y = jnp.asarray(x), jnp.asarray(y)
    counts = kdtree.ksg_counts(x, y, 4, 1, "chebyshev") if backend == "kdtree" else None
    core = _ksg(x, y, counts, k=4, variant=1, metric="chebyshev", block_size=64)
    np.testing.assert_allclose(core, reference.ksg_reference(x, y, 4), rtol=REFERENCE_RTOL)


@pytest.mark.float64  # float64 samples: jitter 1e-10, references at 1e-9
@pytest.mark.parametrize("backend", BACKENDS)
def test_few_isolated_ties_pass_and_are_counted_exactly(backend):
    # One point of 200 duplicated (2 tied rows = 1%, each with fewer than k copies):
    # below both limits of the tie check, as float32 rounding ties typically are.
    x, y, _ = correlated_gaussians(30, 200, 1, 0.5)
    x[7], y[7] = x[3], y[3]
    np.testing.assert_allclose(
        ksg_mutual_information(x, y, backend=backend),
        reference.ksg_reference(x, y, 3),
        rtol=REFERENCE_RTOL,
    )
    np.testing.assert_allclose(
        kl_entropy(x, backend=backend), reference.kl_entropy_reference(x, 3), rtol=REFERENCE_RTOL
    )


@pytest.mark.float64
def test_ksg2_ties_count_all_tied_neighbours():
    # Documented rule of the JAX path: points tied at the k-th joint distance all count
    # as neighbours for the marginal radii of algorithm 2. On a unit grid the joint
    # max-norm distances tie heavily.
    rng = np.random.default_rng(4)
    x = rng.integers(0, 30, size=(120, 1)).astype(float)
    y = rng.integers(0, 30, size=(120, 1)).astype(float)
    dx = np.abs(x - x.T)
    dy = np.abs(y - y.T)
    np.fill_diagonal(dx, np.inf)
    np.fill_diagonal(dy, np.inf)
    joint = np.maximum(dx, dy)
    eps = np.sort(joint, axis=1)[:, 2][:, None]
    neighbours = joint <= eps
    eps_x = np.where(neighbours, dx, 0).max(1)[:, None]
    eps_y = np.where(neighbours, dy, 0).max(1)[:, None]
    n_x, n_y = (dx <= eps_x).sum(1), (dy <= eps_y).sum(1)
    expected = (
        scipy.special.digamma(3)
        - 1 / 3
        + scipy.special.digamma(120)
        - np.mean(scipy.special.digamma(n_x) + scipy.special.digamma(n_y))
    )
    # Integer-valued data: rejected eagerly, NaN under jit; the compiled core below
    # the check counts the ties exactly.
    jitted = jax.jit(lambda a, b: ksg_mutual_information(a, b, k=3, variant=2, backend="jax"))
    assert np.isnan(float(jitted(x, y)))
    core = _ksg(jnp.asarray(x), jnp.asarray(y), None, k=3, variant=2, metric="chebyshev",
                block_size=32)
    np.testing.assert_allclose(core, expected, rtol=REFERENCE_RTOL)


@pytest.mark.parametrize("backend", BACKENDS)
def test_duplicates_raise_eagerly_and_give_nan_under_jit(backend):
    # Documented: k or more copies of a point make its k-th neighbour distance zero
    # (the unchecked core gives -inf), which the eager tie check reports; under jit and
    # vmap the check runs in the graph and gives NaN.
    x = np.concatenate([np.zeros((4, 1)), np.random.default_rng(0).normal(size=(50, 1))])
    with pytest.raises(ValueError, match=r"`x` has tied samples: 4 of its 54 rows.*occurs 4"):
        kl_entropy(x, k=3, backend=backend)
    assert np.isnan(float(jax.jit(lambda a: kl_entropy(a, k=3, backend=backend))(x)))
    batched = jax.vmap(lambda a: kl_entropy(a, k=3, backend=backend))(np.stack([x, x[::-1]]))
    assert np.isnan(batched).all()
    assert _kl_entropy(jnp.asarray(x), None, k=3, metric="chebyshev", block_size=8) == -np.inf
    # With 4 copies, k = 4 still finds a positive distance: below both limits at n = 450.
    wide = np.concatenate([x, np.random.default_rng(1).normal(size=(396, 1))])
    assert np.isfinite(kl_entropy(wide, k=4, backend=backend))


# --- ties, integer data and jitter ----------------------------------------------


def independent_integers(seed=0, n=100):
    """The issue's example: two independent integer arrays with values 0..4."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 5, n), rng.integers(0, 5, n)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("variant", [1, 2])
def test_integer_valued_ties_raise_with_count_and_remedies(backend, variant):
    # Without the check KSG returned about 5 nats here (truth 0).
    x, y = independent_integers()
    with pytest.raises(ValueError) as raised:
        ksg_mutual_information(x.astype(float), y.astype(float), variant=variant, backend=backend)
    message = str(raised.value)
    assert "`x` has tied samples: 100 of its 100 rows equal another row (5 distinct" in message
    for remedy in ("`jitter=", "key=jax.random.key(0)", "scikit-learn", "discrete_", "mixed_ksg"):
        assert remedy in message, remedy


@pytest.mark.parametrize(
    ("fn", "n_args"),
    [(kl_entropy, 1), (ksg_mutual_information, 2), (ksg_conditional_mutual_information, 3)],
)
def test_integer_dtype_raises_type_error_naming_remedies(fn, n_args):
    rng = np.random.default_rng(1)
    floats = [rng.normal(size=100) for _ in range(n_args)]
    for position, name in enumerate("xyz"[:n_args]):
        args = list(floats)
        args[position] = rng.integers(0, 1000, 100)
        with pytest.raises(TypeError, match=rf"`{name}` has dtype int.*`jitter=.*mixed_ksg"):
            fn(*args)
    bools = [a > 0 for a in floats]
    with pytest.raises(TypeError, match="`x` has dtype bool"):
        fn(*bools)


@pytest.mark.parametrize("backend", BACKENDS)
def test_kl_entropy_of_two_valued_and_integer_data_raises(backend):
    binary = np.random.default_rng(2).integers(0, 2, 200)
    with pytest.raises(TypeError, match="`x` has dtype int"):
        kl_entropy(binary, backend=backend)
    with pytest.raises(ValueError, match="`x` has tied samples: 200 of its 200 rows"):
        kl_entropy(binary.astype(float), backend=backend)


def test_cmi_ties_name_the_argument():
    x, y, z, _ = dependent_triple(31, 150)
    with pytest.raises(ValueError, match="`z` has tied samples"):
        ksg_conditional_mutual_information(x, y, np.round(z))
    with pytest.raises(ValueError, match="`y` has tied samples"):
        ksg_conditional_mutual_information(x, np.round(y), z)


def test_negative_zero_is_a_tie():
    # -0.0 and 0.0 are the same point (distance 0) though their bits differ.
    x = np.random.default_rng(3).normal(size=60)
    x[:2], x[2:4] = 0.0, -0.0
    with pytest.raises(ValueError, match="`x` has tied samples: 4 of its 60 rows"):
        kl_entropy(x)


# Over 30 seeds of the data (and of the noise), jittered KSG on the example had
# mean 0.003 and standard deviation 0.076 nats (algorithm 1; 0.10 for algorithm 2), max
# |0.25|: the estimator's own sampling error at n = 100, so the tolerance is 0.35 (about
# 4 standard deviations of algorithm 1, 3.5 of algorithm 2).
JITTERED_INDEPENDENT_TOLERANCE = 0.35


@pytest.mark.float64  # float64 samples: jitter 1e-10, references at 1e-9
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("variant", [1, 2])
def test_jitter_on_tied_independent_integers_gives_about_zero(backend, variant):
    x, y = independent_integers()
    estimate = ksg_mutual_information(
        x, y, variant=variant, jitter=1e-10, key=jax.random.key(0), backend=backend
    )
    assert estimate.dtype == jnp.result_type(float)
    assert abs(float(estimate)) < JITTERED_INDEPENDENT_TOLERANCE, float(estimate)


@pytest.mark.parametrize("variant", [1, 2])
def test_jitter_in_float32_on_tied_independent_integers_gives_about_zero(variant):
    # JAX's default precision: 1e-3 (the documented float32 jitter) separates the 20
    # copies of each value; rounding leaves a few coinciding pairs, which are allowed.
    x, y = independent_integers()
    estimate = ksg_mutual_information(x, y, variant=variant, jitter=1e-3, key=jax.random.key(0))
    assert estimate.dtype == jnp.float32
    assert abs(float(estimate)) < JITTERED_INDEPENDENT_TOLERANCE, float(estimate)


@pytest.mark.float64  # float64 samples: jitter 1e-10, references at 1e-9
def test_jitter_on_dependent_integers_sees_the_dependence():
    # y = x with probability 0.8, else uniform: I = H(Y) - H(Y|X) in nats.
    rng = np.random.default_rng(5)
    x = rng.integers(0, 5, 2000)
    y = np.where(rng.random(2000) < 0.8, x, rng.integers(0, 5, 2000))
    p_same = 0.8 + 0.2 / 5
    truth = np.log(5) + p_same * np.log(p_same) + (1 - p_same) * np.log((1 - p_same) / 4)
    estimate = float(ksg_mutual_information(x, y, jitter=1e-10, key=jax.random.key(1)))
    # The jittered pair has the MI of the discrete pair. Over 8 other seeds of data and
    # noise the error was -0.013 +- 0.027 nats (range -0.044 to +0.053); 0.08 is 3
    # standard deviations. This seed gives -0.029 (0.919 against 0.948).
    assert abs(estimate - truth) < 0.08, (estimate, truth)


@pytest.mark.float64  # float64 samples: jitter 1e-10, references at 1e-9
def test_jitter_adds_column_scaled_noise_from_the_key():
    # The documented noise: jitter * max(std, mean |x|) per column, one key per argument.
    x, y = independent_integers()
    x = np.stack([x, 1000 + 10 * y], axis=1).astype(float)
    key = jax.random.key(2)
    jitter = 1e-6  # large enough to be checked to float64 rounding
    got = kl_entropy(x, jitter=jitter, key=key, backend="jax")
    (x_key,) = jax.random.split(key, 1)
    scale = np.maximum(x.std(axis=0), np.abs(x).mean(axis=0))
    noise = np.asarray(jax.random.normal(x_key, x.shape, x.dtype))
    np.testing.assert_allclose(
        got, reference.kl_entropy_reference(x + jitter * scale * noise, 3), rtol=1e-9
    )


@pytest.mark.float64  # float64 samples: jitter 1e-10, references at 1e-9
def test_jitter_works_under_jit_and_matches_eager():
    x, y = independent_integers()
    x, y = x.astype(float), y.astype(float)
    key = jax.random.key(3)
    eager = ksg_mutual_information(x, y, jitter=1e-10, key=key)
    jitted = jax.jit(lambda a, b, k: ksg_mutual_information(a, b, jitter=1e-10, key=k))
    np.testing.assert_allclose(jitted(x, y, key), eager, rtol=1e-12)
    z = np.random.default_rng(4).integers(0, 3, 100).astype(float)
    eager_cmi = ksg_conditional_mutual_information(x, y, z, jitter=1e-10, key=key)
    jitted_cmi = jax.jit(
        lambda a, b, c, k: ksg_conditional_mutual_information(a, b, c, jitter=1e-10, key=k)
    )
    np.testing.assert_allclose(jitted_cmi(x, y, z, key), eager_cmi, rtol=1e-12)
    assert abs(float(eager_cmi)) < JITTERED_INDEPENDENT_TOLERANCE


@pytest.mark.float64  # float64 samples: jitter 1e-10, references at 1e-9
@pytest.mark.parametrize("backend", BACKENDS)
def test_jitter_works_under_vmap_with_one_key_per_set(backend):
    pairs = [independent_integers(seed) for seed in range(3)]
    xs = np.stack([p[0] for p in pairs]).astype(float)
    ys = np.stack([p[1] for p in pairs]).astype(float)
    keys = jax.random.split(jax.random.key(4), 3)

    def estimate(x, y, key):
        return ksg_mutual_information(x, y, jitter=1e-10, key=key, backend=backend)

    batched = jax.vmap(estimate)(xs, ys, keys)
    looped = [estimate(x, y, key) for x, y, key in zip(xs, ys, keys, strict=True)]
    np.testing.assert_allclose(batched, looped, rtol=1e-12)
    assert np.all(np.abs(batched) < JITTERED_INDEPENDENT_TOLERANCE)


def test_jitter_in_float32():
    x, y = independent_integers()
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    key = jax.random.key(5)
    estimate = ksg_mutual_information(x32, y32, jitter=1e-3, key=key)
    assert estimate.dtype == jnp.float32
    assert abs(float(estimate)) < JITTERED_INDEPENDENT_TOLERANCE
    # 1e-10 is below float32 resolution: an error rather than a silent no-op.
    with pytest.raises(ValueError, match="`jitter`=1e-10 is lost to rounding in float32"):
        ksg_mutual_information(x32, y32, jitter=1e-10, key=key)
    # Noise too small for thousands of copies of a value: the ties survive and are
    # reported, naming float64 as the remedy.
    many = np.repeat(np.arange(5, dtype=np.float32), 2000)
    with pytest.raises(ValueError, match=r"`x` still has tied samples after `jitter`.*float64"):
        kl_entropy(many, jitter=1e-5, key=key)


@pytest.mark.float64  # float64 samples: jitter 1e-10, references at 1e-9
def test_jitter_and_key_arguments_are_checked():
    x, y = independent_integers()
    key = jax.random.key(6)
    with pytest.raises(ValueError, match="`jitter` draws noise and needs `key`"):
        ksg_mutual_information(x, y, jitter=1e-10)
    with pytest.raises(ValueError, match="`key` is only used with `jitter`"):
        ksg_mutual_information(x.astype(float), y.astype(float), key=key)
    with pytest.raises(ValueError, match="`jitter` must be positive"):
        kl_entropy(x, jitter=-1e-10, key=key)
    with pytest.raises(TypeError, match="`jitter` must be a float"):
        kl_entropy(x, jitter="small", key=key)
    with pytest.raises(TypeError, match="`key` must be a PRNG key"):
        kl_entropy(x, jitter=1e-10, key=0)
    # A constant column stays an error: jitter would estimate the noise alone.
    with pytest.raises(ValueError, match="`y` has constant column"):
        ksg_mutual_information(x, np.zeros(100), jitter=1e-10, key=key)


@pytest.mark.float64  # float64 samples: jitter 1e-10, references at 1e-9
def test_jitter_through_the_registry():
    x, y = independent_integers()
    fn = get_estimator("ksg").bind(jitter=1e-10, key=jax.random.key(0))
    np.testing.assert_allclose(
        fn(x, y), ksg_mutual_information(x, y, jitter=1e-10, key=jax.random.key(0))
    )


@pytest.mark.float64
@pytest.mark.parametrize("block_size", [1, 7, 64, 1000])
def test_block_size_does_not_change_the_result(block_size):
    x, y, _ = correlated_gaussians(5, 130, 2, 0.5)
    expected = reference.ksg_reference(x, y, 3)
    got = ksg_mutual_information(x, y, backend="jax", block_size=block_size)
    np.testing.assert_allclose(got, expected, rtol=REFERENCE_RTOL)


# --- metric: max-norm or Euclidean within each side ------------------------------


def independent_ksg(x, y, k, variant, metric):
    """KSG from scipy's cdist and a loop over points (written apart from reference.py)."""
    x, y = np.reshape(x, (len(x), -1)), np.reshape(y, (len(y), -1))
    n = len(x)
    norm = "chebyshev" if metric == "chebyshev" else "euclidean"
    total = 0.0
    for i in range(n):
        dx = scipy.spatial.distance.cdist(x[i : i + 1], x, norm)[0]
        dy = scipy.spatial.distance.cdist(y[i : i + 1], y, norm)[0]
        others = np.arange(n) != i
        joint = np.maximum(dx, dy)[others]
        nearest = np.argsort(joint, kind="stable")[:k]
        if variant == 1:
            eps = joint[nearest[-1]]
            n_x, n_y = np.sum(dx[others] < eps), np.sum(dy[others] < eps)
            total += scipy.special.digamma(n_x + 1) + scipy.special.digamma(n_y + 1)
        else:
            n_x = np.sum(dx[others] <= dx[others][nearest].max())
            n_y = np.sum(dy[others] <= dy[others][nearest].max())
            total += scipy.special.digamma(n_x) + scipy.special.digamma(n_y)
    common = scipy.special.digamma(k) + scipy.special.digamma(n) - (variant == 2) / k
    return common - total / n


@pytest.mark.float64  # float64 samples: jitter 1e-10, references at 1e-9
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("variant", [1, 2])
@pytest.mark.parametrize(("d_x", "d_y", "k"), [(2, 3, 1), (3, 2, 4)])
def test_ksg_euclidean_matches_reference_and_independent_code(backend, variant, d_x, d_y, k):
    rng = np.random.default_rng(40 + d_x)
    x = rng.normal(size=(140, d_x))
    y = x[:, :1] + rng.normal(size=(140, d_y))
    got = ksg_mutual_information(x, y, k=k, variant=variant, metric="euclidean", backend=backend)
    # The counts are equal; the sums differ in order, and the Euclidean distances may
    # round differently (no tie is near a boundary here).
    np.testing.assert_allclose(
        got, reference.ksg_reference(x, y, k, variant, "euclidean"), rtol=1e-9
    )
    np.testing.assert_allclose(got, independent_ksg(x, y, k, variant, "euclidean"), rtol=1e-9)
    # And the metric matters in more than one dimension.
    assert abs(float(got) - float(ksg_mutual_information(x, y, k=k, variant=variant))) > 1e-3


def test_independent_ksg_agrees_with_reference_for_the_max_norm():
    # The independent implementation itself, on the default metric.
    x, y, _ = correlated_gaussians(41, 90, 2, 0.5)
    for variant in (1, 2):
        np.testing.assert_allclose(
            independent_ksg(x, y, 3, variant, "chebyshev"),
            reference.ksg_reference(x, y, 3, variant),
            rtol=1e-10,
        )


@pytest.mark.float64  # float64 samples: jitter 1e-10, references at 1e-9
@pytest.mark.parametrize("backend", BACKENDS)
def test_ksg_cmi_euclidean_matches_reference_and_independent_code(backend):
    rng = np.random.default_rng(42)
    z = rng.normal(size=(130, 2))
    x = z + rng.normal(size=(130, 2))
    y = x[:, :1] + z[:, 1:] + rng.normal(size=(130, 2))
    got = ksg_conditional_mutual_information(x, y, z, metric="euclidean", backend=backend)
    np.testing.assert_allclose(got, reference.ksg_cmi_reference(x, y, z, 3, "euclidean"), rtol=1e-9)
    # Independent: cdist per side, the joint and pair spaces as maxima of the sides.
    dx, dy, dz = (scipy.spatial.distance.cdist(a, a) for a in (x, y, z))
    for d in (dx, dy, dz):
        np.fill_diagonal(d, np.inf)
    eps = np.partition(np.maximum(np.maximum(dx, dy), dz), 2, axis=1)[:, 2:3]
    n_xz = np.sum(np.maximum(dx, dz) < eps, axis=1)
    n_yz = np.sum(np.maximum(dy, dz) < eps, axis=1)
    n_z = np.sum(dz < eps, axis=1)
    psi = scipy.special.digamma
    expected = psi(3) - np.mean(psi(n_xz + 1) + psi(n_yz + 1) - psi(n_z + 1))
    np.testing.assert_allclose(got, expected, rtol=1e-9)


@pytest.mark.float64  # float64 samples: jitter 1e-10, references at 1e-9
@pytest.mark.parametrize("backend", BACKENDS)
def test_kl_entropy_euclidean_matches_a_scipy_kdtree(backend):
    # Independent: scipy's KD-tree in the 2-norm and the volume of the Euclidean unit
    # ball, V_d = pi^(d/2) / Gamma(d/2 + 1).
    x = np.random.default_rng(43).normal(size=(300, 3))
    distances, _ = scipy.spatial.cKDTree(x).query(x, k=5, p=2)
    log_volume = 1.5 * np.log(np.pi) - scipy.special.gammaln(2.5)
    expected = (
        scipy.special.digamma(300)
        - scipy.special.digamma(4)
        + log_volume
        + 3 * np.mean(np.log(distances[:, 4]))
    )
    got = kl_entropy(x, k=4, metric="euclidean", backend=backend)
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_metrics_coincide_in_one_dimension():
    # Within a one-dimensional side both norms are |a - b|.
    x, y, _ = correlated_gaussians(44, 150, 1, 0.6)
    z = np.random.default_rng(144).normal(size=150)
    for backend in BACKENDS:
        for variant in (1, 2):
            np.testing.assert_allclose(
                ksg_mutual_information(x, y, variant=variant, metric="euclidean", backend=backend),
                ksg_mutual_information(x, y, variant=variant, backend=backend),
                rtol=1e-12,
            )
        np.testing.assert_allclose(
            ksg_conditional_mutual_information(x, y, z, metric="euclidean", backend=backend),
            ksg_conditional_mutual_information(x, y, z, backend=backend),
            rtol=1e-12,
        )


@pytest.mark.parametrize("metric", ["chebyshev", "euclidean"])
def test_ksg_metric_on_correlated_gaussians(metric):
    # d = 3 per side, rho = 0.6 (truth 0.669 nats), n = 2000: both norms underestimate
    # in 6 joint dimensions (KSG's k-NN bias). Errors over seeds 45-49: -0.003 to -0.090
    # (max-norm) and -0.001 to -0.073 (Euclidean); this seed gives -0.014 and -0.001.
    x, y, truth = correlated_gaussians(45, 2000, 3, 0.6)
    estimate = float(ksg_mutual_information(x, y, metric=metric))
    assert truth - 0.15 < estimate < truth + 0.05, (estimate, truth)


@pytest.mark.float64  # float64 samples: jitter 1e-10, references at 1e-9
def test_metric_under_jit_and_vmap_and_registry():
    x, y, _ = correlated_gaussians(46, 120, 2, 0.5)
    z = np.random.default_rng(146).normal(size=(120, 2))
    expected = reference.ksg_reference(x, y, 3, 1, "euclidean")
    for backend in BACKENDS:
        jitted = jax.jit(
            lambda a, b, backend=backend: ksg_mutual_information(
                a, b, metric="euclidean", backend=backend
            )
        )
        np.testing.assert_allclose(jitted(x, y), expected, rtol=1e-9)
        batched = jax.vmap(
            lambda a, b, backend=backend: ksg_conditional_mutual_information(
                a, b, z, metric="euclidean", backend=backend
            )
        )(np.stack([x, x]), np.stack([y, y]))
        np.testing.assert_allclose(
            batched, [reference.ksg_cmi_reference(x, y, z, 3, "euclidean")] * 2, rtol=1e-9
        )
    for name, variant in (("ksg", 1), ("ksg2", 2)):
        np.testing.assert_allclose(
            get_estimator(name).bind(metric="euclidean")(x, y),
            reference.ksg_reference(x, y, 3, variant, "euclidean"),
            rtol=1e-9,
        )
    with pytest.raises(ValueError, match="`metric`"):
        ksg_mutual_information(x, y, metric="manhattan")
    with pytest.raises(ValueError, match="`metric`"):
        ksg_conditional_mutual_information(x, y, z, metric="cityblock")


# --- scikit-learn ---------------------------------------------------------------


@pytest.mark.float64
def test_ksg_matches_scikit_learn_with_identical_preprocessing():
    # mutual_info_regression scales each variable to unit standard deviation and adds
    # noise of 1e-10 times max(1, mean |value|), drawn from RandomState(random_state):
    # first the feature, then the target. Doing exactly that here gives the same points,
    # so the estimates agree to rounding. (sklearn clips negative estimates at 0; the
    # data here are dependent, so the estimate is positive.)
    x, y, _ = correlated_gaussians(6, 800, 1, 0.6)
    rng = np.random.RandomState(0)
    x_scaled = scale(x, with_mean=False)
    x_scaled += 1e-10 * np.maximum(1, np.mean(np.abs(x_scaled))) * rng.standard_normal((800, 1))
    y_scaled = scale(y[:, 0], with_mean=False)
    y_scaled += 1e-10 * np.maximum(1, np.mean(np.abs(y_scaled))) * rng.standard_normal(800)
    expected = mutual_info_regression(x, y[:, 0], n_neighbors=3, random_state=0)[0]
    for backend in BACKENDS:
        got = ksg_mutual_information(x_scaled, y_scaled, k=3, backend=backend)
        np.testing.assert_allclose(got, expected, rtol=1e-10)


# --- closed forms ---------------------------------------------------------------
# All at n = 2000 with k = 3 and a fixed seed. Over five seeds the errors in 1-D were
# within 0.06 nats (the estimator's standard deviation at this n is about 0.02); the
# tolerances leave room for other seeds.


@pytest.mark.parametrize("variant", [1, 2])
@pytest.mark.parametrize(
    ("d", "rho", "below", "above"),
    [
        # 1-D: unbiased to within sampling noise.
        (1, 0.0, 0.08, 0.08),
        (1, 0.5, 0.08, 0.08),
        (1, 0.9, 0.1, 0.1),
        # d = 5 per side: independence is still estimated well, but KSG underestimates
        # strong dependence in 10 joint dimensions (its k-NN balls cannot resolve the
        # thin joint density; Gao, Ver Steeg & Galstyan 2015). Measured over five seeds:
        # -0.15 nats at rho = 0.5 (truth 0.72) and -1.3 nats at rho = 0.9 (truth 4.15).
        (5, 0.0, 0.06, 0.06),
        (5, 0.5, 0.3, 0.05),
        (5, 0.9, 1.6, 0.0),
    ],
)
def test_ksg_correlated_gaussians(variant, d, rho, below, above):
    x, y, truth = correlated_gaussians(7, 2000, d, rho)
    estimate = float(ksg_mutual_information(x, y, variant=variant))
    assert truth - below <= estimate <= truth + above, (estimate, truth)


def test_ksg_uniform_with_uniform_noise():
    # X ~ U(0, 1), Y = X + U(0, a): h(Y) = a / 2 (two linear ramps), h(Y|X) = log a.
    # Over five seeds the error was -0.03 +- 0.02 nats at n = 2000 (the density has
    # edges, where k-NN balls overhang the support).
    rng = np.random.default_rng(8)
    x = rng.uniform(size=2000)
    y = x + 0.5 * rng.uniform(size=2000)
    truth = 0.25 - np.log(0.5)
    assert abs(float(ksg_mutual_information(x, y)) - truth) < 0.1


def test_ksg_student_t():
    # Bivariate Student-t (3 degrees of freedom, correlation 0.5): MI from scipy's
    # closed-form entropies, h(X) + h(Y) - h(X, Y). Errors within 0.035 over five seeds.
    shape = [[1.0, 0.5], [0.5, 1.0]]
    joint = scipy.stats.multivariate_t(loc=[0, 0], shape=shape, df=3, seed=9)
    marginal = scipy.stats.multivariate_t(loc=[0], shape=[[1.0]], df=3)
    truth = 2 * marginal.entropy() - joint.entropy()
    samples = joint.rvs(2000)
    estimate = float(ksg_mutual_information(samples[:, 0], samples[:, 1]))
    assert abs(estimate - truth) < 0.08


@pytest.mark.parametrize("metric", ["chebyshev", "euclidean"])
@pytest.mark.parametrize(("d", "tolerance"), [(1, 0.06), (5, 0.2)])
def test_kl_entropy_standard_normal(metric, d, tolerance):
    # h = d/2 log(2 pi e). Errors over five seeds: within 0.025 (d = 1) and 0.11
    # nats (d = 5, where the k-NN bias of the tails is larger).
    x = np.random.default_rng(11).normal(size=(2000, d))
    truth = 0.5 * d * np.log(2 * np.pi * np.e)
    assert abs(float(kl_entropy(x, metric=metric)) - truth) < tolerance


def test_kl_entropy_uniform_cube_in_bits():
    # h(U[0, 2]^2) = 2 log2(2) = 2 bits; edge effects make the estimate low by a few
    # hundredths of a bit at n = 2000.
    x = 2 * np.random.default_rng(12).uniform(size=(2000, 2))
    assert abs(float(kl_entropy(x, base=2)) - 2.0) < 0.1


def test_ksg_cmi_gaussian():
    # Errors within 0.031 over five seeds at n = 2000.
    x, y, z, truth = dependent_triple(13, 2000)
    estimate = float(ksg_conditional_mutual_information(x, y, z))
    assert abs(estimate - truth) < 0.08


def test_mixed_ksg_closed_forms():
    rng = np.random.default_rng(14)
    n = 2000
    labels = rng.integers(0, 4, n)
    binary = rng.integers(0, 2, n)
    # Discrete copy: I = H(X) = log 4 up to the plug-in error of the class frequencies.
    assert abs(float(mixed_ksg_mutual_information(labels, labels)) - np.log(4)) < 0.01
    # Label plus non-overlapping uniform noise: still log 4.
    separated = labels + rng.uniform(size=n)
    assert abs(float(mixed_ksg_mutual_information(labels, separated)) - np.log(4)) < 0.02
    # Overlapping: Y = X + U(0, 2), X in {0, 1}: h(Y) = 1.5 log 2, h(Y|X) = log 2.
    overlapping = binary + 2 * rng.uniform(size=n)
    estimate = float(mixed_ksg_mutual_information(binary, overlapping))
    assert abs(estimate - 0.5 * np.log(2)) < 0.06
    # Independent: zero within the sampling noise (0.01 over five seeds).
    assert abs(float(mixed_ksg_mutual_information(binary, rng.normal(size=n)))) < 0.04


@pytest.mark.float64
def test_mixed_ksg_on_continuous_data_is_ksg_plus_constant():
    # Documented identity: without ties, mixed KSG = KSG1 + log n - psi(n).
    x, y, _ = correlated_gaussians(15, 300, 2, 0.5)
    shift = np.log(300) - scipy.special.digamma(300)
    np.testing.assert_allclose(
        mixed_ksg_mutual_information(x, y), ksg_mutual_information(x, y) + shift, rtol=1e-12
    )


@pytest.mark.slow
def test_ksg_at_scale():
    # n = 100,000 with d = 5 per side, pure-JAX blocks (no n x n matrix). Truth
    # 0.719 nats; the KSG bias seen at n = 2000 (-0.15) shrinks only slowly with n in
    # 10 joint dimensions: this seed gives 0.669 (-0.05), the sampling spread is ~0.003.
    x, y, truth = correlated_gaussians(16, 100_000, 5, 0.5)
    x, y = x.astype(np.float32), y.astype(np.float32)
    estimate = float(ksg_mutual_information(x, y, backend="jax"))
    assert truth - 0.08 < estimate < truth + 0.02


# --- transformations and dtypes -------------------------------------------------


@pytest.mark.float64
def test_jit_matches_eager():
    x, y, _ = correlated_gaussians(17, 200, 2, 0.5)
    z = np.random.default_rng(17).normal(size=200)
    for fn, args in [
        (ksg_mutual_information, (x, y)),
        (kl_entropy, (x,)),
        (ksg_conditional_mutual_information, (x, y, z)),
        (mixed_ksg_mutual_information, (x, y)),
    ]:
        jitted = jax.jit(lambda *a, fn=fn: fn(*a, backend="jax"))
        np.testing.assert_allclose(jitted(*args), fn(*args, backend="jax"), rtol=1e-12)
    # The KD-tree runs under jit through jax.pure_callback, eagerly by a direct call
    # on the host thread: the same statistics, so the same value to the last bit.
    jitted = jax.jit(lambda x, y: ksg_mutual_information(x, y, backend="kdtree"))
    np.testing.assert_allclose(jitted(x, y), reference.ksg_reference(x, y, 3), rtol=1e-12)
    x_1d, y_1d = x[:, :1], y[:, :1]
    for fn, args in [
        (ksg_mutual_information, (x, y)),
        (ksg_mutual_information, (x_1d, y_1d)),
        (kl_entropy, (x,)),
        (kl_entropy, (x_1d,)),
        (ksg_conditional_mutual_information, (x, y, z)),
        (ksg_conditional_mutual_information, (x_1d, y_1d, z)),
        (mixed_ksg_mutual_information, (x, y)),
    ]:
        jitted = jax.jit(lambda *a, fn=fn: fn(*a, backend="kdtree"))
        eager = fn(*args, backend="kdtree")
        assert eager.dtype == np.float64
        np.testing.assert_array_equal(jitted(*args), eager)
        np.testing.assert_allclose(eager, fn(*args, backend="jax"), rtol=1e-12)


@pytest.mark.float64
@pytest.mark.parametrize("backend", BACKENDS)
def test_vmap_over_seeds_matches_loop(backend):
    samples = [correlated_gaussians(seed, 150, 1, 0.5) for seed in range(3)]
    xs = np.stack([s[0] for s in samples])
    ys = np.stack([s[1] for s in samples])
    batched = jax.vmap(lambda x, y: ksg_mutual_information(x, y, backend=backend))(xs, ys)
    looped = [reference.ksg_reference(x, y, 3) for x, y in zip(xs, ys, strict=True)]
    np.testing.assert_allclose(batched, looped, rtol=REFERENCE_RTOL)


@pytest.mark.parametrize("metric", ["chebyshev", "euclidean"])
def test_kl_entropy_gradient_scaling_identity(metric):
    # h(c x) = h(x) + d log c, so d/dc at c = 1 gives sum_i x_i . grad_i h = d.
    x = jnp.asarray(np.random.default_rng(18).normal(size=(100, 3)))
    gradient = jax.grad(lambda x: kl_entropy(x, metric=metric))(x)
    assert np.all(np.isfinite(gradient))
    # Default float32: a sum of 300 products, measured 8e-8 relative off, hence 1e-6.
    np.testing.assert_allclose(jnp.sum(gradient * x), 3.0, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, pytest.param(np.float64, marks=pytest.mark.float64)])
def test_dtype_follows_input(dtype):
    x, y, _ = correlated_gaussians(19, 200, 2, 0.5)
    x, y = x.astype(dtype), y.astype(dtype)
    expected = reference.ksg_reference(x, y, 3)
    for backend in BACKENDS:
        for value in [
            ksg_mutual_information(x, y, backend=backend),
            kl_entropy(x, backend=backend),
            ksg_conditional_mutual_information(x, y, x[:, 0] + y[:, 0], backend=backend),
            mixed_ksg_mutual_information(x, y, backend=backend),
        ]:
            assert value.dtype == dtype
        # float32 distances are exact max-norms of float32 values, so the counts agree
        # with the float64 reference on the same float32 points; only sums round.
        got = ksg_mutual_information(x, y, backend=backend)
        np.testing.assert_allclose(got, expected, rtol=1e-5 if dtype == np.float32 else 1e-10)


@pytest.mark.float64
def test_registry_entries():
    x, y, _ = correlated_gaussians(20, 200, 1, 0.5)
    np.testing.assert_allclose(get_estimator("ksg").bind()(x, y), reference.ksg_reference(x, y, 3))
    np.testing.assert_allclose(
        get_estimator("ksg2").bind(k=4)(x, y), reference.ksg_reference(x, y, 4, 2)
    )
    np.testing.assert_allclose(
        get_estimator("kl_entropy").bind()(x), reference.kl_entropy_reference(x, 3)
    )
    assert get_estimator("ksg_cmi").quantity == "conditional_mutual_information"
    assert get_estimator("mixed_ksg").inputs == "mixed"


def test_auto_backend_rule():
    # The KD-tree from the table's n on (CPU), interpolated between its rows.
    assert _resolve_backend("auto", 1_000, 2) == "kdtree"
    assert _resolve_backend("auto", 999, 2) == "jax"
    assert _resolve_backend("auto", 10_000, 4) == "kdtree"
    assert _resolve_backend("auto", 10_000, 10) == "jax"
    assert _resolve_backend("auto", 100_000, 10) == "kdtree"
    assert _resolve_backend("auto", 10**7, 11) == "jax"
    assert _resolve_backend("auto", 2_000, 5, table=KL_KDTREE_FROM) == "kdtree"
    assert _resolve_backend("auto", 1_000, 5, table=KL_KDTREE_FROM) == "jax"
    assert kdtree_threshold(4, KSG_KDTREE_FROM) == KSG_KDTREE_FROM[1][1]
    assert KSG_KDTREE_FROM[1][1] < kdtree_threshold(7, KSG_KDTREE_FROM) < 100_000
    assert _resolve_backend("jax", 10**6, 2) == "jax"
    assert _resolve_backend("kdtree", 10, 20) == "kdtree"
    # Traced inputs take the same rule: the tree runs through a callback.
    big = jnp.zeros((5_000, 2))
    seen = []
    jax.jit(lambda a: seen.append(_resolve_backend("auto", a.shape[0], 2)) or a)(big)
    assert seen == ["kdtree"]


@pytest.mark.float64
def test_auto_euclidean_ksg_keeps_the_brute_force_and_agrees():
    x, y, _ = correlated_gaussians(22, 2_000, 1, 0.5)
    for metric in ("chebyshev", "euclidean"):
        np.testing.assert_allclose(
            ksg_mutual_information(x, y, metric=metric),
            ksg_mutual_information(x, y, metric=metric, backend="jax"),
            rtol=REFERENCE_RTOL,
        )


@pytest.mark.float64
@pytest.mark.parametrize("estimator", ["ksg", "kl", "cmi", "mixed"])
def test_kdtree_under_nested_vmap_matches_loop(estimator):
    rng = np.random.default_rng(23)
    data = rng.normal(size=(2, 3, 3, 120, 1))
    if estimator == "ksg":
        fn = lambda x, y: ksg_mutual_information(x, y, backend="kdtree")
    elif estimator == "kl":
        fn = lambda x, y: kl_entropy(jnp.hstack([x, y]), backend="kdtree")
    elif estimator == "cmi":
        fn = lambda x, y: ksg_conditional_mutual_information(x, y, x + y, backend="kdtree")
    else:
        fn = lambda x, y: mixed_ksg_mutual_information(jnp.round(x), y, backend="kdtree")
    batched = jax.jit(jax.vmap(jax.vmap(fn)))(data[0], data[1])
    assert batched.shape == (3, 3)
    looped = [[fn(data[0, i, j], data[1, i, j]) for j in range(3)] for i in range(3)]
    np.testing.assert_allclose(batched, looped, rtol=1e-12)
    # A batch axis on one argument only is broadcast to the other.
    partly = jax.vmap(fn, in_axes=(0, None))(data[0, 0], data[1, 0, 0])
    np.testing.assert_allclose(partly, [fn(a, data[1, 0, 0]) for a in data[0, 0]], rtol=1e-12)


@pytest.mark.float64
def test_kdtree_batch_threads_handle_duplicates_and_keep_denormals():
    # A vmapped batch is shared out over the batch threads (trees single-threaded);
    # their results equal one call at a time on the module's host thread, on data with
    # many duplicate values (grid of 0.1, under jit: no eager tie check), where tree
    # builds once crashed under XLA's flush-to-zero mode. The threads keep denormals.
    rng = np.random.default_rng(25)
    xs = np.round(rng.normal(size=(6, 300, 2)), 1)
    ys = np.round(xs + rng.normal(size=(6, 300, 2)), 1)
    fn = jax.jit(lambda x, y: ksg_mutual_information(x, y, backend="kdtree", k=5))
    batched = jax.jit(jax.vmap(fn))(xs, ys)
    np.testing.assert_array_equal(batched, [fn(x, y) for x, y in zip(xs, ys, strict=True)])
    smallest = np.finfo(np.float64).smallest_subnormal
    _, batch_pool = kdtree._thread_pools()
    halves = [batch_pool.submit(lambda: smallest * 2.0 / 2.0) for _ in range(8)]
    assert all(future.result() == smallest for future in halves)
    assert len(batch_pool._threads) == kdtree._BATCH_THREADS


@pytest.mark.float64
def test_kdtree_gradients_equal_the_pure_jax_path():
    x = jnp.asarray(np.random.default_rng(24).normal(size=(150, 2)))
    for metric in ("chebyshev", "euclidean"):
        grads = [
            jax.grad(lambda a, b=backend, m=metric: kl_entropy(a, metric=m, backend=b))(x)
            for backend in BACKENDS
        ]
        np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)
    # KSG counts have a zero derivative on both backends.
    y = x[:, ::-1] + 0.1
    for backend in BACKENDS:
        gradient = jax.grad(lambda a, b=backend: ksg_mutual_information(a, y, backend=b))(x)
        np.testing.assert_array_equal(gradient, 0.0)


# --- bad input ------------------------------------------------------------------


def test_bad_input_raises_naming_the_argument():
    rng = np.random.default_rng(21)
    x, y = rng.normal(size=(50, 2)), rng.normal(size=(50, 1))
    with pytest.raises(ValueError, match="`x` contains NaN"):
        ksg_mutual_information(np.where(x > 1, np.nan, x), y)
    with pytest.raises(ValueError, match="`y` contains inf"):
        ksg_mutual_information(x, np.where(y > 1, np.inf, y))
    with pytest.raises(ValueError, match="same number of rows"):
        ksg_mutual_information(x, y[:40])
    with pytest.raises(ValueError, match="`k` must be smaller"):
        ksg_mutual_information(x[:3], y[:3], k=3)
    with pytest.raises(ValueError, match="`k` must be >= 1"):
        kl_entropy(x, k=0)
    with pytest.raises(TypeError, match="`k` must be a Python int"):
        kl_entropy(x, k=2.0)
    with pytest.raises(ValueError, match="`x` has constant column"):
        ksg_mutual_information(np.ones((50, 1)), y)
    with pytest.raises(ValueError, match="`z` has constant column"):
        ksg_conditional_mutual_information(x, y, np.zeros(50))
    with pytest.raises(TypeError, match="`x` must be real"):
        kl_entropy(x.astype(np.complex64))
    with pytest.raises(TypeError, match="`y`"):
        mixed_ksg_mutual_information(x, np.array(["a"] * 50))
    with pytest.raises(ValueError, match="`variant`"):
        ksg_mutual_information(x, y, variant=3)
    with pytest.raises(ValueError, match="`backend`"):
        ksg_mutual_information(x, y, backend="gpu")
    with pytest.raises(ValueError, match="`metric`"):
        kl_entropy(x, metric="manhattan")
    with pytest.raises(ValueError, match="`block_size`"):
        kl_entropy(x, block_size=0)
    with pytest.raises(ValueError, match="`base`"):
        kl_entropy(x, base=1)
    with pytest.raises(ValueError, match="`x` must have shape"):
        kl_entropy(np.zeros((4, 3, 2)))


def test_bench_script_checks_agreement_and_the_auto_choice(capsys):
    # Smoke test of the speed benchmark (timings are not checked here): every
    # implementation agrees, and the quick grid ends with the auto-vs-backends line.
    from experiments import bench_estimators

    previous = jax.config.jax_enable_x64  # the script turns float64 on for itself
    try:
        bench_estimators.main(["--quick", "--repeats", "1", "--sizes", "200", "--dims", "1"])
        bench_estimators.main(["--floor", "--repeats", "1"])
        bench_estimators.main(["--knn", "--repeats", "1", "--sizes", "300", "--dims", "2", "3"])
    finally:
        jax.config.update("jax_enable_x64", previous)
    out = capsys.readouterr().out
    assert "disagree" not in out
    assert "auto's backend / better backend: worst" in out
    assert "batch of 16 KSG" in out
    assert "compare floor, n = 10000, d = 5 per side" in out
    assert "KSG brute force k = 10" in out
    # Every k-NN search returned the peer's k-th distances (else "disagree" above).
    assert out.count("knn n=   300") == 4  # d in {2, 3} x k in {3, 10}
    assert out.count("sklearn KDTree dual-tree") == 4


# --- scale safety of the Euclidean distances -------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("scale", [1e20, 1e30, 1e-30])
def test_euclidean_estimates_are_scale_free_in_float32(backend, scale):
    # KSG, KSG-2 and Frenzel-Pompe are scale-invariant, Kozachenko-Leonenko shifts by
    # exactly d log(scale): squared float32 distances at these scales would overflow or
    # underflow (the estimates were 7.4 and -4.7 nats, and +-inf).
    rng = np.random.default_rng(7)
    x = rng.normal(size=(300, 2)).astype(np.float32)
    y = (x + rng.normal(size=(300, 2))).astype(np.float32)
    z = rng.normal(size=(300, 2)).astype(np.float32)
    sx, sy, sz = (np.float32(scale) * a for a in (x, y, z))
    options = {"metric": "euclidean", "backend": backend}
    for variant in (1, 2):
        np.testing.assert_allclose(
            ksg_mutual_information(sx, sy, variant=variant, **options),
            ksg_mutual_information(x, y, variant=variant, **options),
            atol=1e-6,
        )
    np.testing.assert_allclose(
        ksg_conditional_mutual_information(sx, sy, sz, **options),
        ksg_conditional_mutual_information(x, y, z, **options),
        atol=1e-6,
    )
    # The shift is exact; float32 rounding of x * scale moves the distances by ~1e-7.
    np.testing.assert_allclose(
        kl_entropy(sx, **options), kl_entropy(x, **options) + 2 * np.log(scale), atol=1e-4
    )


def test_ties_nan_under_jit_only_where_eager_raises():
    # A few isolated ties (below the 1% rule) pass eagerly and under jit with the same
    # value; a constant column and a NaN give NaN under jit, as eager calls raise.
    rng = np.random.default_rng(8)
    x = rng.normal(size=(400, 1)).astype(np.float32)
    y = (x + rng.normal(size=(400, 1))).astype(np.float32)
    x[1] = x[0]
    eager = ksg_mutual_information(x, y, backend="jax")
    jitted = jax.jit(lambda a, b: ksg_mutual_information(a, b, backend="jax"))
    np.testing.assert_allclose(jitted(x, y), eager, rtol=1e-6)
    constant = np.hstack([x, np.ones_like(x)])
    with pytest.raises(ValueError, match="constant column"):
        kl_entropy(constant)
    assert np.isnan(float(jax.jit(kl_entropy)(constant)))
    assert np.isnan(float(jax.jit(kl_entropy)(np.where(np.arange(400)[:, None] == 3, np.nan, x))))


def test_import_starts_no_thread():
    # The KD-tree's host threads start on first use, not at import.
    import subprocess
    import sys

    code = (
        "import threading; before = threading.active_count(); import infojax; "
        "import infojax.estimators; print(before, threading.active_count())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = out.stdout.split()
    assert before == after
