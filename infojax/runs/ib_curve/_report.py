"""Plots and the markdown summary of an information-bottleneck sweep over beta, from its
metrics file.

Each row of ``metrics.csv`` is one (epoch, beta_index, beta, seed, split): the loss,
its distortion and rate (nats), the accuracy, and for ``I(X;Z)`` and ``I(Z;Y)`` (bits)
a Monte Carlo estimate with its standard error and a rigorous bracket around it. Rows
with ``beta_index = -1`` come from the deterministic baseline network (``beta = 0``,
no noise, NaN rate and information); they appear only as the baseline of the accuracy
plot and of the summary.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from infojax.runs._plots import pyplot

# The estimated informations, as the columns name them: f"{name}_bits" (Monte Carlo),
# f"{name}_se_bits" (its standard error), f"{name}_{lower,upper}_bits" (the bracket).
_BRACKETS = ("input_information", "label_information")


def _grouped_statistics(
    keys: np.ndarray, values: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Mean and sd (population, ``ddof=0``) of every value per distinct key.

    Returns:
      ``(unique_keys, counts, statistics)`` with ``statistics[f"{name}_mean"]`` and
      ``statistics[f"{name}_sd"]`` of shape ``(K,)``. A key with one row has sd 0.
    """
    unique, group = np.unique(keys, return_inverse=True)
    group = group.reshape(-1)
    counts = np.bincount(group, minlength=unique.size)
    statistics = {}
    for name, value in values.items():
        mean = np.bincount(group, weights=value, minlength=unique.size) / np.maximum(counts, 1)
        squares = np.bincount(group, weights=(value - mean[group]) ** 2, minlength=unique.size)
        statistics[f"{name}_mean"] = mean
        statistics[f"{name}_sd"] = np.sqrt(squares / np.maximum(counts, 1))
    return unique, counts, statistics


def _split_rows(metrics: Mapping[str, np.ndarray], split: str) -> np.ndarray:
    # An empty metrics file reads as int64 columns: compare as strings.
    return np.asarray(metrics["split"]).astype(str) == split


