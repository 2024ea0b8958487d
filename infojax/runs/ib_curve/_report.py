"""Plots and the markdown summary of an information-bottleneck sweep over beta, from its
metrics file.

Each row of ``metrics.csv`` is one (epoch, beta_index, beta, seed, split): the loss,
its distortion and rate (nats), the accuracy (of the softmax averaged over draws of Z)
and the single-draw accuracy (one draw of Z per input), and for ``I(X;Z)`` and
``I(Z;Y)`` (bits) a Monte Carlo estimate with its standard error and a rigorous
bracket around it. Rows with ``beta_index = -1`` come from the deterministic baseline
network (``beta = 0``, no noise, NaN rate and information); they appear only as the
baseline of the accuracy plot and of the summary.

Every curve and table gives the mean over seeds with the 95 % Student-t interval of
that mean (:func:`infojax.stats.seed_interval`, ``method="t"``). The summary's checks
are only comparisons that can fail on the data at hand; those that hold by how the
quantities are computed are listed apart (:func:`curve_checks`), and every recorded
row is checked, not only the seed means of the last epoch (:func:`row_check`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np

from infojax.runs._intervals import INTERVAL_NOTE
from infojax.runs._intervals import format_interval
from infojax.runs._intervals import seed_intervals
from infojax.runs._plots import pyplot

# The estimated informations, as the columns name them: f"{name}_bits" (Monte Carlo),
# f"{name}_se_bits" (its standard error), f"{name}_{lower,upper}_bits" (the bracket).
_BRACKETS = ("input_information", "label_information")


# Rounding allowance relative to a compared value: 16 units in the last place of
# float32, the precision the run computes in.
_ROUNDING = 16 * float(np.finfo(np.float32).eps)


def _grouped_statistics(
    keys: np.ndarray, values: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Mean, sd and 95 % t interval of the mean of every value per distinct key.

    The rows of one key are its seeds: the interval is
    :func:`infojax.stats.seed_interval` (``method="t"``, ``confidence=0.95``).

    Returns:
      ``(unique_keys, counts, statistics)`` with ``statistics[f"{name}_mean"]``,
      ``f"{name}_sd"`` (population, ``ddof=0``), ``f"{name}_low"`` and
      ``f"{name}_high"`` (the interval's ends, NaN for a key with fewer than 2 rows),
      each of shape ``(K,)``. A key with one row has sd 0.
    """
    unique, group = np.unique(keys, return_inverse=True)
    group = group.reshape(-1)
    counts = np.bincount(group, minlength=unique.size)
    names = list(values)
    # (K, names, seeds), NaN where a key has fewer rows than the largest group.
    table = np.full((unique.size, len(names), max(int(counts.max(initial=0)), 1)), np.nan)
    rank = np.zeros(group.size, np.int64)
    for key in range(unique.size):
        rank[group == key] = np.arange(counts[key])
    for column, name in enumerate(names):
        table[group, column, rank] = values[name]
    _, low, high = seed_intervals(table, axis=-1)
    statistics = {}
    for column, name in enumerate(names):
        value = np.asarray(values[name], dtype=np.float64)
        mean = np.bincount(group, weights=value, minlength=unique.size) / np.maximum(counts, 1)
        squares = np.bincount(group, weights=(value - mean[group]) ** 2, minlength=unique.size)
        statistics[f"{name}_mean"] = mean
        statistics[f"{name}_sd"] = np.sqrt(squares / np.maximum(counts, 1))
        statistics[f"{name}_low"] = low[:, column]
        statistics[f"{name}_high"] = high[:, column]
    return unique, counts, statistics


def _split_rows(metrics: Mapping[str, np.ndarray], split: str) -> np.ndarray:
    # An empty metrics file reads as int64 columns: compare as strings.
    return np.asarray(metrics["split"]).astype(str) == split


def fano_accuracy_bound(
    information_bits: np.ndarray | float,
    *,
    label_entropy_bits: float,
    n_classes: int,
    iterations: int = 60,
) -> np.ndarray:
    r"""The largest accuracy Fano's inequality allows a classifier of Y from Z.

    Fano: :math:`H(Y|Z) \le h(P_e) + P_e \log_2 (K - 1)` for the error probability
    :math:`P_e` of any prediction of :math:`Y` from :math:`Z` (:math:`K` classes,
    :math:`h` the binary entropy in bits), and
    :math:`H(Y|Z) = H(Y) - I(Z;Y) \ge H(Y) - I`, with :math:`I` an upper bound on
    :math:`I(Z;Y)`. The right side :math:`g(p) = h(p) + p \log_2(K-1)` increases on
    :math:`[0, 1 - 1/K]` from 0 to :math:`\log_2 K`, so

    .. math:: P_e \ge p^* = \min\{p \in [0, 1 - 1/K] : g(p) \ge H(Y) - I\},
        \qquad \text{accuracy} \le 1 - p^*,

    with :math:`p^* = 0` (bound 1) when :math:`I \ge H(Y)` and :math:`1 - 1/K` when
    :math:`H(Y) - I \ge \log_2 K`. :math:`p^*` is found by bisection (``iterations``
    halvings; the end kept is the one with :math:`g \ge H(Y) - I`, so rounding only
    lowers the bound, by at most :math:`2^{-\text{iterations}}`).

    Args:
      information_bits: upper bounds on :math:`I(Z;Y)` in bits, any shape; NaN gives
        NaN.
      label_entropy_bits: :math:`H(Y)` in bits.
      n_classes: :math:`K \ge 2`.
      iterations: bisection steps.

    Returns:
      The bound on the accuracy, float64 of the shape of ``information_bits``.

    References:
      Cover & Thomas (2006), Elements of Information Theory, 2nd ed., section 2.10
      (Fano's inequality), https://doi.org/10.1002/047174882X
    """
    if n_classes < 2:
        raise ValueError(f"`n_classes` must be >= 2, got {n_classes}.")
    information = np.asarray(information_bits, dtype=np.float64)
    target = label_entropy_bits - information

    def g(p):
        inside = (p > 0) & (p < 1)
        safe = np.where(inside, p, 0.5)
        binary = np.where(inside, -safe * np.log2(safe) - (1 - safe) * np.log2(1 - safe), 0.0)
        return binary + p * math.log2(n_classes - 1)

    low = np.zeros_like(target)
    high = np.full_like(target, 1 - 1 / n_classes)
    for _ in range(iterations):
        middle = (low + high) / 2
        enough = g(middle) >= target
        high = np.where(enough, middle, high)
        low = np.where(enough, low, middle)
    error = np.where(target <= 0, 0.0, high)
    return np.where(np.isnan(information), np.nan, 1 - error)


