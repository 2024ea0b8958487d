"""Cross-cutting checks over every registered estimator: value, jit, vmap, dtypes, bad
input, ties and the registry itself.

Each test is parametrised over ``list_estimators()`` at collection time, so a newly
registered estimator is checked without editing this file. Samples are chosen from the
entry's ``quantity`` and ``inputs``; the few options an estimator needs to run small
(``n_symbols`` for NSB, short training for the neural bounds) come from ``options_for``.
"""

import inspect
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import infojax.bounds  # registers the neural_* estimators
import infojax.estimators  # noqa: F401  (registers the sample estimators)
from infojax._registry import QUANTITIES
from infojax._registry import get_estimator
from infojax._registry import list_estimators

N_SAMPLES = 96
N_SYMBOLS = 4
SEEDS = (0, 1, 2)
SPECS = list_estimators()
# Quantities of several variables held as the columns of one sample array ``x``.
MULTIVARIATE = ("total_correlation", "dual_total_correlation", "o_information")

# Short training and a small critic: a neural fit is then dominated by its compilation.
NEURAL_OPTIONS = {
    "steps": 20,
    "batch_size": 32,
    "hidden_sizes": (16,),
    "eval_every": 10,
}


def options_for(spec):
    """Overrides that make ``spec`` runnable and fast on the small test samples."""
    options = {}
    if "n_symbols" in spec.defaults and spec.defaults["method"] == "nsb":
        options["n_symbols"] = N_SYMBOLS
    if spec.name.startswith("neural_"):
        options.update(NEURAL_OPTIONS)
        if "embedding_dim" in spec.defaults:
            options["embedding_dim"] = 8
    if spec.name == "latent_mi":  # the same for the latent estimator's autoencoders
        options.update(NEURAL_OPTIONS)
    return options


def sample_names(spec):
    """Names of the sample arguments of ``spec.fn``, in order (``key`` excluded)."""
    parameters = inspect.signature(spec.fn).parameters.values()
    names = [
        p.name
        for p in parameters
        if p.kind == p.POSITIONAL_OR_KEYWORD and p.default is p.empty and p.name != "key"
    ]
    expected = {
        "entropy": 1,
        "mutual_information": 2,
        "conditional_mutual_information": 3,
        **dict.fromkeys(MULTIVARIATE, 1),
    }
    assert len(names) == expected[spec.quantity], (spec.name, names)
    return names


def is_integer_argument(spec, position):
    """Whether sample argument ``position`` holds integer symbols for this entry."""
    return spec.inputs == "discrete" or (spec.inputs == "mixed" and position == 1)


def make_samples(spec, seed, *, n=N_SAMPLES):
    """Dependent samples for ``spec``: ``(n, 2)`` features (``z``: ``(n, 1)``; the one
    array of a multivariate quantity: ``(n, 3)``) in JAX's default float dtype (float32,
    or float64 under x64) and int32 symbols in ``[0, N_SYMBOLS)``."""
    rng = np.random.default_rng(seed)
    n_args = len(sample_names(spec))
    if spec.quantity in MULTIVARIATE:
        a, b = rng.normal(size=(2, n))
        c = 0.5 * a + 0.5 * b + 0.7 * rng.normal(size=n)
        return (jnp.asarray(np.stack([a, 0.6 * a + 0.8 * b, c], axis=1)),)
    if spec.inputs == "discrete":
        x = rng.integers(0, N_SYMBOLS, size=n)
        noisy = np.where(rng.random(n) < 0.3, rng.integers(0, N_SYMBOLS, size=n), x)
        z = rng.integers(0, N_SYMBOLS, size=n)
        return tuple(jnp.asarray(a, jnp.int32) for a in (x, noisy, z)[:n_args])
    x = rng.normal(size=(n, 2))
    if spec.inputs == "mixed":
        labels = (x[:, 0] > 0).astype(int) + 2 * (rng.random(n) < 0.5)
        return jnp.asarray(x), jnp.asarray(labels, jnp.int32)
    y = 0.6 * x + 0.8 * rng.normal(size=(n, 2))
    z = rng.normal(size=(n, 1))
    return tuple(jnp.asarray(a) for a in (x, y + z, z)[:n_args])


def call(spec, samples, *, seed=0, **overrides):
    fn = spec.bind(**{**options_for(spec), **overrides})
    if spec.needs_key:
        return fn(jax.random.key(seed), *samples)
    return fn(*samples)