def ib_curve_points(
    metrics: Mapping[str, np.ndarray],
    *,
    split: str,
    epoch: int | None = None,
    label_entropy_bits: float | None = None,
) -> dict[str, np.ndarray]:
    """Points of the IB curve: per beta, means and sds over seeds at one epoch.

    Only rows with ``beta_index >= 0`` count (not the deterministic baseline). The
    ``estimate`` of an information is its Monte Carlo value, between the bracket's
    ``lower`` and ``upper`` bounds. The variational lower bound on ``I(Z;Y)`` is

    .. math:: I(Z;Y) \\ge H(Y) - \\mathbb{E}[-\\log q(y|z)] / \\ln 2 \\quad\\text{(bits)}.

    Args:
      metrics: columns of ``metrics.csv`` (:func:`infojax.io.read_metrics`).
      split: ``"train"`` or ``"test"``.
      epoch: the epoch; None for the last epoch the split has rows of. In a partial
        run the betas without rows at that epoch are left out.
      label_entropy_bits: ``H(Y)`` of the split's labels in bits; when None the
        variational bound on ``I(Z;Y)`` is left out.

    Returns:
      A dict of NumPy arrays, each of shape ``(B,)`` over the measured betas in
      increasing order: ``"beta_index"``, ``"beta"``, ``"seeds"`` (how many seeds
      reported), and ``f"{name}_mean"``, ``f"{name}_sd"`` (over seeds) for the names
      ``input_information_lower``, ``input_information_upper``,
      ``input_information_estimate``, ``input_information_se`` (the Monte Carlo
      standard error), the same four for ``label_information``,
      ``rate_bits``, ``distortion_bits``, ``variational_label_information`` (only
      with ``label_entropy_bits``) and ``accuracy``; all in bits but the accuracy.
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
    values["distortion_bits"] = column("distortion_nats") / math.log(2)
    if label_entropy_bits is not None:
        values["variational_label_information"] = label_entropy_bits - values["distortion_bits"]
    values["accuracy"] = column("accuracy")
    indices, counts, statistics = _grouped_statistics(beta_index[rows], values)
    points = {
        "epoch": np.asarray(epoch),
        "beta_index": indices,
        "beta": statistics.pop("beta_mean"),
        "seeds": counts,
    }
    del statistics["beta_sd"]
    points.update(statistics)
    return points


def _baseline_accuracy(metrics: Mapping[str, np.ndarray], *, split: str) -> dict | None:
    """Accuracy of the deterministic baseline (``beta_index = -1``) at its last epoch.

    Returns:
      ``{"epoch", "mean", "sd", "seeds"}``, or None when the split has no baseline rows.
    """
    rows = _split_rows(metrics, split) & (np.asarray(metrics["beta_index"]) == -1)
    if not rows.any():
        return None
    epochs = np.asarray(metrics["epoch"], dtype=np.int64)
    epoch = int(epochs[rows].max())
    accuracy = np.asarray(metrics["accuracy"], dtype=np.float64)[rows & (epochs == epoch)]
    return {
        "epoch": epoch,
        "mean": float(accuracy.mean()),
        "sd": float(accuracy.std()),
        "seeds": accuracy.size,
    }


def _beta_list(betas: np.ndarray) -> str:
    return ", ".join(f"{beta:.3g}" for beta in betas)


def curve_checks(
    points: Mapping[str, np.ndarray],
    *,
    data_information: float | None = None,
    rate_bounds: str = "input",
    tolerance: float = 1e-6,
) -> list[tuple[str, bool, str]]:
    """Checks the IB curve of one split against what must (or should) hold.

    Certified by the bounds (a failure means a bound or a measurement is wrong):
    ``I(Z;Y)`` lower ``<= I(X;Z)`` upper and ``<= I(X;Y)``; the variational rate is an
    upper bound on ``I(X;Z)`` (``rate_bounds="input"``: VIB, nonlinear IB) or on
    ``I(X;Z|Y) = I(X;Z) - I(Z;Y)`` (``"residual"``: CEB); ``H(Y) - distortion`` is a
    lower bound on ``I(Z;Y)``. Within the Monte Carlo error (3 standard errors): each
    estimate lies in its bracket, ``I(Z;Y) <= I(X;Z)`` and ``I(Z;Y) <= I(X;Y)``.
    Expected of trained IB solutions but not guaranteed: ``I(Z;Y)`` and the rate do
    not grow with beta (beyond twice the standard error of the difference between
    neighbouring betas, from the spread over seeds and the Monte Carlo error). All
    compare means over seeds (a mean of bounds bounds the mean).

    Args:
      points: :func:`ib_curve_points` of one split.
      data_information: ``I(X;Y)`` of the split's data in bits, when known.
      rate_bounds: what the rate bounds, ``"input"`` or ``"residual"``.
      tolerance: slack in bits for rounding; a comparison fails only beyond it.

    Returns:
      ``(statement, holds, detail)`` per check; ``detail`` names the betas where the
      check fails (empty when it holds). An empty list when ``points`` has no beta.
    """
    if rate_bounds not in ("input", "residual"):
        raise ValueError(f"`rate_bounds` must be 'input' or 'residual', got {rate_bounds!r}.")
    betas = np.asarray(points["beta"], dtype=np.float64)
    if not betas.size:
        return []

    def at_most(smaller: np.ndarray, larger: np.ndarray, slack=0.0) -> tuple[bool, str]:
        failing = np.asarray(smaller) > np.asarray(larger) + slack + tolerance
        unchecked = np.isnan(smaller) | np.isnan(larger)
        detail = f"fails at beta = {_beta_list(betas[failing])}" if failing.any() else ""
        if unchecked.any():
            note = f"NaN at beta = {_beta_list(betas[unchecked])}, not checked"
            detail = f"{detail}; {note}" if detail else note
        return not failing.any(), detail

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
    checks = [
        (
            "I(Z;Y) lower bound <= I(X;Z) upper bound at every beta (data processing, certified)",
            *at_most(label_lower, input_upper),
        ),
    ]
    if data_information is not None:
        checks.append(
            (
                f"I(Z;Y) lower bound <= I(X;Y) = {data_information:.4f} bits at every beta "
                "(data processing, certified)",
                *at_most(label_lower, np.full_like(label_lower, data_information)),
            )
        )
    if rate_bounds == "input":
        checks.append(
            (
                "variational rate >= I(X;Z) lower bound at every beta "
                "(the rate is an upper bound on I(X;Z))",
                *at_most(input_lower, rate),
            )
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
        checks.append(
            (
                "H(Y) - distortion <= I(Z;Y) upper bound at every beta "
                "(the variational bound is a lower bound on I(Z;Y))",
                *at_most(points["variational_label_information_mean"], label_upper),
            )
        )
    inside = [
        at_most(input_lower, input_estimate, input_error),
        at_most(input_estimate, input_upper, input_error),
        at_most(label_lower, label_estimate, label_error),
        at_most(label_estimate, label_upper, label_error),
    ]
    checks.append(
        (
            "Monte Carlo estimates of I(X;Z) and I(Z;Y) inside their brackets at every beta "
            "(within 3 standard errors)",
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
        checks.append(
            (
                f"I(Z;Y) <= I(X;Y) = {data_information:.4f} bits at every beta, Monte Carlo "
                "estimate (within 3 standard errors)",
                *at_most(
                    label_estimate, np.full_like(label_estimate, data_information), label_error
                ),
            )
        )
    checks += [
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
    return checks


def plot_ib_curve(
    metrics: Mapping[str, np.ndarray],
    path: str | os.PathLike,
    *,
    split: str = "test",
    title: str = "",
    data_information: float | None = None,
    label_entropy: float | None = None,
) -> None:
    """Saves the IB curve, ``I(Z;Y)`` against ``I(X;Z)`` in bits, as a PNG.

    One filled point per beta at the last epoch, at the Monte Carlo estimates (mean over
    seeds), coloured by ``log10 beta``: the thin grey lines span the brackets (means of
    the lower and upper bounds), the error bars one sd over seeds. With
    ``label_entropy``, hollow points show the variational estimates (rate,
    ``H(Y) - distortion``) for comparison. Dashed lines mark ``I(X;Y)`` and ``H(Y)``
    when given; the dotted diagonal is ``I(Z;Y) = I(X;Z)``.

    Args:
      metrics: columns of ``metrics.csv`` (:func:`infojax.io.read_metrics`).
      path: the PNG file.
      split: ``"train"`` or ``"test"``.
      title: the title; a default names the split and epoch.
      data_information: ``I(X;Y)`` of the split's data in bits, when known.
      label_entropy: ``H(Y)`` of the split's labels in bits, when known.

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
            xerr=points["input_information_estimate_sd"],
            yerr=points["label_information_estimate_sd"],
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
            label="mixture: estimate ± sd, bracket",
        )
        if "variational_label_information_mean" in points:
            variational = points["variational_label_information_mean"]
            axes.errorbar(
                points["rate_bits_mean"],
                variational,
                xerr=points["rate_bits_sd"],
                yerr=points["variational_label_information_sd"],
                fmt="none",
                ecolor="0.6",
                elinewidth=0.6,
                capsize=1.5,
                zorder=2,
            )
            axes.scatter(
                points["rate_bits_mean"],
                variational,
                facecolors="none",
                edgecolors=colors,
                s=30,
                zorder=3,
                label="variational: rate, H(Y) - distortion",
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

    Lines are means over seeds with a band of one sd; the deterministic baseline, when
    present, is a horizontal line per split with its band.

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
            mean, sd = points["accuracy_mean"], points["accuracy_sd"]
            axes.plot(
                points["beta"],
                mean,
                color=color,
                marker="o",
                markersize=3,
                label=f"{split} (epoch {int(points['epoch'])})",
            )
            axes.fill_between(points["beta"], mean - sd, mean + sd, color=color, alpha=0.2)
        baseline = _baseline_accuracy(metrics, split=split)
        if baseline is not None:
            axes.axhline(
                baseline["mean"],
                color=color,
                linestyle="--",
                linewidth=0.8,
                label=f"{split}, deterministic baseline (epoch {baseline['epoch']})",
            )
            axes.axhspan(
                baseline["mean"] - baseline["sd"],
                baseline["mean"] + baseline["sd"],
                color=color,
                alpha=0.1,
            )
    axes.set_xscale("log")
    axes.set_xlabel("beta")
    axes.set_ylabel("accuracy")
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
    epochs, coloured by epoch (log colour scale) and labelled with its beta. A chosen
    beta without rows (a partial run) is left out.

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
    axes.set_title(title or f"Information plane over training ({split})")
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
) -> None:
    """Writes a short markdown summary of a finished (or partial) sweep.

    Per split (test, then train) at its last epoch: a table with one row per beta
    (brackets, rate, variational bound, accuracy), the best accuracy and the
    deterministic baseline's, and the :func:`curve_checks` with their outcomes.

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
        points = ib_curve_points(metrics, split=split, label_entropy_bits=entropy)
        baseline = _baseline_accuracy(metrics, split=split)
        if not points["beta"].size and baseline is None:
            continue
        lines += ["", f"## {split} (epoch {int(points['epoch'])}, mean ± sd over seeds)", ""]
        if points["beta"].size:
            lines += _table(points)
            unmeasured = _unmeasured_betas(metrics, split, points)
            if unmeasured:
                lines += ["", f"- betas without rows at this epoch: {unmeasured}"]
            best = int(np.argmax(points["accuracy_mean"]))
            lines += [
                "",
                f"- best {split} accuracy: {points['accuracy_mean'][best]:.4f} ± "
                f"{points['accuracy_sd'][best]:.4f} at beta = {points['beta'][best]:.3g}",
            ]
        if baseline is not None:
            lines.append(
                f"- deterministic baseline (beta = 0, no noise), {split} accuracy at epoch "
                f"{baseline['epoch']}: {baseline['mean']:.4f} ± {baseline['sd']:.4f} "
                f"({baseline['seeds']} seeds)"
            )
        checks = curve_checks(
            points,
            data_information=_for_split(data_information, split),
            rate_bounds=rate_bounds,
        )
        if checks:
            lines += ["", "Checks:", ""]
            for statement, holds, detail in checks:
                outcome = "yes" if holds else "no"
                lines.append(f"- {statement}: {outcome}" + (f" ({detail})" if detail else ""))
    if figures:
        lines.append("")
        for caption, file_name in figures.items():
            lines.append(f"![{caption}]({file_name})")
    Path(path).write_text("\n".join(lines) + "\n")


def _table(points: Mapping[str, np.ndarray]) -> list[str]:
    """The markdown table of :func:`ib_curve_points`, one row per beta."""
    variational = "variational_label_information_mean" in points
    last = "H(Y) - distortion (bits)" if variational else "distortion (bits)"
    quantity = "variational_label_information" if variational else "distortion_bits"
    lines = [
        "| beta | seeds | I(X;Z) (bits) [bracket] | I(Z;Y) (bits) [bracket] | rate (bits) "
        f"| {last} | accuracy |",
        "|---|---|---|---|---|---|---|",
    ]

    def spread(name: str, index: int) -> str:
        return f"{points[f'{name}_mean'][index]:.3f} ± {points[f'{name}_sd'][index]:.3f}"

    def bracket(name: str, index: int) -> str:
        lower, upper = points[f"{name}_lower_mean"][index], points[f"{name}_upper_mean"][index]
        return f"{spread(name + '_estimate', index)} [{lower:.3f}, {upper:.3f}]"

    for index, beta in enumerate(points["beta"]):
        lines.append(
            f"| {beta:.3g} | {points['seeds'][index]} | {bracket('input_information', index)} "
            f"| {bracket('label_information', index)} | {spread('rate_bits', index)} "
            f"| {spread(quantity, index)} | {spread('accuracy', index)} |"
        )
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