def ib_curve_points(
    metrics: Mapping[str, np.ndarray],
    *,
    split: str,
    epoch: int | None = None,
    label_entropy_bits: float | None = None,
    n_classes: int | None = None,
) -> dict[str, np.ndarray]:
    r"""Points of the IB curve: per beta, means over seeds and their intervals at one epoch.

    Only rows with ``beta_index >= 0`` count (not the deterministic baseline). The
    ``estimate`` of an information is its Monte Carlo value, between the bracket's
    ``lower`` and ``upper`` bounds. The variational lower bound on ``I(Z;Y)`` is

    .. math:: I(Z;Y) \ge H(Y) - \mathbb{E}[-\log q(y|z)] / \ln 2 \quad\text{(bits)}.

    Args:
      metrics: columns of ``metrics.csv`` (:func:`infojax.io.read_metrics`).
      split: ``"train"`` or ``"test"``.
      epoch: the epoch; None for the last epoch the split has rows of. In a partial
        run the betas without rows at that epoch are left out.
      label_entropy_bits: ``H(Y)`` of the split's labels in bits; when None the
        variational bound on ``I(Z;Y)`` and the Fano bound are left out.
      n_classes: the number of classes; with ``label_entropy_bits``, each row's
        :func:`fano_accuracy_bound` from its upper bound on ``I(Z;Y)`` is averaged
        too (``fano_accuracy``).

    Returns:
      A dict of NumPy arrays, each of shape ``(B,)`` over the measured betas in
      increasing order: ``"beta_index"``, ``"beta"``, ``"seeds"`` (how many seeds
      reported), and ``f"{name}_mean"``, ``f"{name}_sd"`` (over seeds, ``ddof=0``),
      ``f"{name}_low"``, ``f"{name}_high"`` (the 95 % t interval of the mean over
      seeds, NaN with one seed) for the names ``input_information_lower``,
      ``input_information_upper``, ``input_information_estimate``,
      ``input_information_se`` (the Monte Carlo standard error), the same four for
      ``label_information``, ``rate_bits``, ``rate_plus_label_upper_bits`` (the rate
      plus the upper bound on ``I(Z;Y)``: for CEB, whose rate bounds ``I(X;Z|Y)``, a
      bound on ``I(X;Z)``), ``distortion_bits``, ``variational_label_information``
      (only with ``label_entropy_bits``), ``accuracy`` (of the softmax averaged over
      draws of Z), ``accuracy_single_draw`` and ``fano_accuracy`` (only with
      ``label_entropy_bits`` and ``n_classes``); all in bits but the accuracies.
      Also ``"epoch"``, a 0-d array (-1 when the split has no rows).
    """
    beta_index = np.asarray(metrics["beta_index"], dtype=np.int64)
    epochs = np.asarray(metrics["epoch"], dtype=np.int64)
    split_rows = _split_rows(metrics, split) & (beta_index >= 0)
    if epoch is None:
        epoch = int(epochs[split_rows].max()) if split_rows.any() else -1
    rows = split_rows & (epochs == epoch)

    def column(name: str) -> np.ndarray:
        return np.asarray(metrics[name], dtype=np.float64)[rows]

    values = {"beta": column("beta")}
    for bracket in _BRACKETS:
        lower, upper = column(f"{bracket}_lower_bits"), column(f"{bracket}_upper_bits")
        values[f"{bracket}_lower"] = lower
        values[f"{bracket}_upper"] = upper
        values[f"{bracket}_estimate"] = column(f"{bracket}_bits")
        values[f"{bracket}_se"] = column(f"{bracket}_se_bits")
    values["rate_bits"] = column("rate_nats") / math.log(2)
    values["rate_plus_label_upper_bits"] = values["rate_bits"] + values["label_information_upper"]
    values["distortion_bits"] = column("distortion_nats") / math.log(2)
    if label_entropy_bits is not None:
        values["variational_label_information"] = label_entropy_bits - values["distortion_bits"]
    values["accuracy"] = column("accuracy")
    values["accuracy_single_draw"] = column("accuracy_single_draw")
    if label_entropy_bits is not None and n_classes is not None:
        values["fano_accuracy"] = fano_accuracy_bound(
            values["label_information_upper"],
            label_entropy_bits=label_entropy_bits,
            n_classes=n_classes,
        )
    indices, counts, statistics = _grouped_statistics(beta_index[rows], values)
    points = {
        "epoch": np.asarray(epoch),
        "beta_index": indices,
        "beta": statistics.pop("beta_mean"),
        "seeds": counts,
    }
    for suffix in ("sd", "low", "high"):
        del statistics[f"beta_{suffix}"]
    points.update(statistics)
    return points


def _baseline_accuracy(metrics: Mapping[str, np.ndarray], *, split: str) -> dict | None:
    """Accuracy of the deterministic baseline (``beta_index = -1``) at its last epoch.

    Returns:
      ``{"epoch", "mean", "sd", "low", "high", "seeds"}`` (``low``, ``high``: the 95 %
      t interval over seeds, NaN with one seed), or None when the split has no
      baseline rows.
    """
    rows = _split_rows(metrics, split) & (np.asarray(metrics["beta_index"]) == -1)
    if not rows.any():
        return None
    epochs = np.asarray(metrics["epoch"], dtype=np.int64)
    epoch = int(epochs[rows].max())
    accuracy = np.asarray(metrics["accuracy"], dtype=np.float64)[rows & (epochs == epoch)]
    _, low, high = seed_intervals(accuracy, axis=0)
    return {
        "epoch": epoch,
        "mean": float(accuracy.mean()),
        "sd": float(accuracy.std()),
        "low": float(low),
        "high": float(high),
        "seeds": accuracy.size,
    }


