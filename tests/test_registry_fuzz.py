"""A hostile but fair user, over every registered estimator: extreme scales, wide integer
symbols, ties, constant columns, NaN and inf, wrong shapes, dtypes and types.

Each case of each estimator is classified as a correct value (checked against the
value at scale 1, with the exact log-scale shift for differential entropies, or the
value of the same data without the change that must not matter), a clear error (a
``ValueError`` or ``TypeError`` whose message names an argument in backticks), or a
failure: a finite wrong value, NaN or inf where a value or an error is due. The test of
a case fails on a failure. The estimators are taken from the registry by ``quantity``
and ``inputs``, so estimators registered later are fuzzed too; a quantity this module
cannot sample fails loudly (``test_every_quantity_can_be_sampled``).

The default run covers float32 (JAX's default, where the silent wrong values were)
at the extreme scales and every bad-input case; float64, the intermediate scales and
the neural estimators (short fits) are ``slow``.
"""

import collections
import json
import os
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from test_registry import options_for

import infojax.bounds
import infojax.estimators  # noqa: F401  (registers the sample estimators)
from infojax._registry import list_estimators

N = 120
SPECS = list_estimators()
# Quantities of one sample argument whose columns are the variables (at least 3).
MULTIVARIATE = ("total_correlation", "dual_total_correlation", "o_information")
ARGUMENTS = {
    "entropy": 1,
    "mutual_information": 2,
    "conditional_mutual_information": 3,
    **dict.fromkeys(MULTIVARIATE, 1),
}
# Entropy estimators whose value does not move with the scale of the samples (bins that
# follow the range); the other entropies are differential: H(c x) = H(x) + d log c.
SCALE_FREE_ENTROPIES = {"binning_entropy"}
# The KDE entropy of a layer with fixed noise variance s2: H(c T) with c^2 s2 is
# H(T) + d log c.
NOISE_VARIANCE_OPTIONS = ("noise_variance",)
NEURAL = {spec.name for spec in SPECS if spec.needs_key}
# k-NN in the joint space of both arguments: the integer labels are scaled with the
# features (as floats), or the joint distances would mix two scales.
SCALE_ALL_ARGUMENTS = {"mixed_ksg"}
# Defaults that follow the columns (a bin range shared by all columns, bins or a
# bandwidth chosen by the dimension): a constant column changes them, so only a finite
# value or a clear error is due.
DEFAULTS_FOLLOW_COLUMNS = {"binning", "binning_entropy", "histogram", "matrix_renyi"}
# Known faults, each (case, estimator name): reason, a strict xfail so that a fix
# shows. None at present.
KNOWN: dict[tuple[str, str], str] = {}
SCALES = (1e-30, 1e30)
SLOW_SCALES = (1e-20, 1e-10, 1e10, 1e20)
# Float32 rounding of x * scale moves the samples by half an ulp: neighbour counts and
# bins may change at a tie of distances, by far less than this.
SCALE_ATOL = {"float32": 2e-3, "float64": 1e-8}
NAMED = re.compile(r"`\w+`")


# Cases classified, by (dtype, class): written as JSON to $INFOJAX_FUZZ_COUNTS at the
# end of the module when that variable is set (for the counts of a report).
COUNTS = collections.Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    path = os.environ.get("INFOJAX_FUZZ_COUNTS")
    if path:
        with open(path, "w") as handle:
            json.dump({f"{d} {c}": n for (d, c), n in sorted(COUNTS.items())}, handle)


def _count(kind):
    COUNTS[np.dtype(_dtype()).name, kind] += 1


def _dtype():
    return jnp.result_type(float)


def sample_set(spec, rng, n=N):
    """Dependent samples for ``spec`` as NumPy arrays, floats in the default dtype."""
    if spec.quantity not in ARGUMENTS:
        raise AssertionError(
            f"the fuzz cannot sample quantity {spec.quantity!r} of {spec.name!r}: add it "
            "to ARGUMENTS in tests/test_registry_fuzz.py"
        )
    dtype = np.dtype(_dtype())
    if spec.quantity in MULTIVARIATE:
        a, b, c = rng.normal(size=(3, n))
        return (np.stack([a, 0.6 * a + 0.8 * b, 0.5 * a + 0.5 * b + 0.7 * c], 1).astype(dtype),)
    count = ARGUMENTS[spec.quantity]
    if spec.inputs == "discrete":
        x = rng.integers(0, 4, n)
        y = np.where(rng.random(n) < 0.3, rng.integers(0, 4, n), x)
        z = rng.integers(0, 2, n)
        return tuple(a.astype(np.int32) for a in (x, y, z)[:count])
    x = rng.normal(size=(n, 2))
    y = 0.6 * x + 0.8 * rng.normal(size=(n, 2))
    z = rng.normal(size=(n, 1))
    samples = [x, y, z + 0.3 * x[:, :1]][:count]
    if spec.inputs == "mixed":  # continuous features against integer labels
        samples[1] = ((x[:, 0] > 0) + 2 * (rng.random(n) < 0.5)).astype(np.int32)
    return tuple(a if a.dtype.kind == "i" else a.astype(dtype) for a in samples)


