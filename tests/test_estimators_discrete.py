"""Discrete entropy / MI / CMI estimators against published formulas and closed forms."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import reference
import scipy.stats

from infojax.estimators import discrete_conditional_mutual_information
from infojax.estimators import discrete_entropy
from infojax.estimators import discrete_mutual_information
from infojax.estimators import get_estimator

METHODS = ("plugin", "miller_madow", "grassberger", "chao_shen", "james_stein", "nsb")

# Hand-made count vectors, all with n = 12 samples so each method compiles once.
# Singletons only, one symbol, uniform, a long tail: the regimes where the bias
# corrections differ most.
COUNT_VECTORS = (
    [5, 3, 1, 1, 1, 1],
    [1] * 12,
    [12],
    [3, 3, 3, 3],
    [10, 1, 1],
    [4, 4, 2, 1, 1],
)


# Integer samples give a result in JAX's default float dtype: float32 as users run it.
# The closed formulas then agree with the float64 references to float32 rounding of a
# sum of log-count terms (measured up to 2.6e-7 relative), asserted 1e-6.
F32_RTOL = 1e-6


def samples_from_counts(counts, seed=0):
    """Integer samples with the given symbol counts, in shuffled order."""
    symbols = np.repeat(np.arange(len(counts)) * 7 - 3, counts)  # not 0..m-1 on purpose
    return np.random.default_rng(seed).permutation(symbols)


@pytest.mark.parametrize("method", METHODS)
def test_entropy_matches_published_formula_on_count_vectors(method):
    # K = 12 covers every vector; JS and NSB then also see unobserved symbols.
    for counts in COUNT_VECTORS:
        got = discrete_entropy(samples_from_counts(counts), method=method, n_symbols=12)
        want = reference.discrete_entropy_reference(counts, method, n_symbols=12)
        # Closed formulas agree to float32 rounding (F32_RTOL). NSB integrates over
        # log(beta) with a trapezoid rule on a fixed grid against adaptive quadrature:
        # measured agreement ~1e-7 relative, asserted 2e-6. The absolute 1e-6 is for
        # values near zero (Grassberger on one symbol: -0.0012 nats, a difference of
        # terms of order one, off by 1.8e-7 in float32).
        rtol = 2e-6 if method == "nsb" else F32_RTOL
        np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-6, err_msg=str(counts))


@pytest.mark.parametrize(
    ("counts", "n_symbols"), [([1] * 12, 1000), ([6, 2, 1, 1, 1, 1], 7), ([11, 1], 2)]
)
def test_nsb_and_james_stein_with_other_alphabet_sizes(counts, n_symbols):
    x = samples_from_counts(counts)
    for method, rtol in (("nsb", 2e-6), ("james_stein", F32_RTOL)):  # tolerances as above
        got = discrete_entropy(x, method=method, n_symbols=n_symbols)
        want = reference.discrete_entropy_reference(counts, method, n_symbols=n_symbols)
        np.testing.assert_allclose(got, want, rtol=rtol)


def test_one_symbol_alphabet_has_zero_entropy():
    for method in ("nsb", "james_stein"):
        assert float(discrete_entropy(np.zeros(12, int), method=method, n_symbols=1)) == 0.0


def test_james_stein_default_alphabet_is_the_observed_symbols():
    counts = [5, 3, 1, 1, 1, 1]
    got = discrete_entropy(samples_from_counts(counts), method="james_stein")
    want = reference.discrete_entropy_reference(counts, "james_stein", n_symbols=None)
    np.testing.assert_allclose(got, want, rtol=F32_RTOL)


def test_plugin_matches_scipy_on_multicolumn_symbols():
    rng = np.random.default_rng(1)
    x = rng.integers(-2, 3, size=(500, 3))
    _, counts = np.unique(x, axis=0, return_counts=True)
    np.testing.assert_allclose(discrete_entropy(x), scipy.stats.entropy(counts), rtol=F32_RTOL)
    np.testing.assert_allclose(
        discrete_entropy(x, base=2), scipy.stats.entropy(counts, base=2), rtol=F32_RTOL
    )
    # Boolean samples are symbols too.
    b = x > 0
    _, counts = np.unique(b, axis=0, return_counts=True)
    np.testing.assert_allclose(discrete_entropy(b), scipy.stats.entropy(counts), rtol=F32_RTOL)


def _channel_samples(seed, n=20_000):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, n)
    independent = rng.integers(0, 4, n)
    bit = rng.integers(0, 2, n)
    flipped = bit ^ (rng.random(n) < 0.1)
    return x, independent, bit, flipped


@pytest.mark.parametrize("method", METHODS)
def test_mutual_information_on_channels(method):
    n = 20_000
    x, independent, bit, flipped = _channel_samples(seed=2, n=n)
    mi = functools.partial(discrete_mutual_information, method=method)
    # Copy channel, X uniform on 4 symbols: I = log 4. The estimate is H(X), whose
    # sampling error for a uniform source is second order: bias ~ 3/(2n) = 7.5e-5.
    # James-Stein shrinks the joint towards uniform on all 16 cells, 12 of them
    # impossible here; intensity ~ 0.75 / (n * 0.19) = 2e-4 lowers I by ~1.5e-3.
    copy_tolerance = 3e-3 if method == "james_stein" else 1e-3
    np.testing.assert_allclose(mi(x, x, n_symbols=4), np.log(4), atol=copy_tolerance)
    # Binary symmetric channel, flip probability 0.1: I = log 2 - h(0.1). Standard
    # deviation of the estimate ~ sqrt(Var[log p(y|x)/p(y)] / n) = 0.0047; 4 sigma.
    h = -0.1 * np.log(0.1) - 0.9 * np.log(0.9)
    np.testing.assert_allclose(mi(bit, flipped, n_symbols=2), np.log(2) - h, atol=0.02)
    # Independent 4 x 4: I = 0. Plug-in bias ~ (4 - 1)^2 / (2n) = 2.3e-4, standard
    # deviation of the same order; the corrected estimators are closer to zero.
    assert abs(float(mi(x, independent, n_symbols=4))) < 2e-3


@pytest.mark.parametrize("method", ["plugin", "grassberger", "nsb"])
def test_conditional_mutual_information_closed_forms(method):
    x, _, bit, flipped = _channel_samples(seed=3, n=20_000)
    other_bit = x % 2
    cmi = functools.partial(discrete_conditional_mutual_information, method=method, n_symbols=2)
    # Z = X xor Y with X, Y independent fair bits: I(X;Y) = 0 but I(X;Y|Z) = log 2.
    # Given Z the two bits determine each other, so the estimate is an entropy of a
    # near-uniform bit: error second order in 1/n; 1e-3 is generous.
    np.testing.assert_allclose(cmi(bit, other_bit, bit ^ other_bit), np.log(2), atol=1e-3)
    # Markov chain bit -> flipped -> copy of flipped: I(X; Y | Z) = 0. Every count-based
    # method cancels exactly (H(Y,Z) = H(Z), H(X,Y,Z) = H(X,Z)); NSB does not, as the
    # joint alphabets differ (4 vs 2 and 8 vs 4 symbols): measured 4e-5, asserted 1e-3.
    atol = 1e-3 if method == "nsb" else 1e-12
    np.testing.assert_allclose(cmi(bit, flipped, flipped), 0.0, atol=atol)


def test_cmi_reduces_to_mi_for_constant_z():
    _, _, bit, flipped = _channel_samples(seed=4)  # shapes as above: compiled already
    z = np.zeros_like(bit)
    np.testing.assert_allclose(
        discrete_conditional_mutual_information(bit, flipped, z),
        discrete_mutual_information(bit, flipped),
        rtol=F32_RTOL,
    )


def test_multicolumn_symbols_equal_flattened_codes():
    # A row of columns is one symbol: (a, b) carries the same entropy as 10 a + b.
    rng = np.random.default_rng(5)
    rows = rng.integers(0, 10, size=(300, 2))
    codes = rows[:, 0] * 10 + rows[:, 1]
    np.testing.assert_allclose(
        discrete_entropy(rows, method="chao_shen"), discrete_entropy(codes, method="chao_shen")
    )


def test_jit_and_vmap_over_seeds_match_references():
    rng = np.random.default_rng(6)
    x = rng.integers(0, 3, size=(4, 200))
    y = (x + (rng.random((4, 200)) < 0.3)) % 3
    batched = jax.jit(jax.vmap(discrete_mutual_information))(x, y)
    for xi, yi, value in zip(x, y, batched, strict=True):
        want = reference.plugin_entropy_of_rows_reference(xi) + (
            reference.plugin_entropy_of_rows_reference(yi)
            - reference.plugin_entropy_of_rows_reference(np.stack([xi, yi], axis=1))
        )
        np.testing.assert_allclose(value, want, rtol=F32_RTOL)
    nsb = jax.jit(jax.vmap(functools.partial(discrete_entropy, method="nsb", n_symbols=3)))(x)
    for xi, value in zip(x, nsb, strict=True):
        counts = np.bincount(xi)
        # Grid integration against adaptive quadrature, as in the count-vector test.
        np.testing.assert_allclose(
            value, reference.discrete_entropy_reference(counts, "nsb", n_symbols=3), rtol=2e-6
        )


def test_result_dtype_is_default_float():
    x = samples_from_counts([5, 3, 1, 1, 1, 1])
    # As users run (x64 off): float32. NSB sums betaln terms of size ~log(beta), hence 1e-4.
    value = discrete_entropy(x.astype(np.int32), method="nsb", n_symbols=12)
    assert value.dtype == jnp.float32
    want = reference.discrete_entropy_reference([5, 3, 1, 1, 1, 1], "nsb", 12)
    np.testing.assert_allclose(value, want, rtol=1e-4)
    with jax.enable_x64(True):
        assert discrete_entropy(x).dtype == jnp.float64


def test_bad_inputs_raise_clear_errors():
    x = np.array([0, 1, 1, 2])
    with pytest.raises(TypeError, match="`samples`"):
        discrete_entropy(x.astype(float))
    with pytest.raises(TypeError, match="`y`"):
        discrete_mutual_information(x, np.array([0.0, np.nan, 1.0, 1.0]))
    with pytest.raises(ValueError, match="same number of rows"):
        discrete_mutual_information(x, x[:3])
    with pytest.raises(ValueError, match="same number of rows"):
        discrete_conditional_mutual_information(x, x, x[:2])
    with pytest.raises(ValueError, match="`method`"):
        discrete_entropy(x, method="shrink")
    with pytest.raises(ValueError, match=r"`n_symbols`.*required"):
        discrete_entropy(x, method="nsb")
    with pytest.raises(ValueError, match="3 distinct symbols"):
        discrete_entropy(x, method="james_stein", n_symbols=2)
    with pytest.raises(ValueError, match="`n_symbols`"):
        discrete_mutual_information(x, x, method="nsb", n_symbols=(3, 3, 3))
    with pytest.raises(ValueError, match="`n_symbols`"):
        discrete_entropy(x, method="james_stein", n_symbols=0)
    with pytest.raises(ValueError, match="`samples`"):
        discrete_entropy(np.zeros((0,), dtype=int))
    with pytest.raises(ValueError, match="`base`"):
        discrete_entropy(x, base=1)


def test_registry_entries_bind_to_the_right_method():
    for method in METHODS:
        for name, function in (
            (method, discrete_mutual_information),
            (f"{method}_entropy", discrete_entropy),
            (f"{method}_cmi", discrete_conditional_mutual_information),
        ):
            spec = get_estimator(name)
            assert spec.fn is function and spec.inputs == "discrete"
            options = {"n_symbols": 3} if method in ("james_stein", "nsb") else {}
            bound = spec.bind(**options)
            assert bound.keywords == {"method": method, "base": None, **options}
    assert get_estimator("nsb").quantity == "mutual_information"
    assert get_estimator("nsb_entropy").quantity == "entropy"
    assert get_estimator("nsb_cmi").quantity == "conditional_mutual_information"


@pytest.mark.float64  # exact values compared at 1e-12
@pytest.mark.parametrize("method", METHODS)
def test_more_symbols_than_n_symbols_raise_for_every_method(method):
    # The example: symbols 0..3 with n_symbols=2 gave 1.384 nats (> log 2) with
    # the plug-in method, which ignored n_symbols.
    s = np.arange(48) % 4
    with pytest.raises(ValueError, match=r"alphabet of 2 symbols for `x`, but 4 distinct"):
        discrete_mutual_information(s, s, method=method, n_symbols=2)
    with pytest.raises(ValueError, match=r"alphabet of 2 symbols for `y`, but 4 distinct"):
        discrete_mutual_information(s % 2, s, method=method, n_symbols=(2, 2))
    with pytest.raises(ValueError, match=r"alphabet of 3 symbols for `samples`, but 4"):
        discrete_entropy(s, method=method, n_symbols=3)
    with pytest.raises(ValueError, match=r"alphabet of 2 symbols for `z`, but 4 distinct"):
        discrete_conditional_mutual_information(s % 2, s % 2, s, method=method, n_symbols=2)
    # Multi-column rows are one symbol each: 4 distinct rows of 2 binary columns.
    pairs = np.stack([s % 2, s // 2], axis=1)
    with pytest.raises(ValueError, match=r"alphabet of 3 symbols for `x`, but 4 distinct"):
        discrete_mutual_information(pairs, s % 2, method=method, n_symbols=(3, 2))
    # Enough symbols: accepted, and the plug-in value does not depend on n_symbols.
    value = discrete_mutual_information(s, s, method=method, n_symbols=4)
    assert np.isfinite(float(value))
    if method == "plugin":
        np.testing.assert_allclose(value, np.log(4), rtol=1e-12)


@pytest.mark.float64  # exact values compared at 1e-12
def test_n_symbols_under_jit_and_vmap_gives_nan_where_eager_raises():
    # Documented: the alphabet check runs in the graph; too small an alphabet gives NaN.
    s = np.arange(48) % 4
    jitted = jax.jit(functools.partial(discrete_mutual_information, n_symbols=2))
    assert np.isnan(float(jitted(s, s)))
    fits = jax.jit(functools.partial(discrete_mutual_information, n_symbols=4))
    np.testing.assert_allclose(fits(s, s), np.log(4), rtol=1e-12)
    batched = jax.vmap(functools.partial(discrete_entropy, n_symbols=3))(np.stack([s % 3, s]))
    p = np.bincount(s % 3) / 48
    np.testing.assert_allclose(batched[0], -(p * np.log(p)).sum(), rtol=1e-12)
    assert np.isnan(float(batched[1]))
    cmi = jax.jit(functools.partial(discrete_conditional_mutual_information, n_symbols=(4, 4, 1)))
    assert np.isnan(float(cmi(s, s, s % 2)))


def test_wide_int64_symbols_are_not_truncated():
    # Symbols that differ only above bit 31 (hashed labels, packed codes) stay distinct:
    # the values equal those of the small symbols they encode, whatever x64 says.
    rng = np.random.default_rng(5)
    x = rng.integers(0, 4, 500).astype(np.int64)
    y = (x + rng.integers(0, 2, 500)) % 4
    wide_x, wide_y = x * 2**32, y * 2**32 + 7
    for method in ("plugin", "miller_madow", "grassberger", "chao_shen", "james_stein"):
        np.testing.assert_allclose(
            discrete_mutual_information(wide_x, wide_y, method=method),
            discrete_mutual_information(x, y, method=method),
            rtol=1e-6,
        )
        np.testing.assert_allclose(
            discrete_entropy(np.stack([wide_x, y], 1), method=method),
            discrete_entropy(np.stack([x, y], 1), method=method),
            rtol=1e-6,
        )
    counts = np.bincount(x)
    p = counts / counts.sum()
    np.testing.assert_allclose(discrete_entropy(wide_x), -(p * np.log(p)).sum(), rtol=1e-6)
    np.testing.assert_allclose(
        discrete_conditional_mutual_information(wide_x, wide_y, x % 2, n_symbols=4, method="nsb"),
        discrete_conditional_mutual_information(x, y, x % 2, n_symbols=4, method="nsb"),
        rtol=1e-6,
    )


@pytest.mark.parametrize("bad", [["a", "b", "c"], None, np.array([1, None, 2]), [[1, 2], [3]]])
def test_non_numeric_samples_name_the_argument(bad):
    with pytest.raises(TypeError, match="`samples` must be a real numeric array"):
        discrete_entropy(bad)
    with pytest.raises(TypeError, match="`y` must be a real numeric array"):
        discrete_mutual_information(np.arange(3), bad)