def _beta_list(betas: np.ndarray) -> str:
    return ", ".join(f"{beta:.3g}" for beta in betas)


class CurveChecks(NamedTuple):
    """What :func:`curve_checks` finds on one split.

    Attributes:
      checks: ``(statement, holds, detail)`` of every check that can fail on the data
        at hand; ``detail`` names the betas where it fails (empty when it holds).
      by_construction: ``(statement, reason)`` of comparisons that hold by how the
        quantities are computed (not tests), each with why.
      informational: ``(statement, outcome)`` of comparisons no theorem makes hold
        (shown, not tested).
    """

    checks: list[tuple[str, bool, str]]
    by_construction: list[tuple[str, str]]
    informational: list[tuple[str, str]]


def curve_checks(
    points: Mapping[str, np.ndarray],
    *,
    data_information: float | None = None,
    label_entropy: float | None = None,
    rate_bounds: str = "input",
    tolerance: float = 1e-6,
) -> CurveChecks:
    """Checks the IB curve of one split against what must (or should) hold.

    Only comparisons that can fail on the data at hand count as checks; those that
    hold by construction are listed apart, with the reason:

    * ``I(Z;Y)`` lower ``<= I(X;Z)`` upper always (the mixture bounds clip the
      bracket of ``I(Z;Y)`` to the upper bound on ``I(X;Z)`` and to ``H(Y)``);
    * ``I(Z;Y)`` lower ``<= I(X;Y)`` and the Monte Carlo ``I(Z;Y) <= I(X;Y)`` where
      ``I(X;Y) = H(Y)`` (labels a function of the inputs: the upper bound is clipped
      to ``H(Y)``, and the estimate is ``H(Y)`` minus a cross-entropy); a check where
      ``I(X;Y) < H(Y)``;
    * ``H(Y) - distortion <= I(Z;Y)`` upper at the betas where the upper bound is
      ``H(Y)`` (it then says distortion ``>= 0``); a check at the others;
    * the rate ``>= I(X;Z)`` lower at the betas where the rate is the upper bound on
      ``I(X;Z)`` itself (nonlinear IB): the two ends of one bracket.

    Certified by the bounds (a failure means a bound or a measurement is wrong): the
    variational rate is an upper bound on ``I(X;Z)`` (``rate_bounds="input"``: VIB,
    nonlinear IB) or on ``I(X;Z|Y) = I(X;Z) - I(Z;Y)`` (``"residual"``: CEB);
    ``H(Y) - distortion`` is a lower bound on ``I(Z;Y)``; with ``fano_accuracy`` in
    ``points``, the single-draw accuracy is at most Fano's bound (the 95 % t interval
    of its mean over seeds must reach down to the mean of the rows' Fano bounds; the
    bound is concave in ``I(Z;Y)``, so the mean of the bounds bounds the mean
    accuracy; with one seed there is no interval and the check is not made). Within
    the Monte Carlo error (3 standard errors): each estimate lies in its bracket,
    ``I(Z;Y) <= I(X;Z)``. Expected of trained IB solutions but not guaranteed:
    ``I(X;Z)``, ``I(Z;Y)`` and the rate do not grow with beta (beyond twice the
    standard error of the difference between neighbouring betas, from the spread
    over seeds and the Monte Carlo error). All compare means over seeds (a mean of
    bounds bounds the mean). Shown for information, not a check: the accuracy of the
    softmax averaged over draws of Z against the single-draw Fano bound (averaging
    draws is another channel, which Fano's bound on one draw does not cover).

    Args:
      points: :func:`ib_curve_points` of one split.
      data_information: ``I(X;Y)`` of the split's data in bits, when known.
      label_entropy: ``H(Y)`` of the split's labels in bits, when known.
      rate_bounds: what the rate bounds, ``"input"`` or ``"residual"``.
      tolerance: slack in bits for rounding; a comparison fails only beyond it (and
        beyond 16 float32 rounding units of the larger side, the precision the
        metrics were computed in).

    Returns:
      A :class:`CurveChecks`; its lists are empty when ``points`` has no beta.
    """
    if rate_bounds not in ("input", "residual"):
        raise ValueError(f"`rate_bounds` must be 'input' or 'residual', got {rate_bounds!r}.")
    result = CurveChecks([], [], [])
    betas = np.asarray(points["beta"], dtype=np.float64)
    if not betas.size:
        return result
    checks, by_construction = result.checks, result.by_construction

    def at_most(smaller, larger, slack=0.0, where=None) -> tuple[bool, str]:
        smaller, larger = np.broadcast_arrays(np.asarray(smaller), np.asarray(larger))
        where = np.ones(betas.shape, bool) if where is None else where
        failing = where & (smaller > larger + slack + tolerance + _ROUNDING * np.abs(larger))
        unchecked = where & (np.isnan(smaller) | np.isnan(larger))
        detail = f"fails at beta = {_beta_list(betas[failing])}" if failing.any() else ""
        if unchecked.any():
            note = f"NaN at beta = {_beta_list(betas[unchecked])}, not checked"
            detail = f"{detail}; {note}" if detail else note
        return not failing.any(), detail

    def split_by(statement: str, compare, construction: np.ndarray, reason: str) -> None:
        # A check at the betas where it can fail, a note at those where it cannot.
        if construction.all():
            by_construction.append((statement, reason))
            return
        if construction.any():
            by_construction.append(
                (f"{statement} at beta = {_beta_list(betas[construction])}", reason)
            )
            statement = f"{statement} at beta = {_beta_list(betas[~construction])}"
        checks.append((statement, *compare(~construction)))

    seeds = np.maximum(np.asarray(points["seeds"], dtype=np.float64), 1)

    def non_increasing(name: str, monte_carlo: str | None = None) -> tuple[bool, str]:
        # Growth counts when it exceeds twice the standard error of the difference of
        # two means over seeds (and of the Monte Carlo error): noise is not a trend.
        values = points[f"{name}_mean"]
        variance = np.square(points[f"{name}_sd"]) / seeds
        if monte_carlo is not None:
            variance = variance + np.square(points[f"{monte_carlo}_mean"])
        slack = 2 * np.sqrt(variance[1:] + variance[:-1])
        growing = np.flatnonzero(values[1:] > values[:-1] + slack + tolerance)
        steps = [
            f"beta {betas[i]:.3g} -> {betas[i + 1]:.3g}: {values[i]:.4f} -> {values[i + 1]:.4f}"
            for i in growing
        ]
        return not steps, ("grows at " + "; ".join(steps)) if steps else ""

    input_lower = points["input_information_lower_mean"]
    input_upper = points["input_information_upper_mean"]
    label_lower = points["label_information_lower_mean"]
    label_upper = points["label_information_upper_mean"]
    input_estimate = points["input_information_estimate_mean"]
    label_estimate = points["label_information_estimate_mean"]
    input_error = 3 * points["input_information_se_mean"]
    label_error = 3 * points["label_information_se_mean"]
    rate = points["rate_bits_mean"]
    everywhere = np.ones(betas.shape, bool)
    nowhere = ~everywhere
    by_construction.append(
        (
            "I(Z;Y) lower bound <= I(X;Z) upper bound",
            "the mixture bounds clip the bracket of I(Z;Y) to the upper bound on I(X;Z)",
        )
    )
    # Labels a function of the inputs (both 12-bit tasks): I(X;Y) = H(Y), and both
    # the bracket and the estimate of I(Z;Y) are at most H(Y) as computed.
    labels_determined = (
        data_information is not None
        and label_entropy is not None
        and abs(data_information - label_entropy) <= tolerance
    )
    if data_information is not None:
        split_by(
            f"I(Z;Y) lower bound <= I(X;Y) = {data_information:.4f} bits (data processing, "
            "certified)",
            lambda where: at_most(label_lower, data_information, where=where),
            everywhere if labels_determined else nowhere,
            "I(X;Y) = H(Y) here, and the bracket of I(Z;Y) is clipped to H(Y)",
        )
    if rate_bounds == "input":
        # Nonlinear IB's rate is the upper mixture bound itself.
        rate_is_upper = np.isclose(rate, input_upper, rtol=1e-5, atol=1e-6)
        split_by(
            "variational rate >= I(X;Z) lower bound (the rate is an upper bound on I(X;Z))",
            lambda where: at_most(input_lower, rate, where=where),
            rate_is_upper,
            "the rate is the upper bound of the same bracket on I(X;Z)",
        )
    else:
        checks.append(
            (
                "variational rate + I(Z;Y) upper bound >= I(X;Z) lower bound at every beta "
                "(the rate is an upper bound on I(X;Z|Y) = I(X;Z) - I(Z;Y))",
                *at_most(input_lower, rate + label_upper),
            )
        )
    if "variational_label_information_mean" in points:
        clipped_to_entropy = (
            np.isclose(label_upper, label_entropy, rtol=0, atol=1e-5)
            if label_entropy is not None
            else nowhere
        )
        split_by(
            "H(Y) - distortion <= I(Z;Y) upper bound (the variational bound is a lower "
            "bound on I(Z;Y))",
            lambda where: at_most(
                points["variational_label_information_mean"], label_upper, where=where
            ),
            clipped_to_entropy,
            "the upper bound on I(Z;Y) is H(Y) there: it says distortion >= 0",
        )
    inside = [
        at_most(input_lower, input_estimate, input_error),
        at_most(input_estimate, input_upper, input_error),
        at_most(label_lower, label_estimate, label_error),
        at_most(label_estimate, label_upper, label_error),
    ]
    checks.append(
        (
            "Monte Carlo estimates of I(X;Z) and I(Z;Y) inside their brackets at every beta, "
            "seed means (within 3 standard errors)",
            all(holds for holds, _ in inside),
            "; ".join(detail for _, detail in inside if detail),
        )
    )
    checks.append(
        (
            "I(Z;Y) <= I(X;Z) at every beta, Monte Carlo estimates (within 3 standard errors)",
            *at_most(label_estimate, input_estimate, label_error + input_error),
        )
    )
    if data_information is not None:
        split_by(
            f"I(Z;Y) <= I(X;Y) = {data_information:.4f} bits, Monte Carlo estimate "
            "(within 3 standard errors)",
            lambda where: at_most(label_estimate, data_information, label_error, where=where),
            everywhere if labels_determined else nowhere,
            "I(X;Y) = H(Y) here, and the estimate is H(Y) minus a cross-entropy",
        )
    if "fano_accuracy_mean" in points:
        fano = points["fano_accuracy_mean"]
        holds, detail = at_most(points["accuracy_single_draw_low"], fano)
        checks.append(
            (
                "single-draw accuracy <= Fano's bound from the upper bound on I(Z;Y) at every "
                f"beta (certified; the {INTERVAL_NOTE} of the accuracy reaches down to the "
                "bound)",
                holds,
                detail.replace("NaN at", "fewer than 2 seeds at"),
            )
        )
        above = points["accuracy_mean"] > fano + tolerance
        result.informational.append(
            (
                "accuracy of the softmax averaged over draws of Z (mean over seeds) against "
                "the single-draw Fano bound (another channel: not bound by it)",
                f"above it at beta = {_beta_list(betas[above])}" if above.any() else "below it",
            )
        )
    checks += [
        (
            "I(X;Z) does not grow as beta grows, Monte Carlo estimate, beyond noise "
            "(expected of trained IB solutions, not guaranteed)",
            *non_increasing("input_information_estimate", "input_information_se"),
        ),
        (
            "I(Z;Y) does not grow as beta grows, Monte Carlo estimate, beyond noise "
            "(expected of trained IB solutions, not guaranteed)",
            *non_increasing("label_information_estimate", "label_information_se"),
        ),
        (
            "variational rate does not grow as beta grows, beyond noise "
            "(expected of trained IB solutions, not guaranteed)",
            *non_increasing("rate_bits"),
        ),
    ]
    return result