def call(spec, samples, **overrides):
    fn = spec.bind(**{**options_for(spec), **overrides})
    if spec.needs_key:
        return fn(jax.random.key(0), *samples)
    return fn(*samples)


def outcome(spec, samples, **overrides):
    """("value", float) or ("error", message); any other exception propagates."""
    try:
        return "value", float(np.asarray(call(spec, samples, **overrides)))
    except (ValueError, TypeError) as error:
        return "error", f"{type(error).__name__}: {error}"


def assert_clear_error(result, case):
    kind, detail = result
    assert kind == "error", f"{case}: a value ({detail}) where an error is due"
    assert NAMED.search(detail), f"{case}: the error names no argument: {detail}"
    _count("clear error")


def assert_value_or_clear_error(result, expected, atol, case):
    kind, detail = result
    if kind == "error":
        assert_clear_error(result, case)
        return
    assert np.isfinite(detail), f"{case}: {detail} where a value or an error is due"
    np.testing.assert_allclose(detail, expected, atol=atol, rtol=atol, err_msg=case)
    _count("correct value")


def assert_finite_or_clear_error(result, case):
    """For cases with no reference: a clear error, or a finite value (counted apart)."""
    kind, detail = result
    if kind == "error":
        assert_clear_error(result, case)
        return
    assert np.isfinite(detail), f"{case}: {detail} where a value or an error is due"
    _count("finite value, no reference")


# The default run fuzzes one estimator of each family that shares its code with the
# rest (NSB and James-Stein integrate or shrink the same counts, the higher-order
# quantities reuse the MI estimators); the slow run, all of them.
SLOW_FAMILIES = ("nsb", "james_stein", "chao_shen", "grassberger", "miller_madow")
SLOW = NEURAL | {
    spec.name
    for spec in SPECS
    if spec.name.startswith(SLOW_FAMILIES) or spec.quantity in MULTIVARIATE
}


def params(specs, *, dtypes=("float32", "float64"), slow_all=False, case=None, slow=SLOW):
    """One param per (spec, dtype); float64 and the ``slow`` estimators are slow."""
    result = []
    for spec in specs:
        for dtype in dtypes:
            marks = []
            if (case, spec.name) in KNOWN:
                marks.append(pytest.mark.xfail(strict=True, reason=KNOWN[case, spec.name]))
            if dtype == "float64":
                marks.append(pytest.mark.float64)
            if slow_all or dtype == "float64" or spec.name in slow:
                marks.append(pytest.mark.slow)
            result.append(pytest.param(spec, id=f"{spec.name}-{dtype}", marks=marks))
    return result


def _scaled(spec, samples, scale):
    dtype = np.dtype(_dtype())
    if spec.name in SCALE_ALL_ARGUMENTS:
        return tuple((a.astype(dtype) * scale).astype(dtype) for a in samples)
    return tuple(a if a.dtype.kind == "i" else (a * scale).astype(a.dtype) for a in samples)


def _scale_expectation(spec, samples, scale):
    """(overrides, shift): what to pass at ``scale`` and how far the value moves."""
    if spec.quantity != "entropy" or spec.name in SCALE_FREE_ENTROPIES:
        return {}, 0.0
    d = samples[0].shape[1] if samples[0].ndim == 2 else 1
    overrides = {}
    for name in NOISE_VARIANCE_OPTIONS:
        if name in spec.defaults:
            overrides[name] = spec.defaults[name] * scale**2
    return overrides, d * np.log(scale)


CONTINUOUS = [spec for spec in SPECS if spec.inputs != "discrete"]
DISCRETE = [spec for spec in SPECS if spec.inputs == "discrete"]


