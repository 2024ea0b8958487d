"""Argument checks shared by every public function.

Each check runs only on concrete arrays: under a caller's ``jax.jit`` or ``jax.vmap``
the values are abstract tracers and only the shape and dtype checks can run. Every
error names the offending argument.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike


def is_concrete(*arrays: ArrayLike) -> bool:
    """True when none of ``arrays`` is a tracer, so value checks can run."""
    return not any(isinstance(a, jax.core.Tracer) for a in arrays)


def probability_tolerance(dtype) -> float:
    """Absolute tolerance on ``sum(p) - 1`` for a probability table of ``dtype``.

    1e-4 for float32 (and narrower) and 1e-8 for float64: a table of a million float32
    entries normalised in float32 sums to one within about 1e-5.
    """
    return 1e-8 if jnp.dtype(dtype) == jnp.float64 else 1e-4


def check_numeric(x: ArrayLike, name: str) -> np.dtype:
    """The dtype ``x`` would have as an array, found without handing it to JAX.

    JAX arrays and tracers carry theirs; anything else goes through ``np.asarray``, so
    strings, ``None``, ragged lists and other objects are refused here with the
    argument's name instead of deep inside JAX.
    """
    if isinstance(x, jax.Array):
        return np.dtype(x.dtype)
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        try:
            dtype = np.asarray(x).dtype
        except (ValueError, TypeError) as error:
            raise TypeError(
                f"`{name}` must be a real numeric array, got a {type(x).__name__} that "
                f"is not one ({error})."
            ) from None
    dtype = np.dtype(dtype)
    if dtype.kind in "biufc" or dtype.name == "bfloat16":
        return dtype
    what = {
        "U": "strings",
        "S": "byte strings",
        "O": "Python objects (None, or values of mixed types)",
        "M": "datetimes",
        "m": "time deltas",
    }.get(dtype.kind, f"dtype {dtype}")
    raise TypeError(
        f"`{name}` must be a real numeric array (floats, integers or booleans), got {what}."
    )


def as_float_array(x: ArrayLike, name: str) -> jax.Array:
    """``x`` as a floating JAX array: floats keep their dtype, ints and bools are promoted.

    Raises:
        TypeError: if ``x`` is complex or not numeric (strings, objects, None).
    """
    check_numeric(x, name)
    x = jnp.asarray(x)
    if jnp.issubdtype(x.dtype, jnp.complexfloating):
        raise TypeError(f"`{name}` must be real, got dtype {x.dtype}.")
    if jnp.issubdtype(x.dtype, jnp.floating):
        return x
    if jnp.issubdtype(x.dtype, jnp.integer) or x.dtype == jnp.bool_:
        return x.astype(jnp.result_type(float))
    raise TypeError(f"`{name}` must be a real numeric array, got dtype {x.dtype}.")


def check_finite(x: jax.Array, name: str) -> None:
    """Raises ValueError if a concrete ``x`` holds NaN or inf."""
    if not is_concrete(x):
        return
    values = np.asarray(x)
    if np.isnan(values).any():
        raise ValueError(f"`{name}` contains NaN.")
    if np.isinf(values).any():
        raise ValueError(f"`{name}` contains inf.")


def check_in_dtype_range(value, name: str, dtype) -> None:
    """Raises ValueError if a concrete positive scale ``value`` (a variance, a
    bandwidth) overflows or flushes to zero in the floating ``dtype`` of the samples
    it is used with."""
    info = jnp.finfo(dtype)
    magnitude = float(np.max(np.abs(np.asarray(value, np.float64))))
    if magnitude > float(info.max) or 0 < magnitude < float(info.tiny):
        raise ValueError(
            f"`{name}`={magnitude:g} is outside the range of {jnp.dtype(dtype).name} "
            f"samples ({float(info.tiny):.3g} to {float(info.max):.3g}): pass float64 "
            "samples (with jax_enable_x64) or rescale the samples and the parameter."
        )


def check_min_ndim(x: jax.Array, name: str, ndim: int, what: str) -> None:
    if x.ndim < ndim:
        raise ValueError(f"`{name}` must have at least {ndim} axes ({what}), got shape {x.shape}.")


@functools.partial(jax.jit, static_argnames="axes")
def _probability_summary(p: jax.Array, axes: tuple[int, ...]) -> tuple[jax.Array, ...]:
    """The largest ``|sum - 1|`` over ``axes``, the smallest entry and the sum of all
    the sums: NaN and inf show in the total, which IEEE addition propagates (XLA's
    min and max reductions on CPU drop a NaN), a negative entry in the minimum: one
    pass instead of separate NaN and inf scans (``python -m experiments.bench_measures``
    times the eager, validated call against the jitted one)."""
    totals = jnp.sum(p, axis=axes)
    return (
        jnp.max(jnp.abs(totals - 1), initial=0),
        jnp.min(p, initial=jnp.inf),
        jnp.sum(totals),
    )


def check_probabilities(p: jax.Array, name: str, *, axes: Sequence[int] = (-1,)) -> None:
    """Raises ValueError unless a concrete ``p`` is a probability table over ``axes``.

    Entries must be finite and non-negative, and each distribution (the sum over
    ``axes``) must be one within :func:`probability_tolerance` of its dtype.

    One compiled pass over ``p`` gives three scalars (copying ``p`` to NumPy and
    scanning it cost 5-10 times an exact measure); a valid table is settled by them.
    Otherwise the table is inspected on the host for the error message, and a largest
    deviation of a sum from one above half the tolerance is redone in float64 for the
    verdict, so float32 rounding of a large distribution's sum neither rejects a
    normalised table nor hides an unnormalised one.
    """
    if p.ndim < len(axes) or any(p.shape[a] == 0 for a in axes):
        raise ValueError(f"`{name}` has no outcomes along its distribution axes {tuple(axes)}.")
    if not is_concrete(p):
        return
    axes = tuple(a % p.ndim for a in axes)
    deviation, minimum, total = jax.device_get(_probability_summary(p, axes))
    tolerance = probability_tolerance(p.dtype)
    if np.isfinite(total) and minimum >= 0 and deviation <= tolerance / 2:
        return
    values = np.asarray(p)
    if np.isnan(values).any():
        raise ValueError(f"`{name}` contains NaN.")
    if np.isinf(values).any():
        raise ValueError(f"`{name}` contains inf.")
    if minimum < 0:
        raise ValueError(f"`{name}` has negative probabilities (min {minimum:.3g}).")
    totals = values.sum(axis=axes, dtype=np.float64)
    worst = np.abs(totals - 1.0).max() if totals.size else 0.0
    if worst > tolerance:
        raise ValueError(
            f"`{name}` is not normalised: a distribution sums to {1.0 + worst:.6g} or "
            f"{1.0 - worst:.6g} (allowed |sum - 1| <= {tolerance:g} for {p.dtype})."
        )


def check_nonnegative(x: jax.Array, name: str) -> None:
    """Raises ValueError if a concrete ``x`` holds NaN, inf or negative values."""
    if not is_concrete(x):
        return
    check_finite(x, name)
    if (np.asarray(x) < 0).any():
        raise ValueError(f"`{name}` must be non-negative (min {np.asarray(x).min():.3g}).")


def check_same_shape(a: jax.Array, b: jax.Array, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"`{name_a}` and `{name_b}` must have the same shape, got {a.shape} and {b.shape}."
        )


def check_base(base: float | None) -> None:
    if base is None:
        return
    if isinstance(base, jax.core.Tracer):
        return
    if not (base > 0 and base != 1 and math.isfinite(base)):
        raise ValueError(f"`base` must be positive, finite and not 1, got {base!r}.")


def _dense_symbols(values: np.ndarray) -> np.ndarray:
    """Integer symbols as int32 codes with the same equalities, row by row.

    Each column is relabelled to the rank of its value among the column's distinct
    values (``np.unique(..., return_inverse=True)``), so two rows are equal exactly
    when they were: every discrete estimator depends on the symbols only through that.
    """
    codes = [np.unique(column, return_inverse=True)[1] for column in values.T]
    return np.stack(codes, axis=1).astype(np.int32)


def as_samples(x: ArrayLike, name: str, *, floating: bool = True) -> jax.Array:
    """Samples as a 2-D array of shape (n, d); a 1-D array is one column.

    With ``floating`` the array is converted as by :func:`as_float_array` and checked
    for NaN and inf; otherwise it must hold integers (discrete symbols). Integer
    symbols that do not fit the integer dtype JAX would narrow them to (int64 values
    beyond int32 with x64 off, e.g. hashed labels) are relabelled on the host to dense
    codes with the same equalities before any narrowing, so no two symbols merge.
    """
    dtype = check_numeric(x, name)
    if dtype.kind == "c":
        raise TypeError(f"`{name}` must be real, got dtype {dtype}.")
    if not floating and dtype.kind in "iu" and not isinstance(x, jax.Array):
        values = np.asarray(x)
        narrow = jnp.dtype(jax.dtypes.canonicalize_dtype(dtype))
        if values.ndim in (1, 2) and values.size and narrow != dtype:
            info = np.iinfo(narrow)
            if values.min() < info.min or values.max() > info.max:
                columns = values.reshape(values.shape[0], -1)
                x = _dense_symbols(columns).reshape(values.shape)
    x = jnp.asarray(x)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(f"`{name}` must have shape (n,) or (n, d), got {x.shape}.")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"`{name}` is empty (shape {x.shape}).")
    if floating:
        x = as_float_array(x, name)
        check_finite(x, name)
    elif not (jnp.issubdtype(x.dtype, jnp.integer) or x.dtype == jnp.bool_):
        raise TypeError(
            f"`{name}` must hold integer symbols for a discrete estimator, got dtype {x.dtype}."
        )
    return x


def check_same_length(*named: tuple[jax.Array, str]) -> None:
    """Raises ValueError unless all sample arrays have the same number of rows."""
    lengths = {name: a.shape[0] for a, name in named}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"`{name}` has {n}" for name, n in lengths.items())
        raise ValueError(f"Sample arrays must have the same number of rows: {listed}.")


def check_neighbours(k: int, n: int, name: str = "k") -> None:
    """Raises ValueError unless 1 <= k < n (k-th neighbour of n samples)."""
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"`{name}` must be a Python int, got {type(k).__name__}.")
    if k < 1:
        raise ValueError(f"`{name}` must be >= 1, got {k}.")
    if k >= n:
        raise ValueError(f"`{name}` must be smaller than the number of samples n={n}, got {k}.")


def check_not_constant(x: jax.Array, name: str) -> None:
    """Raises ValueError if a concrete 2-D sample array ``x`` has a constant column.

    Nearest-neighbour estimators of continuous densities degenerate on a constant
    column (all distances along it are zero).
    """
    if not is_concrete(x) or x.shape[0] < 2:
        return
    values = np.asarray(x)
    constant = np.flatnonzero((values == values[:1]).all(axis=0))
    if constant.size:
        raise ValueError(
            f"`{name}` has constant column(s) {constant.tolist()}; this estimator needs "
            "samples of a continuous distribution."
        )


def check_key(key: ArrayLike, name: str = "key") -> jax.Array:
    """``key`` as a single typed PRNG key (``jax.random.key``).

    A legacy raw ``uint32[2]`` key (``jax.random.PRNGKey``) is accepted and wrapped
    with ``jax.random.wrap_key_data``, which draws the same bits as the raw key.

    Raises:
        TypeError: if ``key`` is missing, a batch of keys, or not a key.
    """
    if key is None:
        raise TypeError(f"`{name}` is required: pass a PRNG key (jax.random.key(seed)).")
    key = jnp.asarray(key) if not isinstance(key, jax.Array) else key
    if jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        if key.shape != ():
            raise TypeError(
                f"`{name}` must be a single PRNG key, got a key array of shape {key.shape}."
            )
        return key
    if key.dtype == jnp.uint32 and key.shape == (2,):
        return jax.random.wrap_key_data(key)
    raise TypeError(
        f"`{name}` must be a PRNG key (jax.random.key(seed), or a raw uint32[2] key), "
        f"got dtype {key.dtype} and shape {key.shape}."
    )


def check_positive_int(value: int, name: str) -> None:
    """Raises TypeError unless ``value`` is a Python int, ValueError unless it is >= 1."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"`{name}` must be a Python int, got {type(value).__name__}.")
    if value < 1:
        raise ValueError(f"`{name}` must be >= 1, got {value}.")


def check_matching_last_axis(
    a: jax.Array, b: jax.Array, name_a: str, name_b: str, what: str = "outcomes"
) -> None:
    """Raises unless ``a`` and ``b`` have equal last axes and broadcastable shapes."""
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"`{name_a}` and `{name_b}` must have the same number of {what} (last axis), "
            f"got {a.shape[-1]} and {b.shape[-1]}."
        )
    try:
        jnp.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"`{name_a}` and `{name_b}` have shapes {a.shape} and {b.shape} that do not broadcast."
        ) from None