def row_check(
    metrics: Mapping[str, np.ndarray],
    *,
    split: str,
    standard_errors: float = 3.0,
    tolerance: float = 1e-6,
) -> tuple[str, bool, str]:
    """Every recorded row's Monte Carlo estimates inside their brackets.

    Each row of ``split`` (every epoch, beta and seed; not the baseline) holds two
    estimates, of ``I(X;Z)`` and of ``I(Z;Y)``: each must lie in its row's
    ``[lower, upper]`` within ``standard_errors`` of its own standard error (and
    ``tolerance`` bits and 16 float32 rounding units of the bound, the precision the
    metrics were computed in). A bracket is rigorous and the estimate unbiased, so an
    estimate lies more than 3 standard errors beyond a bound by chance at most about
    once in 740 (a normal tail, where the true value sits at the bound): among the
    thousands of estimates of a long run, one such row is possible, many are not.

    Args:
      metrics: columns of ``metrics.csv`` (:func:`infojax.io.read_metrics`).
      split: ``"train"`` or ``"test"``.
      standard_errors: the allowance, in standard errors of each estimate.
      tolerance: slack in bits for rounding.

    Returns:
      ``(statement, holds, detail)``: ``detail`` gives the rows checked, those with an
      estimate outside, and the worst estimate (epoch, beta, seed, split, estimate,
      the nearer bound, by how many standard errors it lies outside, or inside).
    """
    beta_index = np.asarray(metrics["beta_index"], dtype=np.int64)
    rows = _split_rows(metrics, split) & (beta_index >= 0)
    statement = (
        f"every row ({split}: each epoch, beta and seed): Monte Carlo estimates of I(X;Z) and "
        f"I(Z;Y) inside their brackets within {standard_errors:g} standard errors"
    )
    if not rows.any():
        return statement, True, "no rows"
    worst = None
    outside = np.zeros(int(rows.sum()), bool)
    unchecked = np.zeros_like(outside)
    for bracket, name in (("input_information", "I(X;Z)"), ("label_information", "I(Z;Y)")):
        estimate, error, lower, upper = (
            np.asarray(metrics[f"{bracket}{suffix}"], dtype=np.float64)[rows]
            for suffix in ("_bits", "_se_bits", "_lower_bits", "_upper_bits")
        )
        above, below = estimate - upper, lower - estimate
        bound = np.where(above >= below, upper, lower)
        # float32 rounding: an estimate at a clipped bound (log2 n) lies a few units
        # of the last place beyond it.
        beyond = np.maximum(above, below) - _ROUNDING * np.abs(bound)
        with np.errstate(divide="ignore", invalid="ignore"):
            excess = np.where(beyond > tolerance, (beyond - tolerance) / error, beyond / error)
        excess = np.where((error == 0) & (beyond <= tolerance), -np.inf, excess)
        missing = np.isnan(excess)
        unchecked |= missing
        outside |= ~missing & (excess > standard_errors)
        if (~missing).any():
            index = int(np.nanargmax(np.where(missing, -np.inf, excess)))
            if worst is None or excess[index] > worst[0]:
                side = "upper" if above[index] >= below[index] else "lower"
                worst = (excess[index], index, name, estimate[index], side, bound[index])
    detail = f"{outside.size} rows ({2 * outside.size} estimates) checked, {outside.sum()} outside"
    if worst is not None and worst[0] > -np.inf:
        excess, index, name, estimate, side, bound = worst
        columns = {key: np.asarray(metrics[key])[rows][index] for key in ("epoch", "beta", "seed")}
        detail += (
            f"; worst: epoch {int(columns['epoch'])}, beta {float(columns['beta']):.3g}, seed "
            f"{int(columns['seed'])}, {split}: {name} estimate {estimate:.4f}, {side} bound "
            f"{bound:.4f}, "
            + (
                f"{excess:.1f} standard errors outside"
                if excess > 0
                else f"inside by {-excess:.1f} standard errors"
            )
        )
    if unchecked.any():
        detail += f"; {unchecked.sum()} rows with NaN, not checked"
    return statement, not outside.any(), detail