def params(specs, *, slow=()):
    """One ``pytest.param`` per spec; names in ``slow`` get the slow mark."""
    return [
        pytest.param(spec, id=spec.name, marks=[pytest.mark.slow] if spec.name in slow else [])
        for spec in specs
    ]


def names_argument(name):
    """A regex matching an error message that names argument ``name`` in backticks."""
    return re.escape(f"`{name}`")


JITTABLE = [spec for spec in SPECS if spec.jittable]
CONTINUOUS_INPUT = [spec for spec in SPECS if spec.inputs in ("continuous", "mixed")]
MULTI_SAMPLE = [
    spec for spec in SPECS if spec.quantity != "entropy" and spec.quantity not in MULTIVARIATE
]
NEIGHBOUR = [spec for spec in SPECS if "k" in spec.defaults]
DISCRETE = [spec for spec in SPECS if spec.inputs == "discrete"]

# Each neural bound compiles its whole training loop (several seconds per shape, dtype
# and transformation): the default run checks one of them (they share the loop) on the
# compile-heavy tests; the others run with ``-m slow``.
SLOW_NEURAL = {
    spec.name for spec in SPECS if spec.name.startswith("neural_") and spec.name != "neural_infonce"
}
# The discrete methods share their symbol counting across entropy, MI and CMI: the
# default run transforms every method's entropy and the plug-in MI and CMI.
SLOW_DISCRETE = {
    spec.name
    for spec in SPECS
    if spec.inputs == "discrete"
    and spec.quantity != "entropy"
    and spec.defaults["method"] != "plugin"
}
# The TC and DTC estimators of infojax.estimators._higher_order share their code with
# the O-information ones (one core, the quantity static): the default run transforms the
# O-information estimators.
SLOW_HIGHER_ORDER = {
    spec.name
    for spec in SPECS
    if spec.quantity in ("total_correlation", "dual_total_correlation")
    and spec.fn.__module__ == "infojax.estimators._higher_order"
}
SLOW_TRANSFORMS = SLOW_NEURAL | SLOW_DISCRETE | SLOW_HIGHER_ORDER


def test_registry_is_populated_and_consistent():
    names = [spec.name for spec in SPECS]
    assert len(names) == len(set(names))
    # At least the sample estimators of issue 3 and the neural bounds.
    for name in ("plugin", "nsb_entropy", "binning", "ksg", "kl_entropy", "neural_infonce"):
        assert name in names
    for spec in SPECS:
        assert get_estimator(spec.name) is spec
        assert spec.quantity in QUANTITIES
        accepted = inspect.signature(spec.fn).parameters
        takes_any = any(p.kind == p.VAR_KEYWORD for p in accepted.values())
        for option in spec.defaults:
            assert takes_any or option in accepted, (spec.name, option)


def test_unknown_estimator_name_raises():
    with pytest.raises(ValueError, match="not_an_estimator"):
        get_estimator("not_an_estimator")


@pytest.mark.parametrize("spec", params(SPECS))
def test_bind_rejects_unknown_option(spec):
    with pytest.raises(ValueError, match="no_such_option"):
        spec.bind(no_such_option=1)


@pytest.mark.parametrize("spec", params(SPECS, slow=SLOW_NEURAL))
def test_value_is_finite_scalar(spec):
    value = call(spec, make_samples(spec, 0))
    assert isinstance(value, jax.Array)
    assert value.shape == ()
    assert np.isfinite(float(value))


# Same arithmetic in the same dtype (float32 by default); XLA may fuse and reorder sums
# differently inside an outer jit, so allow a few ulps amplified by the 20 optimiser
# steps of the neural bounds (measured within 1e-7 in float32).
TRANSFORM_RTOL = 1e-7
TRANSFORM_ATOL = 1e-10
# The neural bounds' inputs pass through normal scores (sort, interpolation, ndtri)
# before the 20 steps; vmap's reordered float32 sums there grow to 2.1e-7 nats (measured).
NEURAL_TRANSFORM_ATOL = 1e-6


def transform_atol(spec):
    return NEURAL_TRANSFORM_ATOL if spec.name.startswith("neural_") else TRANSFORM_ATOL


