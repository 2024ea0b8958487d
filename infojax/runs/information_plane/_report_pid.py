"""The PID part of an information-plane report: atoms against epoch, and a summary.

Every function takes the metrics columns (:func:`infojax.io.read_metrics`) already
filtered to one split and to the rows of one estimator, with the columns ``epoch``,
``seed``, ``layer``, ``pid_redundancy_bits``, ``pid_unique_bits``,
``pid_synergy_bits``, ``pid_complexity``, ``pid_total_bits`` and
``o_information_bits`` (:func:`infojax.tracking.layer_pid`). Seeds are summarised by
their mean and the 95 % Student-t interval of the mean
(:func:`infojax.stats.seed_interval`, ``method="t"``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

import numpy as np

from infojax.runs._intervals import CONFIDENCE
from infojax.runs._plots import pyplot
from infojax.runs.information_plane._report import SeedCurves
from infojax.runs.information_plane._report import seed_curves

# (column, name in figures and text, unit)
QUANTITIES = (
    ("pid_redundancy_bits", "redundancy", "bits"),
    ("pid_unique_bits", "unique", "bits"),
    ("pid_synergy_bits", "synergy", "bits"),
    ("pid_total_bits", "total", "bits"),
    ("pid_complexity", "complexity", ""),
    ("o_information_bits", "O-information", "bits"),
)
PLOTTED = ("pid_redundancy_bits", "pid_unique_bits", "pid_synergy_bits", "o_information_bits")
# The quantities whose change between the first and the last epoch is put into words.
DESCRIBED = (
    "pid_redundancy_bits",
    "pid_unique_bits",
    "pid_synergy_bits",
    "pid_complexity",
    "o_information_bits",
)
_NAMES = {column: name for column, name, _ in QUANTITIES}
_UNITS = {column: unit for column, _, unit in QUANTITIES}


def pid_curves(metrics: Mapping[str, np.ndarray]) -> SeedCurves:
    """Seed means and 95 % t intervals of the PID columns (:class:`SeedCurves`).

    Args:
      metrics: metrics columns, filtered to one split and one estimator.
    """
    return seed_curves(metrics, [column for column, _, _ in QUANTITIES])


def plot_pid(
    metrics: Mapping[str, np.ndarray], path: str | os.PathLike, *, title: str = ""
) -> None:
    """Saves redundancy, unique, synergy and O-information against epoch as a PNG.

    One panel per layer; each line is the mean over seeds, its band the 95 %
    Student-t interval of that mean (drawn where at least two seeds report); the epoch
    axis is symlog, as in the training curves.

    Args:
      metrics: metrics columns, filtered to one split and one estimator.
      title: the section's heading.
      path: the PNG file.
      title: the figure's heading (a default names the decomposition).

    Raises:
      ValueError: if ``metrics`` has no rows.
    """
    if not np.size(metrics["epoch"]):
        raise ValueError("`metrics` has no rows to plot.")
    plt = pyplot()
    curves = pid_curves(metrics)
    columns = min(curves.layers.size, 4)
    rows = math.ceil(curves.layers.size / columns)
    figure, axes = plt.subplots(
        rows, columns, figsize=(3.6 * columns, 3.0 * rows), squeeze=False, constrained_layout=True
    )
    for panel, (ax, layer) in enumerate(zip(axes.flat, curves.layers, strict=False)):
        for color, column in enumerate(PLOTTED):
            mean = curves.mean[column][:, panel]
            ax.plot(curves.epochs, mean, color=f"C{color}", label=_NAMES[column])
            ax.fill_between(
                curves.epochs,
                curves.low[column][:, panel],
                curves.high[column][:, panel],
                color=f"C{color}",
                alpha=0.2,
                linewidth=0,
            )
        ax.axhline(0.0, color="0.6", linewidth=0.6)
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_xlim(left=0)
        ax.set_xlabel("epoch")
        ax.set_ylabel("bits")
        ax.set_title(f"layer {layer}", fontsize=9)
    for ax in list(axes.flat)[curves.layers.size :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7)
    figure.suptitle(
        (title or "Partial information decomposition of the label (sx) and O-information")
        + "\nmean over seeds; bands: 95 % Student-t interval of the mean (seed_interval, 't')",
        fontsize=9,
    )
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _change(curves: SeedCurves, column: str, layer: int) -> str | None:
    """``"rose"``, ``"fell"`` or ``"no clear change"`` from the first to the last epoch."""
    first_low, first_high = curves.low[column][0, layer], curves.high[column][0, layer]
    last_low, last_high = curves.low[column][-1, layer], curves.high[column][-1, layer]
    if not np.isfinite(curves.mean[column][:, layer]).any():
        return None
    if last_low > first_high:
        return "rose"
    if last_high < first_low:
        return "fell"
    # Overlapping intervals, or no interval (fewer than two seeds): no claim.
    return "no clear change"


def pid_summary(
    metrics: Mapping[str, np.ndarray],
    *,
    title: str = "Partial information decomposition of the label (sx)",
) -> list[str]:
    """Markdown lines: a table per layer of the PID quantities, and what changed.

    For each layer a table of every quantity at the first measured epoch, at its peak
    (the epoch of the largest seed mean) and at the last measured epoch, each as the
    mean over seeds with its 95 % Student-t interval; then one sentence saying which
    quantities rose and which fell between the first and the last epoch. A change is
    called a rise or a fall only when the two intervals do not overlap; otherwise (or
    with fewer than two seeds, when there is no interval) it is "no clear change".

    Args:
      metrics: metrics columns, filtered to one split and one estimator.
      title: the section's heading.

    Returns:
      The lines, without trailing newlines (``["No PID rows."]`` without rows).
    """
    if not np.size(metrics["epoch"]):
        return ["No PID rows."]
    curves = pid_curves(metrics)
    first, last = curves.epochs[0], curves.epochs[-1]
    lines = [
        f"## {title}",
        "",
        f"Mean over seeds [{CONFIDENCE:.0%} Student-t interval of the mean]; bits except "
        "the representational complexity (units of sources). A rise or fall is claimed "
        "only where the intervals at the first and the last epoch do not overlap.",
    ]
    for index, layer in enumerate(curves.layers):
        lines += [
            "",
            f"### Layer {layer}",
            "",
            f"| quantity | epoch {first} | peak | at epoch | epoch {last} |",
            "|---|---|---|---|---|",
        ]
        for column, name, unit in QUANTITIES:
            means = curves.mean[column][:, index]
            if np.isfinite(means).any():
                peak = int(np.nanargmax(means))
                peak_text, peak_epoch = curves.text(column, peak, index), curves.epochs[peak]
            else:
                peak_text, peak_epoch = "n/a", "n/a"
            label = f"{name} ({unit})" if unit else name
            lines.append(
                f"| {label} | {curves.text(column, 0, index)} | {peak_text} | "
                f"{peak_epoch} | {curves.text(column, -1, index)} |"
            )
        changes = {"rose": [], "fell": [], "no clear change": []}
        for column in DESCRIBED:
            change = _change(curves, column, index)
            if change is not None:
                text = _NAMES[column]
                if change != "no clear change":
                    text += (
                        f" ({curves.text(column, 0, index)} → "
                        f"{curves.text(column, -1, index)}"
                        + (f" {_UNITS[column]})" if _UNITS[column] else ")")
                    )
                changes[change].append(text)
        parts = [f"{', '.join(changes[word])} {word}" for word in ("rose", "fell") if changes[word]]
        if changes["no clear change"]:
            parts.append(f"no clear change in {', '.join(changes['no clear change'])}")
        lines += ["", f"Layer {layer}, epoch {first} to {last}: " + "; ".join(parts) + "."]
    return lines