def _bars(points: Mapping[str, np.ndarray], name: str, center=None) -> np.ndarray:
    """Error bars ``(2, B)`` from the points' mean (or ``center``) to the ends of the 95 %
    t interval of ``name``; none (0) where there is no interval."""
    center = points[f"{name}_mean"] if center is None else center
    bars = np.stack([center - points[f"{name}_low"], points[f"{name}_high"] - center])
    # float32 rounding of the interval can put an end a hair past the mean.
    return np.clip(np.nan_to_num(bars, nan=0.0), 0.0, None)


def variational_points(
    points: Mapping[str, np.ndarray], *, rate_bounds: str = "input"
) -> dict[str, object]:
    """Where the IB-curve figure puts the variational bounds of each beta.

    ``x`` is a bound on ``I(X;Z)``: the rate for ``rate_bounds="input"`` (VIB,
    nonlinear IB); for ``"residual"`` (CEB, whose rate bounds ``I(X;Z|Y)``) the rate
    plus the upper bound on ``I(Z;Y)``, since ``I(X;Z) = I(X;Z|Y) + I(Z;Y)`` (for Z
    drawn from X alone). ``y`` is ``H(Y) - distortion``, a lower bound on ``I(Z;Y)``.

    Args:
      points: :func:`ib_curve_points` with ``label_entropy_bits``.
      rate_bounds: what the rate bounds, ``"input"`` or ``"residual"``.

    Returns:
      ``{"x", "y", "x_name", "label"}``: the coordinates (seed means, ``(B,)``), the
      name in ``points`` of the x quantity (for its interval), and the legend label.
    """
    if rate_bounds not in ("input", "residual"):
        raise ValueError(f"`rate_bounds` must be 'input' or 'residual', got {rate_bounds!r}.")
    if rate_bounds == "input":
        name, label = "rate_bits", "variational: rate, H(Y) - distortion"
    else:
        name = "rate_plus_label_upper_bits"
        label = "variational: rate (bounds I(X;Z|Y)) + I(Z;Y) upper, H(Y) - distortion"
    return {
        "x": points[f"{name}_mean"],
        "y": points["variational_label_information_mean"],
        "x_name": name,
        "label": label,
    }