@pytest.mark.parametrize("spec", params(JITTABLE, slow=SLOW_TRANSFORMS))
def test_jit_matches_eager(spec):
    samples = make_samples(spec, 0)
    eager = call(spec, samples)
    fn = spec.bind(**options_for(spec))
    if spec.needs_key:
        jitted = jax.jit(fn)(jax.random.key(0), *samples)
    else:
        jitted = jax.jit(fn)(*samples)
    assert jitted.dtype == eager.dtype
    np.testing.assert_allclose(jitted, eager, rtol=TRANSFORM_RTOL, atol=transform_atol(spec))


@pytest.mark.parametrize("spec", params(SPECS, slow=SLOW_TRANSFORMS))
def test_vmap_over_seeds_matches_loop(spec):
    per_seed = [make_samples(spec, seed) for seed in SEEDS]
    looped = jnp.stack([call(spec, s, seed=seed) for seed, s in zip(SEEDS, per_seed, strict=True)])
    stacked = tuple(jnp.stack(arrays) for arrays in zip(*per_seed, strict=True))
    fn = spec.bind(**options_for(spec))
    if spec.needs_key:
        keys = jnp.stack([jax.random.key(seed) for seed in SEEDS])
        batched = jax.vmap(fn)(keys, *stacked)
    else:
        batched = jax.vmap(fn)(*stacked)
    assert batched.shape == (len(SEEDS),)
    np.testing.assert_allclose(batched, looped, rtol=TRANSFORM_RTOL, atol=transform_atol(spec))


# float32 has a relative precision of 6e-8; the estimators sum O(n) terms of order one
# (log-distances, digammas, log-counts), and matrix_renyi eigen-decomposes a 96 x 96
# Gram matrix, whose eigenvalues lose about n * 6e-8 relative. The worst difference seen
# is 1e-5 nats (matrix_renyi); 1e-4 leaves room for a neighbour or bin decided
# differently by rounding.
PRECISION_ATOL = 1e-4
PRECISION_RTOL = 1e-4


@pytest.mark.float64  # float64 inputs must give a float64 result
@pytest.mark.parametrize("spec", params(SPECS, slow=SLOW_NEURAL | SLOW_HIGHER_ORDER))
def test_dtype_follows_input(spec):
    samples64 = make_samples(spec, 0)
    if spec.inputs == "discrete":
        value = call(spec, samples64)
        assert value.dtype == jnp.result_type(float)
        return
    # The float32 run sees the same numbers (rounded once to float32) as the float64 run.
    samples32 = tuple(
        a.astype(jnp.float32) if jnp.issubdtype(a.dtype, jnp.floating) else a for a in samples64
    )
    samples64 = tuple(
        a.astype(jnp.float64) if jnp.issubdtype(a.dtype, jnp.floating) else a for a in samples32
    )
    value32 = call(spec, samples32)
    value64 = call(spec, samples64)
    assert value32.dtype == jnp.float32
    assert value64.dtype == jnp.float64
    if spec.needs_key:
        # Random initial weights are drawn in the dtype of the samples, and JAX draws
        # different numbers for float32 and float64 from one key: the two fits start
        # from different critics, so their values are not comparable.
        return
    np.testing.assert_allclose(value32, value64, rtol=PRECISION_RTOL, atol=PRECISION_ATOL)


def replace(samples, position, array):
    return tuple(array if i == position else a for i, a in enumerate(samples))