def test_every_quantity_can_be_sampled():
    rng = np.random.default_rng(0)
    for spec in SPECS:
        sample_set(spec, rng)


def _check_scales(spec, scales):
    rng = np.random.default_rng(1)
    samples = sample_set(spec, rng)
    if spec.name in SCALE_ALL_ARGUMENTS:
        samples = _scaled(spec, samples, 1.0)
    kind, reference = outcome(spec, samples)
    assert kind == "value" and np.isfinite(reference), (spec.name, reference)
    atol = SCALE_ATOL[np.dtype(_dtype()).name]
    for scale in scales:
        overrides, shift = _scale_expectation(spec, samples, scale)
        result = outcome(spec, _scaled(spec, samples, scale), **overrides)
        assert_value_or_clear_error(result, reference + shift, atol, f"{spec.name} x {scale:g}")


@pytest.mark.parametrize("spec", params(CONTINUOUS, case="scales"))
def test_extreme_scales_give_the_scale_one_value_or_a_clear_error(spec):
    _check_scales(spec, SCALES)


@pytest.mark.parametrize(
    "spec", params(CONTINUOUS, dtypes=("float32",), slow_all=True, case="scales")
)
def test_intermediate_scales(spec):
    _check_scales(spec, SLOW_SCALES)


@pytest.mark.parametrize("spec", params(DISCRETE))
def test_wide_and_shifted_integer_symbols_give_the_same_value(spec):
    # Symbols that differ only above bit 31 (hashed labels) or sit far from 0 are the
    # same symbols: the estimate must not change (int64 narrowed to int32 merged them).
    samples = sample_set(spec, np.random.default_rng(2))
    kind, reference = outcome(spec, samples)
    assert kind == "value", reference
    for name, transform in (
        ("x * 2**32", lambda a: a.astype(np.int64) * 2**32),
        ("x + 2**40 + 3", lambda a: a.astype(np.int64) + 2**40 + 3),
        ("-x - 7", lambda a: -a - 7),
    ):
        result = outcome(spec, tuple(transform(a) for a in samples))
        assert_value_or_clear_error(result, reference, 1e-5, f"{spec.name}: {name}")