def plot_ib_curve(
    metrics: Mapping[str, np.ndarray],
    path: str | os.PathLike,
    *,
    split: str = "test",
    title: str = "",
    data_information: float | None = None,
    label_entropy: float | None = None,
    rate_bounds: str = "input",
) -> None:
    """Saves the IB curve, ``I(Z;Y)`` against ``I(X;Z)`` in bits, as a PNG.

    One filled point per beta at the last epoch, at the Monte Carlo estimates (mean over
    seeds), coloured by ``log10 beta``: the thin grey lines span the brackets (means of
    the lower and upper bounds), the error bars the 95 % t interval of the mean over
    seeds. With ``label_entropy``, hollow points show the variational bounds
    (:func:`variational_points`: for CEB the rate plus the upper bound on ``I(Z;Y)``,
    since its rate bounds ``I(X;Z|Y)``) for comparison, with their intervals. Dashed
    lines mark ``I(X;Y)`` and ``H(Y)`` when given; the dotted diagonal is
    ``I(Z;Y) = I(X;Z)``.

    Args:
      metrics: columns of ``metrics.csv`` (:func:`infojax.io.read_metrics`).
      path: the PNG file.
      split: ``"train"`` or ``"test"``.
      title: the title; a default names the split and epoch.
      data_information: ``I(X;Y)`` of the split's data in bits, when known.
      label_entropy: ``H(Y)`` of the split's labels in bits, when known.
      rate_bounds: what the rate bounds, ``"input"`` or ``"residual"``.

    Returns:
      None; the figure is written to ``path``.
    """
    from matplotlib.colors import Normalize

    plt = pyplot()
    points = ib_curve_points(metrics, split=split, label_entropy_bits=label_entropy)
    figure, axes = plt.subplots(figsize=(6.4, 4.8), constrained_layout=True)
    x, y = points["input_information_estimate_mean"], points["label_information_estimate_mean"]
    if points["beta"].size:
        log_beta = np.log10(points["beta"])
        # One beta alone still gets a colour bar of non-zero width.
        margin = 0.5 if log_beta.min() == log_beta.max() else 0.0
        norm = Normalize(vmin=log_beta.min() - margin, vmax=log_beta.max() + margin)
        colors = plt.get_cmap("viridis")(norm(log_beta))
        axes.hlines(
            y,
            points["input_information_lower_mean"],
            points["input_information_upper_mean"],
            color="0.6",
            linewidth=0.7,
            zorder=1,
            label="bracket (lower to upper bound)",
        )
        axes.vlines(
            x,
            points["label_information_lower_mean"],
            points["label_information_upper_mean"],
            color="0.6",
            linewidth=0.7,
            zorder=1,
        )
        axes.errorbar(
            x,
            y,
            xerr=_bars(points, "input_information_estimate"),
            yerr=_bars(points, "label_information_estimate"),
            fmt="none",
            ecolor="0.2",
            elinewidth=0.8,
            capsize=2,
            zorder=2,
        )
        markers = axes.scatter(
            x,
            y,
            c=log_beta,
            cmap="viridis",
            s=30,
            zorder=3,
            norm=norm,
            label=f"mixture: estimate [{INTERVAL_NOTE}], bracket",
        )
        if "variational_label_information_mean" in points:
            variational = variational_points(points, rate_bounds=rate_bounds)
            axes.errorbar(
                variational["x"],
                variational["y"],
                xerr=_bars(points, variational["x_name"]),
                yerr=_bars(points, "variational_label_information"),
                fmt="none",
                ecolor="0.6",
                elinewidth=0.6,
                capsize=1.5,
                zorder=2,
            )
            axes.scatter(
                variational["x"],
                variational["y"],
                facecolors="none",
                edgecolors=colors,
                s=30,
                zorder=3,
                label=variational["label"],
            )
        figure.colorbar(markers, ax=axes, label="log10 beta")
    axes.axline((0, 0), slope=1, color="0.5", linestyle=":", linewidth=0.8, label="I(Z;Y) = I(X;Z)")
    for value, name, color in ((data_information, "I(X;Y)", "C3"), (label_entropy, "H(Y)", "0.3")):
        if value is not None:
            axes.axhline(
                value,
                color=color,
                linestyle="--",
                linewidth=0.8,
                label=f"{name} = {value:.3f} bits",
            )
    axes.set_xlim(left=0)
    axes.set_ylim(bottom=0)
    axes.legend(loc="best", fontsize=8)
    axes.set_xlabel("I(X;Z) (bits)")
    axes.set_ylabel("I(Z;Y) (bits)")
    axes.set_title(title or f"IB curve ({split}, epoch {int(points['epoch'])})")
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_accuracy_vs_beta(
    metrics: Mapping[str, np.ndarray], path: str | os.PathLike, *, title: str = ""
) -> None:
    """Saves train and test accuracy against beta (log axis) at the last epoch as a PNG.

    Solid lines: the accuracy of the softmax averaged over draws of Z; dotted lines:
    the single-draw accuracy (one draw of Z per input). Each is the mean over seeds
    with a band of its 95 % t interval; the deterministic baseline, when present, is a
    horizontal line per split with its band.

    Args:
      metrics: columns of ``metrics.csv`` (:func:`infojax.io.read_metrics`).
      path: the PNG file.
      title: the title.

    Returns:
      None; the figure is written to ``path``.
    """
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 4.8), constrained_layout=True)
    for split, color in (("train", "C0"), ("test", "C1")):
        points = ib_curve_points(metrics, split=split)
        if points["beta"].size:
            for name, style, what in (
                ("accuracy", "-", "draws averaged"),
                ("accuracy_single_draw", ":", "single draw"),
            ):
                axes.plot(
                    points["beta"],
                    points[f"{name}_mean"],
                    color=color,
                    linestyle=style,
                    marker="o" if style == "-" else "x",
                    markersize=3,
                    label=f"{split}, {what} (epoch {int(points['epoch'])})",
                )
                axes.fill_between(
                    points["beta"],
                    points[f"{name}_low"],
                    points[f"{name}_high"],
                    color=color,
                    alpha=0.2 if style == "-" else 0.1,
                    linewidth=0,
                )
        baseline = _baseline_accuracy(metrics, split=split)
        if baseline is not None:
            axes.axhline(
                baseline["mean"],
                color=color,
                linestyle="--",
                linewidth=0.8,
                label=f"{split}, deterministic baseline (epoch {baseline['epoch']})",
            )
            if np.isfinite(baseline["low"]):
                axes.axhspan(baseline["low"], baseline["high"], color=color, alpha=0.1)
    axes.set_xscale("log")
    axes.set_xlabel("beta")
    axes.set_ylabel(f"accuracy (mean, band: {INTERVAL_NOTE})")
    if axes.get_legend_handles_labels()[0]:
        axes.legend(fontsize=8)
    if title:
        axes.set_title(title)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_information_plane(
    metrics: Mapping[str, np.ndarray],
    path: str | os.PathLike,
    *,
    beta_indices: tuple[int, ...] | list[int],
    split: str = "train",
    title: str = "",
) -> None:
    """Saves the information plane over training of the chosen betas as a PNG.

    Each beta is a trajectory of the Monte Carlo estimates (mean over seeds) across
    epochs, coloured by epoch (log colour scale) and labelled with its beta, with error
    bars of the 95 % t interval of both means over seeds. A chosen beta without rows
    (a partial run) is left out.

    Args:
      metrics: columns of ``metrics.csv`` (:func:`infojax.io.read_metrics`).
      path: the PNG file.
      beta_indices: the ``beta_index`` values to draw.
      split: ``"train"`` or ``"test"``.
      title: the title; a default names the split.

    Returns:
      None; the figure is written to ``path``.
    """
    from matplotlib.colors import SymLogNorm

    plt = pyplot()
    epochs = np.asarray(metrics["epoch"], dtype=np.int64)
    split_rows = _split_rows(metrics, split)
    last_epoch = int(epochs[split_rows].max()) if split_rows.any() else 0
    norm = SymLogNorm(linthresh=1.0, vmin=0, vmax=max(last_epoch, 1))
    figure, axes = plt.subplots(figsize=(6.4, 4.8), constrained_layout=True)
    points = None
    for beta_index in beta_indices:
        rows = split_rows & (np.asarray(metrics["beta_index"]) == beta_index)
        if not rows.any():
            continue
        estimates = {
            bracket: np.asarray(metrics[f"{bracket}_bits"], dtype=np.float64)[rows]
            for bracket in _BRACKETS
        }
        estimates["beta"] = np.asarray(metrics["beta"], dtype=np.float64)[rows]
        trajectory_epochs, _, means = _grouped_statistics(epochs[rows], estimates)
        x, y = means["input_information_mean"], means["label_information_mean"]
        axes.plot(x, y, color="0.75", linewidth=0.6, zorder=1)
        axes.errorbar(
            x,
            y,
            xerr=_bars(means, "input_information"),
            yerr=_bars(means, "label_information"),
            fmt="none",
            ecolor="0.6",
            elinewidth=0.5,
            zorder=1,
        )
        points = axes.scatter(x, y, c=trajectory_epochs, cmap="viridis", norm=norm, s=12, zorder=2)
        axes.annotate(
            f"beta = {means['beta_mean'][-1]:.3g}",
            (x[-1], y[-1]),
            textcoords="offset points",
            xytext=(4, 4),
            fontsize=8,
        )
    if points is not None:
        figure.colorbar(points, ax=axes, label="epoch")
    axes.set_xlabel("I(X;Z) (bits)")
    axes.set_ylabel("I(Z;Y) (bits)")
    axes.set_title(
        (title or f"Information plane over training ({split})")
        + f"\nmean over seeds; bars: {INTERVAL_NOTE}",
        fontsize=10,
    )
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _for_split(value: float | Mapping[str, float] | None, split: str) -> float | None:
    if isinstance(value, Mapping):
        return value.get(split)
    return value