@pytest.mark.parametrize("bad_value", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("spec", params(CONTINUOUS_INPUT))
def test_non_finite_samples_raise(spec, bad_value):
    samples = make_samples(spec, 0)
    for position, name in enumerate(sample_names(spec)):
        if is_integer_argument(spec, position):
            continue
        poisoned = samples[position].at[5, 0].set(bad_value)
        with pytest.raises(ValueError, match=names_argument(name)):
            call(spec, replace(samples, position, poisoned))


@pytest.mark.parametrize("spec", params(MULTI_SAMPLE))
def test_mismatched_lengths_raise(spec):
    samples = make_samples(spec, 0)
    for position, name in enumerate(sample_names(spec)):
        shorter = samples[position][:-1]
        with pytest.raises(ValueError, match=names_argument(name)):
            call(spec, replace(samples, position, shorter))


@pytest.mark.parametrize("spec", params(NEIGHBOUR))
def test_too_few_samples_for_k_raise(spec):
    samples = make_samples(spec, 0, n=8)
    assert np.isfinite(float(call(spec, samples, k=7)))
    for k in (8, 9):
        with pytest.raises(ValueError, match=names_argument("k")):
            call(spec, samples, k=k)


@pytest.mark.parametrize("spec", params([*DISCRETE, get_estimator("binning")]))
def test_float_symbols_raise(spec):
    samples = make_samples(spec, 0)
    for position, name in enumerate(sample_names(spec)):
        if not is_integer_argument(spec, position):
            continue
        as_float = samples[position].astype(float) + 0.5
        with pytest.raises(TypeError, match=names_argument(name)):
            call(spec, replace(samples, position, as_float))


def test_mixed_ksg_accepts_float_labels():
    # Documented: "discrete values are passed as numbers (integer labels are promoted)".
    spec = get_estimator("mixed_ksg")
    features, labels = make_samples(spec, 0)
    from_ints = call(spec, (features, labels))
    from_floats = call(spec, (features, labels.astype(float)))
    assert from_floats == from_ints


@pytest.mark.parametrize("spec", params(SPECS))
def test_three_dimensional_samples_raise(spec):
    samples = make_samples(spec, 0)
    for position, name in enumerate(sample_names(spec)):
        cube = jnp.reshape(samples[position], (N_SAMPLES, 1, -1))
        with pytest.raises(ValueError, match=names_argument(name)):
            call(spec, replace(samples, position, cube))


def with_constant_column(array, value):
    """``array`` as ``(n, d)`` with a constant column ``value`` appended."""
    array = array if array.ndim == 2 else array[:, None]
    return jnp.concatenate([array, jnp.full((array.shape[0], 1), value, array.dtype)], axis=1)


def with_last_column_constant(array, value):
    """``array`` with its last column set to ``value`` (same shape: no new compile)."""
    return array.at[:, -1].set(value)


# Constant columns raise ValueError: documented for gaussian, gaussian_copula and
# kl_entropy; the KSG family shares kl_entropy's check (``_prepare``), which their
# docstrings do not mention.
CONSTANT_RAISES = ["gaussian", "gaussian_copula", "kl_entropy", "ksg", "ksg2", "ksg_cmi"]
# Documented for the higher-order estimators of infojax.estimators._higher_order too.
CONSTANT_RAISES += [
    f"{family}_{quantity}"
    for family in ("gaussian", "gaussian_copula", "ksg")
    for quantity in MULTIVARIATE
]
# Documented: a constant column does not change the symbols (discrete), or falls into
# one bin and contributes nothing (binning).
CONSTANT_IGNORED = [spec.name for spec in DISCRETE] + ["binning", "binning_entropy"]
CONSTANT_UNDOCUMENTED = [
    spec.name for spec in SPECS if spec.name not in CONSTANT_RAISES + CONSTANT_IGNORED
]


@pytest.mark.parametrize("spec", params(map(get_estimator, CONSTANT_RAISES)))
def test_constant_column_raises(spec):
    samples = make_samples(spec, 0)
    for position, name in enumerate(sample_names(spec)):
        constant = with_last_column_constant(samples[position], 0.25)
        with pytest.raises(ValueError, match=names_argument(name)):
            call(spec, replace(samples, position, constant))


@pytest.mark.parametrize("spec", params(map(get_estimator, CONSTANT_IGNORED), slow=SLOW_TRANSFORMS))
def test_constant_column_is_ignored(spec):
    # One argument only: every new shape is a new compilation, and the symbols of all
    # arguments are formed by the same code.
    samples = make_samples(spec, 0)
    if spec.inputs == "discrete":
        constant = with_constant_column(samples[0], 7)
    else:
        # Inside the observed range, so the automatic bin range does not move.
        constant = with_constant_column(samples[0], 0.0)
    value = call(spec, replace(samples, 0, constant))
    np.testing.assert_allclose(value, call(spec, samples), rtol=1e-12)


@pytest.mark.parametrize(
    "spec", params(map(get_estimator, CONSTANT_UNDOCUMENTED), slow=SLOW_NEURAL)
)
def test_constant_column_undocumented_is_finite_or_clear_error(spec):
    # No documented behaviour: either a finite value or an error naming the argument,
    # never a silent NaN.
    samples = make_samples(spec, 0)
    for position, name in enumerate(sample_names(spec)):
        if is_integer_argument(spec, position):
            continue
        constant = with_last_column_constant(samples[position], 0.25)
        try:
            value = call(spec, replace(samples, position, constant))
        except ValueError as error:
            assert re.search(names_argument(name), str(error)), str(error)
        else:
            assert np.isfinite(float(value)), (name, float(value))


def with_repeated_rows(samples, n_distinct=16):
    """Every sample array made of ``n_distinct`` rows, each repeated in place."""
    repeats = N_SAMPLES // n_distinct
    return tuple(jnp.repeat(a[:n_distinct], repeats, axis=0) for a in samples)


# Documented: the nearest-neighbour estimators of continuous densities reject ties on
# concrete inputs (a row with more than k copies, or more than 1% of rows tied) and
# offer ``jitter``; under jit the check cannot run.
TIES_RAISE = [spec.name for spec in SPECS if "jitter" in spec.defaults]


def test_tie_checking_estimators():
    higher_order = [f"ksg_{quantity}" for quantity in MULTIVARIATE]
    assert sorted(TIES_RAISE) == sorted(["kl_entropy", "ksg", "ksg2", "ksg_cmi", *higher_order])


@pytest.mark.parametrize("spec", params(map(get_estimator, TIES_RAISE)))
def test_ties_raise_naming_the_argument(spec):
    samples = make_samples(spec, 0)
    tied = with_repeated_rows(samples)
    with pytest.raises(ValueError, match=r"`x` has tied samples: 96 of its 96 rows.*`jitter="):
        call(spec, tied)
    # Each argument is checked on its own.
    for position, name in enumerate(sample_names(spec)):
        repeated = jnp.repeat(samples[position][:16], N_SAMPLES // 16, axis=0)
        with pytest.raises(ValueError, match=names_argument(name)):
            call(spec, replace(samples, position, repeated))


@pytest.mark.parametrize("spec", params(map(get_estimator, TIES_RAISE)))
def test_integer_samples_raise_type_error(spec):
    samples = make_samples(spec, 0)
    for position, name in enumerate(sample_names(spec)):
        as_int = jnp.round(10 * samples[position]).astype(jnp.int32)
        with pytest.raises(TypeError, match=names_argument(name)):
            call(spec, replace(samples, position, as_int))


@pytest.mark.float64  # jitter 1e-10 is lost to rounding in float32
@pytest.mark.parametrize("spec", params(map(get_estimator, TIES_RAISE), slow=SLOW_HIGHER_ORDER))
def test_jitter_makes_ties_finite_under_jit_and_vmap(spec):
    key = jax.random.key(7)
    tied = with_repeated_rows(make_samples(spec, 0))
    fn = spec.bind(jitter=1e-10)
    eager = fn(*tied, key=key)
    assert np.isfinite(float(eager))
    jitted = jax.jit(lambda *a: fn(*a[:-1], key=a[-1]))(*tied, key)
    np.testing.assert_allclose(jitted, eager, rtol=TRANSFORM_RTOL)
    stacked = tuple(jnp.stack([a, a]) for a in tied)
    keys = jnp.stack([key, jax.random.key(8)])
    batched = jax.vmap(lambda *a: fn(*a[:-1], key=a[-1]))(*stacked, keys)
    np.testing.assert_allclose(batched[0], eager, rtol=TRANSFORM_RTOL)
    assert np.all(np.isfinite(batched))


def test_kl_entropy_ties_under_jit_give_nan():
    # Documented: under jit the tie check runs in the graph and gives NaN where a
    # concrete call raises (k or more copies would give a zero distance, -inf).
    spec = get_estimator("kl_entropy")
    tied = with_repeated_rows(make_samples(spec, 0))
    assert np.isnan(float(jax.jit(spec.bind())(*tied)))


# latent_mi runs KSG on the latents of the held-out rows, where repeated rows tie.
LATENT_TIES_RAISE = ["latent_mi"]


def test_latent_mi_ties_raise_naming_the_argument():
    spec = get_estimator("latent_mi")
    with pytest.raises(ValueError, match=r"`x` has repeated rows"):
        call(spec, with_repeated_rows(make_samples(spec, 0)))


@pytest.mark.parametrize(
    "spec",
    params(
        [spec for spec in SPECS if spec.name not in TIES_RAISE + LATENT_TIES_RAISE],
        slow=SLOW_NEURAL,
    ),
)
def test_ties_give_finite_value(spec):
    value = call(spec, with_repeated_rows(make_samples(spec, 0)))
    assert np.isfinite(float(value))


# A jitter of 1e-9 is below float32's resolution at these values (6e-8 relative): only
# in float64 does it change the values while keeping their order.
@pytest.mark.float64
def test_gaussian_copula_breaks_ties_by_position():
    # Documented: ties are broken by position, so an increasing jitter too small to
    # reorder distinct values leaves the ranks, and hence the estimate, unchanged.
    spec = get_estimator("gaussian_copula")
    tied = with_repeated_rows(make_samples(spec, 0))
    ramp = 1e-9 * jnp.arange(N_SAMPLES, dtype=jnp.float64)[:, None]
    jittered = tuple(a + ramp for a in tied)
    np.testing.assert_allclose(call(spec, tied), call(spec, jittered), rtol=1e-12)


# --- gradients with respect to the samples ---------------------------------------------

DIFFERENTIABLE = [spec for spec in SPECS if spec.gradient is not None]
SMOOTH = [spec for spec in DIFFERENTIABLE if spec.gradient == "smooth"]


def continuous_positions(spec):
    return tuple(p for p in range(len(sample_names(spec))) if not is_integer_argument(spec, p))


def test_gradient_flags_cover_every_continuous_estimator():
    # Every estimator of continuous samples says what its gradient is, except the neural
    # bounds (a fitted critic: differentiate the bound on a fixed critic instead).
    for spec in SPECS:
        if spec.inputs == "discrete":
            assert spec.gradient is None, spec.name
        elif not spec.name.startswith("neural_"):
            assert spec.gradient in ("smooth", "zero"), spec.name
    assert {spec.name for spec in SMOOTH} >= {"gaussian", "kde_upper", "kl_entropy"}
    with pytest.raises(ValueError, match="`gradient`"):
        from infojax._registry import register_estimator

        register_estimator("never_registered", len, quantity="entropy", gradient="bumpy")


@pytest.mark.parametrize("spec", params(DIFFERENTIABLE))
def test_gradient_with_respect_to_samples(spec):
    # In the default float32, as a loss would use it: finite, in the samples' dtype and
    # shape; exactly zero where the estimate is piecewise constant in the samples.
    samples = make_samples(spec, 0)
    positions = continuous_positions(spec)
    gradients = jax.grad(lambda *args: call(spec, args), argnums=positions)(*samples)
    for position, gradient in zip(positions, gradients, strict=True):
        assert gradient.dtype == samples[position].dtype == jnp.float32
        assert gradient.shape == samples[position].shape
        assert np.isfinite(np.asarray(gradient)).all(), (spec.name, position)
        if spec.gradient == "zero":
            assert np.all(np.asarray(gradient) == 0), (spec.name, position)
        else:
            assert np.any(np.asarray(gradient) != 0), (spec.name, position)


# Central differences along a random direction, in float64: with a step of 1e-6 the
# truncation error (step^2 times the third derivative) is ~1e-12 and the rounding error
# (1e-16 times the estimate, over the step) ~1e-10, both far below the tolerance. The
# nearest-neighbour distances of kl_entropy are piecewise smooth: a step of 1e-6 does not
# change which point is the k-th neighbour of another (gaps are ~1e-3 at n = 96).
FINITE_DIFFERENCE_STEP = 1e-6
FINITE_DIFFERENCE_RTOL = 1e-6
FINITE_DIFFERENCE_ATOL = 1e-8
# matrix_renyi's default bandwidth (Scott's rule) is held constant under differentiation
# (documented) but moves with the samples in a finite difference: fix it here.
FINITE_DIFFERENCE_OPTIONS = {"matrix_renyi": {"sigma": 0.8}}


@pytest.mark.float64
@pytest.mark.parametrize("spec", params(SMOOTH))
def test_gradient_matches_central_differences(spec):
    samples = make_samples(spec, 0)
    assert samples[0].dtype == jnp.float64
    options = FINITE_DIFFERENCE_OPTIONS.get(spec.name, {})
    rng = np.random.default_rng(1)
    for position in continuous_positions(spec):
        direction = jnp.asarray(rng.normal(size=samples[position].shape))
        gradient = jax.grad(lambda *args: call(spec, args, **options), argnums=position)(*samples)
        along = float(jnp.sum(gradient * direction))
        step = FINITE_DIFFERENCE_STEP * direction
        plus = call(spec, replace(samples, position, samples[position] + step), **options)
        minus = call(spec, replace(samples, position, samples[position] - step), **options)
        numeric = float(plus - minus) / (2 * FINITE_DIFFERENCE_STEP)
        np.testing.assert_allclose(
            along,
            numeric,
            rtol=FINITE_DIFFERENCE_RTOL,
            atol=FINITE_DIFFERENCE_ATOL,
            err_msg=f"{spec.name}, argument {position}",
        )
