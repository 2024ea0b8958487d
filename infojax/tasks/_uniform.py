"""Tasks with bounded support: additive uniform noise, and a discrete-continuous pair."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from infojax._validation import check_positive_int
from infojax.tasks._task import Task


def additive_uniform_mutual_information(epsilon: float) -> float:
    r"""MI of :math:`X \sim U(0, 1)` and :math:`Y = X + U(-\varepsilon, \varepsilon)`.

    :math:`h(Y \mid X) = \log 2\varepsilon`, and :math:`Y` has a trapezoidal density,
    whose entropy gives

    .. math::
        I = \begin{cases} \varepsilon - \log(2\varepsilon), & \varepsilon \le 1/2 \\
                          1 / (4\varepsilon), & \varepsilon > 1/2. \end{cases}

    Nats.
    """
    if not (epsilon > 0 and math.isfinite(epsilon)):
        raise ValueError(f"`epsilon` must be positive and finite, got {epsilon}.")
    if epsilon <= 0.5:
        return epsilon - math.log(2 * epsilon)
    return 1.0 / (4 * epsilon)


def additive_uniform_task(*, epsilon: float) -> Task:
    r"""``X ~ U(0, 1)``, ``Y = X + U(-epsilon, epsilon)``: bounded support, 1-D each.

    See :func:`additive_uniform_mutual_information` for the MI. The density of ``Y``
    is :math:`p(y) = |[0, 1] \cap [y - \varepsilon, y + \varepsilon]| / 2\varepsilon`.

    References:
      Czyz, Grabowski, Vogt, Beerenwinkel & Marx (2023), Beyond normal: on the
      evaluation of mutual information estimators, https://arxiv.org/abs/2306.11078
    """
    mutual_information = additive_uniform_mutual_information(epsilon)
    log_width = math.log(2 * epsilon)

    def sampler(key, n, dtype):
        signal_key, noise_key = jax.random.split(key)
        x = jax.random.uniform(signal_key, (n, 1), dtype)
        noise = jax.random.uniform(noise_key, (n, 1), dtype, -epsilon, epsilon)
        return x, x + noise

    def log_density(x, y):
        x, y = x[0], y[0]
        inside_x = (x >= 0) & (x <= 1)
        inside_joint = inside_x & (jnp.abs(y - x) <= epsilon)
        overlap = jnp.minimum(1.0, y + epsilon) - jnp.maximum(0.0, y - epsilon)
        log_y = jnp.log(jnp.where(overlap > 0, overlap, 0.0)) - log_width
        return (
            jnp.where(inside_joint, -log_width, -jnp.inf).astype(y.dtype),
            jnp.where(inside_x, 0.0, -jnp.inf).astype(y.dtype),
            log_y,
        )

    return Task(
        name=f"additive-uniform-eps{epsilon:g}",
        family="additive_uniform",
        dim_x=1,
        dim_y=1,
        mutual_information=mutual_information,
        sampler=sampler,
        log_density=log_density,
        tails="bounded",
        params={"epsilon": epsilon},
    )


def discrete_continuous_mutual_information(n_symbols: int) -> float:
    r"""MI of :math:`X` uniform on ``{0, ..., m-1}`` and :math:`Y \mid X \sim U[X, X+2]`.

    A value of ``Y`` in ``(1, m)`` is compatible with two symbols, one in ``[0, 1]`` or
    ``[m, m+1]`` (probability ``1/m`` in all) with one, so
    :math:`H(X \mid Y) = (1 - 1/m)\log 2` and

    .. math::
        I = \log m - \left(1 - \tfrac1m\right) \log 2.

    Nats.

    References:
      Gao, Kannan, Oh & Viswanath (2017), Estimating mutual information for
      discrete-continuous mixtures, https://arxiv.org/abs/1709.06212
    """
    check_positive_int(n_symbols, "n_symbols")
    return math.log(n_symbols) - (1.0 - 1.0 / n_symbols) * math.log(2.0)


def discrete_continuous_task(*, n_symbols: int) -> Task:
    r"""``X`` uniform on ``{0, ..., m-1}`` (integers), ``Y | X ~ U[X, X + 2]``.

    Densities are with respect to counting measure on ``X`` times Lebesgue measure on
    ``Y``: :math:`p(x, y) = 1 / 2m` on the support and
    :math:`p(y) = \#\{s : s \le y \le s + 2\} / 2m`. See
    :func:`discrete_continuous_mutual_information` for the MI.
    """
    mutual_information = discrete_continuous_mutual_information(n_symbols)
    log_symbols = math.log(n_symbols)

    def sampler(key, n, dtype):
        symbol_key, offset_key = jax.random.split(key)
        x = jax.random.randint(symbol_key, (n, 1), 0, n_symbols)
        offset = jax.random.uniform(offset_key, (n, 1), dtype, 0.0, 2.0)
        return x, x.astype(dtype) + offset

    def log_density(x, y):
        x, y = x[0].astype(y.dtype), y[0]
        symbols = jnp.arange(n_symbols, dtype=y.dtype)
        compatible = jnp.sum((symbols <= y) & (y <= symbols + 2))
        inside_x = (x >= 0) & (x < n_symbols)
        inside_joint = inside_x & (x <= y) & (y <= x + 2)
        log_half = math.log(2.0)
        return (
            jnp.where(inside_joint, -log_symbols - log_half, -jnp.inf).astype(y.dtype),
            jnp.where(inside_x, -log_symbols, -jnp.inf).astype(y.dtype),
            jnp.log(compatible.astype(y.dtype)) - log_symbols - log_half,
        )

    return Task(
        name=f"discrete-continuous-m{n_symbols}",
        family="discrete_continuous",
        dim_x=1,
        dim_y=1,
        mutual_information=mutual_information,
        sampler=sampler,
        log_density=log_density,
        tails="bounded",
        x_discrete=True,
        params={"n_symbols": n_symbols},
    )