def write_summary(
    path: str | os.PathLike,
    metrics: Mapping[str, np.ndarray],
    *,
    title: str,
    details: Mapping[str, object],
    figures: Mapping[str, str],
    data_information: float | Mapping[str, float] | None = None,
    label_entropy: float | Mapping[str, float] | None = None,
    rate_bounds: str = "input",
    n_classes: int | None = None,
) -> None:
    """Writes a short markdown summary of a finished (or partial) sweep.

    Per split (test, then train) at its last epoch: a table with one row per beta
    (estimates and brackets, rate, variational bound, accuracies, Fano's bound on the
    single-draw accuracy with ``label_entropy`` and ``n_classes``), each value the mean
    over seeds with its 95 % t interval ``[low, high]``; the best accuracy and the
    deterministic baseline's; the checks (:func:`curve_checks` and :func:`row_check`)
    with their outcomes, then what holds by construction and what is shown for
    information only.

    Args:
      path: the markdown file.
      metrics: columns of ``metrics.csv`` (:func:`infojax.io.read_metrics`).
      title: the heading.
      details: ``name -> value`` lines listed under the heading (seeds, epochs, time).
      figures: ``caption -> file name`` of the figures to embed.
      data_information: ``I(X;Y)`` of the data in bits, when known: one value for
        both splits or ``{split: bits}``.
      label_entropy: ``H(Y)`` of the labels in bits, when known: one value for both
        splits or ``{split: bits}``.
      rate_bounds: what the rate bounds (:func:`curve_checks`).
      n_classes: the number of classes, for Fano's bound; None leaves it out.

    Returns:
      None; the summary is written to ``path``.
    """
    lines = [f"# {title}", ""]
    lines += [f"- {name}: {value}" for name, value in details.items()]
    for value, name in ((data_information, "I(X;Y) of the data"), (label_entropy, "H(Y)")):
        if isinstance(value, Mapping):
            lines += [f"- {name} ({split}): {bits:.4f} bits" for split, bits in value.items()]
        elif value is not None:
            lines.append(f"- {name}: {value:.4f} bits")
    for split in ("test", "train"):
        entropy = _for_split(label_entropy, split)
        points = ib_curve_points(
            metrics, split=split, label_entropy_bits=entropy, n_classes=n_classes
        )
        baseline = _baseline_accuracy(metrics, split=split)
        if not points["beta"].size and baseline is None:
            continue
        lines += ["", f"## {split} (epoch {int(points['epoch'])}, mean [{INTERVAL_NOTE}])", ""]
        if points["beta"].size:
            lines += _table(points, rate_bounds=rate_bounds)
            unmeasured = _unmeasured_betas(metrics, split, points)
            if unmeasured:
                lines += ["", f"- betas without rows at this epoch: {unmeasured}"]
            best = int(np.argmax(points["accuracy_mean"]))
            lines += [
                "",
                f"- best {split} accuracy: {_interval_text(points, 'accuracy', best, 4)} at "
                f"beta = {points['beta'][best]:.3g}",
            ]
        if baseline is not None:
            lines.append(
                f"- deterministic baseline (beta = 0, no noise), {split} accuracy at epoch "
                f"{baseline['epoch']}: "
                + format_interval(baseline["mean"], baseline["low"], baseline["high"], 4)
                + f" ({baseline['seeds']} seeds)"
            )
        found = curve_checks(
            points,
            data_information=_for_split(data_information, split),
            label_entropy=entropy,
            rate_bounds=rate_bounds,
        )
        checks = [*found.checks, row_check(metrics, split=split)] if found.checks else []
        if checks:
            lines += ["", "Checks:", ""]
            for statement, holds, detail in checks:
                outcome = "yes" if holds else "no"
                lines.append(f"- {statement}: {outcome}" + (f" ({detail})" if detail else ""))
        if found.by_construction:
            lines += ["", "Holds by construction (not a test):", ""]
            lines += [f"- {statement}: {reason}" for statement, reason in found.by_construction]
        if found.informational:
            lines += ["", "For information (not a test):", ""]
            lines += [f"- {statement}: {outcome}" for statement, outcome in found.informational]
    if figures:
        lines.append("")
        for caption, file_name in figures.items():
            lines.append(f"![{caption}]({file_name})")
    Path(path).write_text("\n".join(lines) + "\n")