def _bad_inputs(spec, samples):
    """(case, samples) pairs, each of which must be a clear error."""
    first = samples[0]
    cases = [
        ("strings", (np.array(["a"] * len(first)), *samples[1:])),
        ("None", (None, *samples[1:])),
        ("object array", (np.array([None, 1.0] * (len(first) // 2), dtype=object), *samples[1:])),
        ("complex", (first.astype(np.complex64), *samples[1:])),
        ("3-d array", (first.reshape(len(first), -1)[:, :, None], *samples[1:])),
        ("empty", (first[:0], *(a[:0] for a in samples[1:]))),
        ("ragged list", ([[1.0, 2.0], [3.0]], *samples[1:])),
    ]
    if len(samples) > 1:
        cases.append(("rows differ", (first, *(a[:-1] for a in samples[1:]))))
        cases.append(("strings in y", (first, np.array(["b"] * len(first)), *samples[2:])))
    if first.dtype.kind == "f":
        for value in (np.nan, np.inf, -np.inf):
            bad = first.copy()
            bad.reshape(-1)[5] = value
            cases.append((f"{value} in x", (bad, *samples[1:])))
    return cases


@pytest.mark.parametrize("spec", params(SPECS, case="bad input"))
def test_bad_input_is_a_clear_error(spec):
    samples = sample_set(spec, np.random.default_rng(3))
    for case, bad in _bad_inputs(spec, samples):
        assert_clear_error(outcome(spec, bad), f"{spec.name}: {case}")


def _ties(spec, samples):
    """Each row repeated 4 times (more than k = 3 copies): a value or a clear error."""
    return tuple(np.repeat(a[: len(a) // 4], 4, axis=0) for a in samples)


@pytest.mark.parametrize("spec", params(SPECS, case="ties"))
def test_ties_constant_columns_and_minimal_n(spec):
    samples = sample_set(spec, np.random.default_rng(4))
    kind, reference = outcome(spec, samples)
    assert kind == "value"
    # Ties: an estimator of continuous densities raises; any other gives a finite value.
    assert_finite_or_clear_error(outcome(spec, _ties(spec, samples)), f"{spec.name}: ties")
    # A constant column appended to the first argument: mutual information (and its
    # relatives) are unchanged; a differential entropy is undefined (an error).
    first = samples[0]
    if first.ndim == 2 and spec.quantity not in MULTIVARIATE:
        constant = np.full((len(first), 1), 3, first.dtype)
        widened = (np.hstack([first, constant]), *samples[1:])
        result = outcome(spec, widened)
        if spec.name in NEURAL or spec.name in DEFAULTS_FOLLOW_COLUMNS:
            # A refit changes a neural estimate; column-following defaults change.
            assert_finite_or_clear_error(result, f"{spec.name}: constant column")
        elif spec.quantity == "entropy" and spec.inputs != "discrete":
            if "noise_variance" in spec.defaults:
                # H(T, c + noise) = H(T) + the noise entropy of the constant dimension.
                noise = 0.5 * np.log(2 * np.pi * np.e * spec.defaults["noise_variance"])
                assert_value_or_clear_error(
                    result, reference + noise, 1e-4, f"{spec.name}: constant"
                )
            else:
                assert_clear_error(result, f"{spec.name}: constant column")
        else:
            assert_value_or_clear_error(result, reference, 1e-4, f"{spec.name}: constant")


@pytest.mark.parametrize("spec", params(SPECS, case="n = 1"))
def test_one_sample_is_a_clear_error_or_the_closed_form(spec):
    # One sample: a clear error or a closed form. Plug-in estimates (discrete, bins) of
    # one symbol are 0, Miller-Madow too; a KDE bound is the entropy of one Gaussian,
    # d/2 log(2 pi e s2); the other discrete corrections give a finite value.
    samples = sample_set(spec, np.random.default_rng(4))
    result = outcome(spec, tuple(a[:1] for a in samples))
    if result[0] == "error":
        assert NAMED.search(result[1]), result[1]
        _count("clear error")
        return
    value = result[1]
    assert np.isfinite(value), f"{spec.name}: n = 1 gives {value}"
    if spec.defaults.get("method") in ("plugin", "miller_madow") or spec.name in (
        "binning",
        "binning_entropy",
        "histogram",
    ):
        assert value == 0.0, f"{spec.name}: n = 1 gives {value}"
    elif "noise_variance" in spec.defaults:
        d = samples[0].shape[1]
        closed_form = 0.5 * d * np.log(2 * np.pi * np.e * spec.defaults["noise_variance"])
        np.testing.assert_allclose(value, closed_form, rtol=1e-5)
    else:
        assert spec.inputs == "discrete", f"{spec.name}: n = 1 gives {value}"
        _count("finite value, no reference")
        return
    _count("correct value")


JITTABLE = [spec for spec in SPECS if spec.jittable and spec.name not in NEURAL]


# The estimators whose in-graph checks this fuzz was written for run by default.
IN_GRAPH_CHECKS = {"kl_entropy", "ksg", "ksg_cmi", "plugin", "plugin_entropy", "plugin_cmi"}


@pytest.mark.parametrize(
    "spec",
    params(
        JITTABLE,
        dtypes=("float32",),
        case="jit ties",
        slow={spec.name for spec in JITTABLE} - IN_GRAPH_CHECKS,
    ),
)
def test_under_jit_ties_and_small_alphabets_give_nan_not_a_plausible_value(spec):
    # Where an eager call raises on a value (ties beyond the threshold, symbols beyond
    # n_symbols), the jitted and vmapped calls must give NaN or the eager value.
    samples = sample_set(spec, np.random.default_rng(5))
    if spec.inputs == "discrete":
        options = {**spec.defaults, **options_for(spec), "n_symbols": 2}
        fn = lambda *a: spec.fn(*a, **options)
        data = samples
    else:
        fn = spec.bind(**options_for(spec))
        data = _ties(spec, samples)
    try:
        eager = "value", float(fn(*data))
    except (ValueError, TypeError) as error:
        eager = "error", str(error)
    jitted = float(jax.jit(fn)(*data))
    batched = np.asarray(jax.vmap(fn)(*(np.stack([a, a]) for a in data)))
    for got in (jitted, *batched):
        if eager[0] == "error":
            assert np.isnan(got), f"{spec.name}: {got} under jit or vmap, eager {eager}"
            _count("NaN under jit where eager raises")
        else:
            np.testing.assert_allclose(got, eager[1], rtol=1e-4, atol=1e-5)
            _count("correct value")
