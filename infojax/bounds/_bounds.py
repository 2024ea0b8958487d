"""Variational bounds on mutual information as pure functions of a critic score matrix.

Every bound takes ``scores`` of shape ``(n, n)`` with ``scores[i, j] = f(x_i, y_j)``:
the diagonal holds the ``n`` joint pairs ``(x_i, y_i) ~ p(x, y)`` and the ``n (n - 1)``
off-diagonal entries stand for pairs from the product of marginals ``p(x) p(y)``. The
result is one scalar in nats (``base`` converts), differentiable in ``scores`` so the
same function is the training objective of the critic.

Shape checks always run; the NaN check runs only on concrete scores (not under a
caller's ``jit``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from infojax._numerics import to_base
from infojax._validation import as_float_array
from infojax._validation import check_base
from infojax._validation import check_finite

JS_REPORTS = ("nwj", "dv")


def _as_scores(scores: ArrayLike, name: str = "scores") -> jax.Array:
    scores = as_float_array(scores, name)
    if scores.ndim != 2 or scores.shape[0] != scores.shape[1]:
        raise ValueError(
            f"`{name}` must be a square (n, n) score matrix, got shape {scores.shape}."
        )
    if scores.shape[0] < 2:
        raise ValueError(
            f"`{name}` needs n >= 2 (joint pairs on the diagonal, marginal pairs off it), "
            f"got shape {scores.shape}."
        )
    check_finite(scores, name)
    return scores


def _off_diagonal(n: int) -> jax.Array:
    return ~jnp.eye(n, dtype=bool)


def _mean_diagonal(scores: jax.Array) -> jax.Array:
    return jnp.mean(jnp.diagonal(scores))


def _mean_off_diagonal(values: jax.Array) -> jax.Array:
    n = values.shape[0]
    return jnp.sum(values, where=_off_diagonal(n)) / (n * (n - 1))


def _log_mean_exp_off_diagonal(scores: jax.Array) -> jax.Array:
    """``log mean_{i != j} exp(scores[i, j])``, stable for large scores."""
    n = scores.shape[0]
    log_sum = jax.nn.logsumexp(scores, where=_off_diagonal(n))
    return log_sum - jnp.log(jnp.asarray(n * (n - 1), scores.dtype))


def _dv(scores: jax.Array) -> jax.Array:
    return _mean_diagonal(scores) - _log_mean_exp_off_diagonal(scores)


def _nwj(scores: jax.Array) -> jax.Array:
    return _mean_diagonal(scores) - jnp.exp(_log_mean_exp_off_diagonal(scores) - 1.0)


def _infonce(scores: jax.Array) -> jax.Array:
    n = scores.shape[0]
    log_softmax_joint = jnp.diagonal(scores) - jax.nn.logsumexp(scores, axis=1)
    return jnp.mean(log_softmax_joint) + jnp.log(jnp.asarray(n, scores.dtype))


def _js_objective(scores: jax.Array) -> jax.Array:
    joint_term = -jnp.mean(jax.nn.softplus(-jnp.diagonal(scores)))
    return joint_term - _mean_off_diagonal(jax.nn.softplus(scores))


def _reported_after_js(scores: jax.Array, report: str) -> jax.Array:
    if report == "nwj":
        # The JS critic is optimal at log p(x,y)/(p(x)p(y)); NWJ is tight one nat higher.
        return _nwj(scores + 1.0)
    return _dv(scores)


def _straight_through(value: jax.Array, objective: jax.Array) -> jax.Array:
    """The number ``value`` with the gradient of ``objective``."""
    return objective + jax.lax.stop_gradient(value - objective)


def _smile_value(scores: jax.Array, clip: float) -> jax.Array:
    clipped = jnp.clip(scores, -clip, clip)
    return _mean_diagonal(scores) - _log_mean_exp_off_diagonal(clipped)


def _check_report(report: str) -> None:
    if report not in JS_REPORTS:
        raise ValueError(f"`report` must be one of {JS_REPORTS}, got {report!r}.")


def _check_clip(clip: float) -> None:
    if not isinstance(clip, jax.core.Tracer) and not clip > 0:
        raise ValueError(f"`clip` must be positive, got {clip!r}.")


def _check_fraction(value: float, name: str, *, open_right: bool = False) -> None:
    if isinstance(value, jax.core.Tracer):
        return
    upper_ok = value < 1 if open_right else value <= 1
    if not (0 <= value and upper_ok):
        interval = "[0, 1)" if open_right else "[0, 1]"
        raise ValueError(f"`{name}` must lie in {interval}, got {value!r}.")


def dv_bound(scores: ArrayLike, *, base: float | None = None) -> jax.Array:
    r"""Donsker-Varadhan lower bound on mutual information.

    .. math::
        I_{DV} = \frac{1}{n} \sum_i f(x_i, y_i)
                 - \log \frac{1}{n(n-1)} \sum_{i \neq j} e^{f(x_i, y_j)}
                 \;\le\; I(X; Y)

    (a lower bound in expectation over the outer expectation; the log of a batch mean
    makes the batch estimate biased). Tight at ``f = log p(x,y)/(p(x)p(y)) + c``.

    Args:
      scores: ``(n, n)`` critic scores, ``scores[i, j] = f(x_i, y_j)``, joint pairs on
        the diagonal; ``n >= 2``.
      base: logarithm base of the result (None: nats, 2: bits).

    Returns:
      Scalar estimate, dtype of ``scores``, in nats unless ``base`` is given.

    Example:
      >>> # Joint pairs score 1, the others 0: mean 1 minus log mean exp(0) = 1 nat.
      >>> float(dv_bound(jnp.array([[1.0, 0.0], [0.0, 1.0]])))
      1.0

    References:
      Donsker & Varadhan (1983), Asymptotic evaluation of certain Markov process
      expectations for large time IV. Poole et al. (2019), On variational bounds of
      mutual information, https://arxiv.org/abs/1905.06922
    """
    check_base(base)
    return to_base(_dv(_as_scores(scores)), base)


def nwj_bound(scores: ArrayLike, *, base: float | None = None) -> jax.Array:
    r"""Nguyen-Wainwright-Jordan (f-divergence, "f-GAN KL") lower bound.

    .. math::
        I_{NWJ} = \frac{1}{n} \sum_i f(x_i, y_i)
                  - \frac{1}{e\, n(n-1)} \sum_{i \neq j} e^{f(x_i, y_j)}
                  \;\le\; I(X; Y)

    Unbiased for its expectation; tight at ``f = 1 + log p(x,y)/(p(x)p(y))``.

    Args:
      scores: ``(n, n)`` critic scores, joint pairs on the diagonal; ``n >= 2``.
      base: logarithm base of the result (None: nats).

    Returns:
      Scalar estimate in nats (dtype of ``scores``).

    References:
      Nguyen, Wainwright & Jordan (2010), Estimating divergence functionals and the
      likelihood ratio by convex risk minimization, https://arxiv.org/abs/0809.0853
    """
    check_base(base)
    return to_base(_nwj(_as_scores(scores)), base)


def infonce_bound(scores: ArrayLike, *, base: float | None = None) -> jax.Array:
    r"""InfoNCE (contrastive predictive coding) lower bound, at most ``log n``.

    .. math::
        I_{NCE} = \frac{1}{n} \sum_i \log
                  \frac{e^{f(x_i, y_i)}}{\frac{1}{n} \sum_j e^{f(x_i, y_j)}}
                  \;\le\; \min(I(X; Y), \log n)

    Each ``x_i`` picks its partner among all ``y_j`` (a softmax over the row); every
    term is at most ``log n``, so the estimate never exceeds ``log n`` nats.

    Args:
      scores: ``(n, n)`` critic scores, joint pairs on the diagonal; ``n >= 2``.
      base: logarithm base of the result (None: nats).

    Returns:
      Scalar estimate in nats (dtype of ``scores``).

    References:
      van den Oord, Li & Vinyals (2018), Representation learning with contrastive
      predictive coding, https://arxiv.org/abs/1807.03748
    """
    check_base(base)
    return to_base(_infonce(_as_scores(scores)), base)


def js_objective(scores: ArrayLike) -> jax.Array:
    r"""Jensen-Shannon training objective of a critic (f-GAN form).

    .. math::
        J_{JS} = \frac{1}{n} \sum_i -\operatorname{softplus}(-f(x_i, y_i))
                 - \frac{1}{n(n-1)} \sum_{i \neq j} \operatorname{softplus}(f(x_i, y_j))

    Maximised at ``f = log p(x,y)/(p(x)p(y))``; its value is a (shifted) JS divergence,
    not a mutual information: use :func:`js_bound` to report one.

    Args:
      scores: ``(n, n)`` critic scores, joint pairs on the diagonal; ``n >= 2``.

    Returns:
      Scalar objective (dtype of ``scores``).

    References:
      Hjelm et al. (2019), Learning deep representations by mutual information
      estimation and maximization, https://arxiv.org/abs/1808.06670 ; Nowozin, Cseke &
      Tomioka (2016), f-GAN, https://arxiv.org/abs/1606.00709
    """
    return _js_objective(_as_scores(scores))


def js_bound(scores: ArrayLike, *, report: str = "dv", base: float | None = None) -> jax.Array:
    r"""MI estimate of a critic trained with the Jensen-Shannon objective.

    The value is the DV bound at ``f`` (``report="dv"``, the default) or the NWJ bound at
    ``f + 1`` (``report="nwj"``); the gradient is that of :func:`js_objective`:

    .. math::
        \hat I = J_{JS}(f) + \operatorname{stop\_gradient}(I_{DV}(f) - J_{JS}(f))

    The JS critic is optimal at ``f* = log p(x,y)/(p(x)p(y))`` where NWJ needs
    ``f* + 1``; the reference code of Poole et al. and Song & Ermon evaluates NWJ at ``f``,
    which loses ``1/e`` nats at the optimum. The NWJ value averages ``exp(f)`` over
    the product pairs, so its variance grows exponentially with the MI: on the 20-d
    Gaussians of ``experiments/bench_bounds.py --sweep`` it broke down from 6 nats
    up (estimates of -13 to -830 nats), and a default fit on a 5 x 5 Student-t task
    with 0.89 nats gave -43.9 (one held-out batch at -175); DV keeps the partition
    term in log space and is the default read-out.

    Args:
      scores: ``(n, n)`` critic scores, joint pairs on the diagonal; ``n >= 2``.
      report: ``"nwj"`` or ``"dv"``, the bound whose value is returned.
      base: logarithm base of the result (None: nats).

    Returns:
      Scalar estimate in nats (dtype of ``scores``).

    References:
      Hjelm et al. (2019), https://arxiv.org/abs/1808.06670 ; Poole et al. (2019),
      https://arxiv.org/abs/1905.06922
    """
    check_base(base)
    _check_report(report)
    scores = _as_scores(scores)
    value = _straight_through(_reported_after_js(scores, report), _js_objective(scores))
    return to_base(value, base)


def smile_bound(scores: ArrayLike, *, clip: float = 5.0, base: float | None = None) -> jax.Array:
    r"""SMILE: DV estimate with the partition term clipped to ``[e^{-τ}, e^{τ}]``.

    .. math::
        I_{SMILE} = \frac{1}{n} \sum_i f(x_i, y_i) - \log \frac{1}{n(n-1)}
                    \sum_{i \neq j} \operatorname{clip}(e^{f(x_i, y_j)}, e^{-\tau}, e^{\tau})

    The gradient is that of :func:`js_objective`, as in the authors' implementation
    (the critic is trained with JS, the clipped DV value is reported). Clipping trades
    variance for bias; ``clip = inf`` gives the DV value. It is not a lower bound:
    on the 20-d Gaussians of ``experiments/bench_bounds.py --sweep`` (separable
    critic, batch 128, 5000 steps) ``clip = 5`` gave 8.89 and 11.95 nats for true MI
    of 8 and 10.

    Args:
      scores: ``(n, n)`` critic scores, joint pairs on the diagonal; ``n >= 2``.
      clip: ``τ > 0``, the clip on the critic inside the partition term.
      base: logarithm base of the result (None: nats).

    Returns:
      Scalar estimate in nats (dtype of ``scores``).

    References:
      Song & Ermon (2020), Understanding the limitations of variational mutual
      information estimators, https://arxiv.org/abs/1910.06222
    """
    check_base(base)
    _check_clip(clip)
    scores = _as_scores(scores)
    value = _straight_through(_smile_value(scores, clip), _js_objective(scores))
    return to_base(value, base)


def _log_leave_one_out_mean_exp(scores: jax.Array) -> jax.Array:
    """``out[l, j] = log mean_{k != l} exp(scores[k, j])``, without cancellation.

    Subtracting ``exp(scores[l, j])`` from the column sum loses all precision when that
    term dominates; it dominates only in the row of the column maximum. So: rows other
    than the maximum subtract from the sum shifted by the maximum (what remains is at
    least the maximum's own ``1``); the maximum's row is a masked log-sum-exp.
    """
    n = scores.shape[0]
    column_max = jax.lax.stop_gradient(jnp.max(scores, axis=0, keepdims=True))
    is_max_row = jnp.arange(n)[:, None] == jnp.argmax(scores, axis=0)[None, :]
    shifted = jnp.exp(scores - column_max)
    remainder = jnp.sum(shifted, axis=0, keepdims=True) - shifted
    # The double `where` keeps log(0) out of the gradient at the maximum's row.
    safe_remainder = jnp.where(is_max_row, 1.0, remainder)
    log_other_rows = column_max + jnp.log(safe_remainder)
    log_max_row = jax.nn.logsumexp(scores, axis=0, where=~is_max_row, keepdims=True)
    log_sum = jnp.where(is_max_row, log_max_row, log_other_rows)
    return log_sum - jnp.log(jnp.asarray(n - 1, scores.dtype))


def _interpolated(scores: jax.Array, log_baseline: jax.Array, alpha: float) -> jax.Array:
    alpha = jnp.asarray(alpha, scores.dtype)
    # log(alpha * m + (1 - alpha) * q) with m the leave-one-out mean over x and q(y) the
    # baseline; entry [l, j] leaves out x_l for the column of y_j.
    log_denominator = jnp.logaddexp(
        jnp.log(alpha) + _log_leave_one_out_mean_exp(scores),
        jnp.log1p(-alpha) + log_baseline[None, :],
    )
    # Joint term: x_j's own partner is among the K = n - 1 samples averaged over.
    joint_term = _mean_off_diagonal(jnp.diagonal(scores)[None, :] - log_denominator)
    # Marginal term: y_j against x_i (i != j), averaged over all x except x_j.
    marginal = scores - jnp.diagonal(log_denominator)[None, :]
    marginal_term = jnp.exp(_log_mean_exp_off_diagonal(marginal))
    return 1.0 + joint_term - marginal_term


def interpolated_bound(
    scores: ArrayLike,
    log_baseline: ArrayLike | None = None,
    *,
    alpha: float = 0.5,
    base: float | None = None,
) -> jax.Array:
    r"""Alpha-interpolated bound of Poole et al. between InfoNCE and NWJ/TUBA.

    With ``m(y; x_{1:K}) = \frac{1}{K} \sum_k e^{f(x_k, y)}`` over ``K = n - 1`` samples
    and the baseline ``q(y) = e^{a(y)}``:

    .. math::
        I_\alpha = 1 + \mathbb{E}_{p(x_1, y)}\Big[\log \frac{e^{f(x_1, y)}}
                   {\alpha\, m(y; x_{1:K}) + (1 - \alpha)\, q(y)}\Big]
                 - \mathbb{E}_{p(x_1) p(y)}\Big[\frac{e^{f(x_1, y)}}
                   {\alpha\, m(y; x_{1:K}) + (1 - \alpha)\, q(y)}\Big]

    For the column of ``y_j`` the joint term leaves out one ``x_l`` (``l != j``) from
    the mean, so ``x_j`` is among the ``K`` averaged samples; the marginal term pairs
    ``y_j`` with each ``x_i`` (``i != j``) and averages over all ``x`` except ``x_j``.
    ``alpha = 1`` is InfoNCE over ``K`` samples (at most ``log K``), ``alpha = 0`` is
    TUBA/NWJ with baseline ``a(y)``; in between the bias-variance trade-off moves
    smoothly and the estimate is at most ``log(K / alpha)``.

    Args:
      scores: ``(n, n)`` critic scores, joint pairs on the diagonal; ``n >= 3``.
      log_baseline: ``(n,)`` log-baseline ``a(y_j)`` for each column; None: zeros.
      alpha: interpolation weight in ``[0, 1]``.
      base: logarithm base of the result (None: nats).

    Returns:
      Scalar estimate in nats (dtype of ``scores``).

    References:
      Poole, Ozair, van den Oord, Alemi & Tucker (2019), On variational bounds of mutual
      information, Eq. (11), https://arxiv.org/abs/1905.06922
    """
    check_base(base)
    _check_fraction(alpha, "alpha")
    scores = _as_scores(scores)
    if scores.shape[0] < 3:
        raise ValueError(
            f"`scores` needs n >= 3 for the leave-one-out mean, got shape {scores.shape}."
        )
    if log_baseline is None:
        log_baseline = jnp.zeros(scores.shape[0], scores.dtype)
    log_baseline = as_float_array(log_baseline, "log_baseline").astype(scores.dtype)
    if log_baseline.shape != (scores.shape[0],):
        raise ValueError(
            f"`log_baseline` must have shape ({scores.shape[0]},), got {log_baseline.shape}."
        )
    check_finite(log_baseline, "log_baseline")
    return to_base(_interpolated(scores, log_baseline, alpha), base)


def _club(log_likelihoods: jax.Array) -> jax.Array:
    return _mean_diagonal(log_likelihoods) - _mean_off_diagonal(log_likelihoods)


def club_bound(log_likelihoods: ArrayLike, *, base: float | None = None) -> jax.Array:
    r"""CLUB: contrastive log-ratio upper bound on mutual information.

    With ``log_likelihoods[i, j] = log q(y_j | x_i)`` from a variational conditional
    ``q`` (e.g. :class:`~infojax.bounds.GaussianConditional`):

    .. math::
        I_{CLUB} = \frac{1}{n} \sum_i \log q(y_i | x_i)
                   - \frac{1}{n(n-1)} \sum_{i \neq j} \log q(y_j | x_i)
                   \;\ge\; I(X; Y)

    an upper bound when ``q = p(y|x)`` (approximately, when ``q`` is close to it in KL).
    The paper averages the second term over all ``n^2`` pairs, which multiplies this
    unbiased off-diagonal version by ``(n - 1) / n``. Train ``q`` by maximising
    :func:`conditional_log_likelihood`, not this bound.

    Args:
      log_likelihoods: ``(n, n)`` matrix of ``log q(y_j | x_i)``; ``n >= 2``.
      base: logarithm base of the result (None: nats).

    Returns:
      Scalar estimate in nats (dtype of the input).

    References:
      Cheng et al. (2020), CLUB: A contrastive log-ratio upper bound of mutual
      information, https://arxiv.org/abs/2006.12013
    """
    check_base(base)
    return to_base(_club(_as_scores(log_likelihoods, "log_likelihoods")), base)


def conditional_log_likelihood(log_likelihoods: ArrayLike) -> jax.Array:
    r"""Mean log-likelihood of the joint pairs, ``(1/n) Σ_i log q(y_i | x_i)``.

    The training objective (maximised) of the variational conditional of CLUB.

    Args:
      log_likelihoods: ``(n, n)`` matrix of ``log q(y_j | x_i)``; ``n >= 2``.

    Returns:
      Scalar mean log-likelihood in nats.

    References:
      Cheng et al. (2020), https://arxiv.org/abs/2006.12013
    """
    return _mean_diagonal(_as_scores(log_likelihoods, "log_likelihoods"))


class MineState(NamedTuple):
    """Moving average of the partition term ``E_{p(x)p(y)}[e^f]`` used by MINE.

    Attributes:
      log_moving_average: log of the bias-corrected exponential moving average.
      count: number of updates so far (int32); 0 means no average yet.
    """

    log_moving_average: jax.Array
    count: jax.Array


def mine_init_state(dtype: Any = jnp.float32) -> MineState:
    """The empty MINE state (no batches seen), for scores of ``dtype``."""
    return MineState(jnp.asarray(-jnp.inf, dtype), jnp.asarray(0, jnp.int32))


def mine_update_state(state: MineState, scores: ArrayLike, *, momentum: float = 0.9) -> MineState:
    r"""Adds the batch partition term to the bias-corrected moving average.

    With ``Z_t = mean_{i != j} e^{f(x_i, y_j)}`` and ``β = momentum``, the average after
    ``t`` batches is

    .. math::
        \bar Z_t = \frac{1 - \beta}{1 - \beta^t} \sum_{s=1}^{t} \beta^{t-s} Z_s

    kept in log space (no overflow for large scores) and without gradient.

    Args:
      state: the previous :class:`MineState`.
      scores: ``(n, n)`` critic scores of the current batch.
      momentum: ``β`` in ``[0, 1)``; 0 uses only the current batch (plain DV gradient).

    Returns:
      The new :class:`MineState`.
    """
    _check_fraction(momentum, "momentum", open_right=True)
    scores = _as_scores(scores)
    return _mine_update(state, scores, momentum)


def _mine_update(state: MineState, scores: jax.Array, momentum: float) -> MineState:
    dtype = scores.dtype
    count = state.count + 1
    momentum = jnp.asarray(momentum, dtype)
    # Weight of the new batch in the bias-corrected average: (1 - β) / (1 - β^t).
    log_new_weight = jnp.log1p(-momentum) - jnp.log1p(-(momentum ** count.astype(dtype)))
    log_old_weight = jnp.log1p(-jnp.exp(log_new_weight))
    log_batch = jax.lax.stop_gradient(_log_mean_exp_off_diagonal(scores))
    log_average = jnp.logaddexp(
        log_old_weight + state.log_moving_average.astype(dtype), log_new_weight + log_batch
    )
    return MineState(log_average, count)


def _mine(scores: jax.Array, state: MineState, momentum: float) -> tuple[jax.Array, MineState]:
    new_state = _mine_update(state, scores, momentum)
    log_partition = _log_mean_exp_off_diagonal(scores)
    ratio = jnp.exp(log_partition - new_state.log_moving_average)
    # Value: the DV bound. Gradient: E_P[∇f] - ∇Z / Z̄ (Z̄ the moving average, no gradient).
    objective = (
        _mean_diagonal(scores)
        - jax.lax.stop_gradient(log_partition)
        - ratio
        + jax.lax.stop_gradient(ratio)
    )
    return objective, new_state


def mine_bound(
    scores: ArrayLike, state: MineState, *, momentum: float = 0.9
) -> tuple[jax.Array, MineState]:
    r"""MINE: the DV bound with a moving-average corrected gradient.

    The value is :func:`dv_bound`; the gradient replaces the biased batch gradient of
    ``log Z`` by ``∇Z / \bar Z`` with ``\bar Z`` the moving average of the partition term
    (:func:`mine_update_state`, which includes the current batch):

    .. math::
        \nabla \hat I = \frac{1}{n} \sum_i \nabla f(x_i, y_i)
            - \frac{1}{\bar Z_t} \frac{1}{n(n-1)} \sum_{i \neq j} \nabla e^{f(x_i, y_j)}

    Usage in a train step: ``objective, state = mine_bound(scores, state)``; maximise
    ``objective`` and carry ``state`` (start from :func:`mine_init_state`).

    Args:
      scores: ``(n, n)`` critic scores, joint pairs on the diagonal; ``n >= 2``.
      state: the :class:`MineState` before this batch.
      momentum: moving-average momentum ``β`` in ``[0, 1)``.

    Returns:
      ``(objective, new_state)``: the scalar objective in nats and the updated state.

    References:
      Belghazi et al. (2018), Mutual information neural estimation,
      https://arxiv.org/abs/1801.04062
    """
    _check_fraction(momentum, "momentum", open_right=True)
    return _mine(_as_scores(scores), state, momentum)


def _no_state(dtype: Any) -> tuple[()]:
    del dtype
    return ()


@dataclasses.dataclass(frozen=True)
class BoundSpec:
    """A bound as the fitting loop uses it.

    Attributes:
      name: registry name.
      value: ``value(scores, **options)``, the reported estimate in nats.
      objective: ``objective(scores, state, **options) -> (objective, new_state)``,
        maximised in training.
      init_state: ``init_state(dtype)``, the state before the first batch.
      kind: ``"lower"`` or ``"upper"`` bound.
      model: ``"critic"`` (scores ``f(x, y)``) or ``"conditional"`` (``log q(y|x)``).
      defaults: the options and their default values.
      description: one line.
    """

    name: str
    value: Callable[..., jax.Array]
    objective: Callable[..., tuple[jax.Array, Any]]
    init_state: Callable[[Any], Any]
    kind: str
    model: str
    defaults: Mapping[str, Any]
    description: str

    def check_options(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """``options`` over the defaults; unknown names raise ValueError."""
        unknown = set(options) - set(self.defaults)
        if unknown:
            raise ValueError(
                f"Unknown option(s) {sorted(unknown)} for bound {self.name!r}; "
                f"known: {sorted(self.defaults)}."
            )
        merged = {**self.defaults, **options}
        if "clip" in merged:
            _check_clip(merged["clip"])
        if "report" in merged:
            _check_report(merged["report"])
        if "alpha" in merged:
            _check_fraction(merged["alpha"], "alpha")
        if "momentum" in merged:
            _check_fraction(merged["momentum"], "momentum", open_right=True)
        return merged


def _stateless(objective: Callable[..., jax.Array]) -> Callable[..., tuple[jax.Array, Any]]:
    return lambda scores, state, **options: (objective(scores, **options), state)


def _zero_baseline(scores: jax.Array) -> jax.Array:
    return jnp.zeros(scores.shape[0], scores.dtype)


_BOUNDS = {
    "dv": BoundSpec(
        name="dv",
        value=_dv,
        objective=_stateless(_dv),
        init_state=_no_state,
        kind="lower",
        model="critic",
        defaults={},
        description="Donsker-Varadhan lower bound (biased batch gradient).",
    ),
    "mine": BoundSpec(
        name="mine",
        value=lambda scores, momentum: _dv(scores),
        objective=lambda scores, state, momentum: _mine(scores, state, momentum),
        init_state=mine_init_state,
        kind="lower",
        model="critic",
        defaults={"momentum": 0.9},
        description="MINE: DV value, moving-average corrected gradient (Belghazi et al. 2018).",
    ),
    "nwj": BoundSpec(
        name="nwj",
        value=_nwj,
        objective=_stateless(_nwj),
        init_state=_no_state,
        kind="lower",
        model="critic",
        defaults={},
        description="Nguyen-Wainwright-Jordan lower bound (unbiased, high variance).",
    ),
    "infonce": BoundSpec(
        name="infonce",
        value=_infonce,
        objective=_stateless(_infonce),
        init_state=_no_state,
        kind="lower",
        model="critic",
        defaults={},
        description="InfoNCE lower bound, at most log(batch size) (van den Oord et al. 2018).",
    ),
    "js": BoundSpec(
        name="js",
        value=_reported_after_js,
        objective=_stateless(lambda scores, report: _js_objective(scores)),
        init_state=_no_state,
        kind="lower",
        model="critic",
        defaults={"report": "dv"},
        description="Critic trained with Jensen-Shannon (Hjelm et al. 2019); DV (or NWJ) reported.",
    ),
    "smile": BoundSpec(
        name="smile",
        value=_smile_value,
        objective=_stateless(lambda scores, clip: _js_objective(scores)),
        init_state=_no_state,
        kind="lower",
        model="critic",
        defaults={"clip": 5.0},
        description="SMILE: JS-trained critic, clipped DV value (Song & Ermon 2020).",
    ),
    "interpolated": BoundSpec(
        name="interpolated",
        value=lambda scores, alpha: _interpolated(scores, _zero_baseline(scores), alpha),
        objective=_stateless(
            lambda scores, alpha: _interpolated(scores, _zero_baseline(scores), alpha)
        ),
        init_state=_no_state,
        kind="lower",
        model="critic",
        defaults={"alpha": 0.5},
        description="Alpha-interpolated InfoNCE/NWJ bound (Poole et al. 2019), zero baseline.",
    ),
    "club": BoundSpec(
        name="club",
        value=_club,
        objective=_stateless(_mean_diagonal),
        init_state=_no_state,
        kind="upper",
        model="conditional",
        defaults={},
        description="CLUB upper bound with a Gaussian q(y|x) (Cheng et al. 2020).",
    ),
}

BOUNDS: Mapping[str, BoundSpec] = MappingProxyType(_BOUNDS)


def get_bound(name: str) -> BoundSpec:
    """The :class:`BoundSpec` called ``name``; the error lists the known names."""
    try:
        return _BOUNDS[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown bound {name!r}; known: {sorted(_BOUNDS)}.") from None