def _interval_text(points: Mapping[str, np.ndarray], name: str, index: int, digits=3) -> str:
    return format_interval(
        points[f"{name}_mean"][index],
        points[f"{name}_low"][index],
        points[f"{name}_high"][index],
        digits,
    )


def _table(points: Mapping[str, np.ndarray], *, rate_bounds: str = "input") -> list[str]:
    """The markdown table of :func:`ib_curve_points`, one row per beta: means over
    seeds with their 95 % t intervals, and the seed means of the brackets."""
    variational = "variational_label_information_mean" in points
    fano = "fano_accuracy_mean" in points
    rate = "rate (bits)" if rate_bounds == "input" else "rate, bounds I(X;Z|Y) (bits)"
    columns = [
        "beta",
        "seeds",
        "I(X;Z) estimate (bits)",
        "I(X;Z) bracket (bits)",
        "I(Z;Y) estimate (bits)",
        "I(Z;Y) bracket (bits)",
        rate,
        "H(Y) - distortion (bits)" if variational else "distortion (bits)",
        "accuracy (draws averaged)",
        "accuracy (single draw)",
    ] + (["Fano bound on single-draw accuracy"] if fano else [])
    quantities = [
        "input_information_estimate",
        None,
        "label_information_estimate",
        None,
        "rate_bits",
        "variational_label_information" if variational else "distortion_bits",
        "accuracy",
        "accuracy_single_draw",
    ] + (["fano_accuracy"] if fano else [])
    brackets = {1: "input_information", 3: "label_information"}
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for index, beta in enumerate(points["beta"]):
        cells = [f"{beta:.3g}", str(points["seeds"][index])]
        for position, name in enumerate(quantities):
            if name is None:
                bracket = brackets[position]
                cells.append(
                    f"{points[f'{bracket}_lower_mean'][index]:.3f} to "
                    f"{points[f'{bracket}_upper_mean'][index]:.3f}"
                )
            else:
                cells.append(_interval_text(points, name, index))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _unmeasured_betas(
    metrics: Mapping[str, np.ndarray], split: str, points: Mapping[str, np.ndarray]
) -> str:
    """The betas of ``split`` with rows at some epoch but none at the points' epoch."""
    beta_index = np.asarray(metrics["beta_index"], dtype=np.int64)
    rows = _split_rows(metrics, split) & (beta_index >= 0)
    absent = np.setdiff1d(beta_index[rows], points["beta_index"])
    betas = np.asarray(metrics["beta"], dtype=np.float64)
    return _beta_list([betas[rows & (beta_index == index)][0] for index in absent])
