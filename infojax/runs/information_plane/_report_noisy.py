"""The noisy-network part of an information-plane report: I(X;T) beside the clustering
of every hidden layer against epoch, and whether compression and clustering coincide.

Every function takes the metrics columns (:func:`infojax.io.read_metrics`) already
filtered to one split and to the noisy estimator's rows, with the columns ``epoch``,
``seed``, ``layer``, ``input_information_bits``, ``input_information_se_bits``,
``label_information_bits``, ``label_information_se_bits`` and ``clustering``
(:func:`infojax.tracking.noisy_information_plane`). Seeds are summarised by their mean
and the 95 % Student-t interval of the mean (:func:`infojax.stats.seed_interval`,
``method="t"``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np

from infojax.runs._intervals import CONFIDENCE
from infojax.runs._plots import pyplot
from infojax.runs.information_plane._report import SeedCurves
from infojax.runs.information_plane._report import seed_curves

INFORMATION = "input_information_bits"
CLUSTERING = "clustering"
# Correlations need this many seed-mean points from the peak of I(X;T) on.
MIN_CORRELATION_EPOCHS = 3


def noisy_curves(metrics: Mapping[str, np.ndarray]) -> SeedCurves:
    """Seed means and 95 % t intervals of I(X;T) and clustering (:class:`SeedCurves`).

    Args:
      metrics: metrics columns, filtered to one split and the noisy estimator.
    """
    return seed_curves(metrics, (INFORMATION, CLUSTERING))


def plot_noisy(
    metrics: Mapping[str, np.ndarray], path: str | os.PathLike, *, title: str = ""
) -> None:
    """Saves I(X;T) and the clustering of every hidden layer against epoch as a PNG.

    Two panels side by side, one line per layer in each: I(X;T) in bits (left) and
    the clustering (right, the mean same-class overlap at the noise scale of
    :func:`infojax.tracking.noisy_information_plane`). Each line is the mean over
    seeds, its band the 95 % Student-t interval of that mean (drawn where at least two
    seeds report); the epoch axis is symlog, as in the training curves.

    Args:
      metrics: metrics columns, filtered to one split and the noisy estimator.
      path: the PNG file.
      title: the figure's heading.

    Raises:
      ValueError: if ``metrics`` has no rows.
    """
    if not np.size(metrics["epoch"]):
        raise ValueError("`metrics` has no rows to plot.")
    plt = pyplot()
    curves = noisy_curves(metrics)
    figure, axes = plt.subplots(1, 2, figsize=(9.0, 3.6), constrained_layout=True)
    panels = (
        (INFORMATION, "I(X;T) (bits)"),
        (CLUSTERING, "clustering: same-class overlap"),
    )
    for ax, (column, label) in zip(axes, panels, strict=True):
        for index, layer in enumerate(curves.layers):
            if not np.isfinite(curves.mean[INFORMATION][:, index]).any():
                continue  # the noiseless output layer: no noisy measurement
            color = f"C{index % 10}"
            ax.plot(
                curves.epochs, curves.mean[column][:, index], color=color, label=f"layer {layer}"
            )
            ax.fill_between(
                curves.epochs,
                curves.low[column][:, index],
                curves.high[column][:, index],
                color=color,
                alpha=0.2,
                linewidth=0,
            )
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_xlim(left=0)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
    # From 0 up to the data (a fixed [0, 1] flattens the small overlaps of a run).
    axes[1].set_ylim(bottom=0)
    axes[0].legend(fontsize=7)
    figure.suptitle(
        (title or "Noisy network: compression and clustering")
        + f"\nmean over seeds; bands: {CONFIDENCE:.0%} t interval over seeds",
        fontsize=9,
    )
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _correlations(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Pearson and Spearman correlation of two curves (NaN if too short or constant)."""
    finite = np.isfinite(a) & np.isfinite(b)
    a, b = a[finite], b[finite]
    if a.size < MIN_CORRELATION_EPOCHS:
        return np.nan, np.nan
    from scipy.stats import rankdata

    def pearson(u, v):
        u, v = u - u.mean(), v - v.mean()
        scale = np.sqrt(np.sum(u * u) * np.sum(v * v))
        return float(np.sum(u * v) / scale) if scale > 0 else np.nan

    return pearson(a, b), pearson(rankdata(a), rankdata(b))


def noisy_summary(
    metrics: Mapping[str, np.ndarray], *, title: str = "Noisy network: compression and clustering"
) -> list[str]:
    """Markdown lines: per layer, compression after the peak of I(X;T) and clustering.

    A table with one row per layer: the epoch of the peak of the seed-mean I(X;T), its
    value there and at the last epoch (seed mean with its 95 % t interval), the fall
    (peak minus last), the clustering at the same two epochs, and the Pearson and
    Spearman correlations between the seed-mean I(X;T) and clustering curves over the
    epochs from the peak on. Then the verdicts, one sentence each:

    * compression: the interval of I(X;T) at the last epoch lies below that at the
      peak;
    * compression and clustering coincide: compression, the clustering interval at
      the last epoch lies above that at the peak, and the Spearman correlation after
      the peak is negative (clustering rose as I(X;T) fell);
    * otherwise, with compression, they do not coincide; without it there is "no
      compression"; with fewer than two seeds (no intervals) or fewer than
      ``MIN_CORRELATION_EPOCHS`` epochs from the peak on, no claim is made.

    A layer without a finite I(X;T) (the noiseless output layer, whose rows are NaN)
    is left out of the table and the verdicts.

    Args:
      metrics: metrics columns, filtered to one split and the noisy estimator.
      title: the section's heading (without the ``##``).

    Returns:
      The lines, without trailing newlines (``["No noisy-network rows."]`` without
      rows).
    """
    if not np.size(metrics["epoch"]):
        return ["No noisy-network rows."]
    curves = noisy_curves(metrics)
    last = curves.epochs[-1]
    lines = [
        f"## {title}",
        "",
        f"Mean over seeds [{CONFIDENCE:.0%} t interval over seeds]. I(X;T) in bits; the "
        "clustering is the mean overlap of the noisy layer's laws for pairs of inputs of "
        "the same class (0: all distinguishable, 1: all merged). Correlations are over "
        "the seed-mean curves from the peak of I(X;T) to the last epoch.",
        "",
        f"| layer | peak epoch | I(X;T) at peak | I(X;T) at epoch {last} | fall (bits) | "
        f"clustering at peak | clustering at epoch {last} | correlation after the peak |",
        "|---|---|---|---|---|---|---|---|",
    ]
    verdicts = {"coincide": [], "differ": [], "none": [], "no claim": []}
    for index, layer in enumerate(curves.layers):
        information = curves.mean[INFORMATION][:, index]
        if not np.isfinite(information).any():
            # No noisy measurement here (the noiseless output layer): nothing to say.
            continue
        peak = int(np.nanargmax(information))
        fall = information[peak] - information[-1]
        pearson, spearman = _correlations(information[peak:], curves.mean[CLUSTERING][peak:, index])
        span = len(curves.epochs) - peak
        correlation = (
            f"Pearson {pearson:.2f}, Spearman {spearman:.2f} ({span} epochs)"
            if np.isfinite(spearman)
            else f"n/a ({span} epochs)"
        )
        lines.append(
            f"| {layer} | {curves.epochs[peak]} | {curves.text(INFORMATION, peak, index)} "
            f"| {curves.text(INFORMATION, -1, index)} | {fall:.3f} "
            f"| {curves.text(CLUSTERING, peak, index)} "
            f"| {curves.text(CLUSTERING, -1, index)} | {correlation} |"
        )
        verdicts[_verdict(curves, index, peak, spearman)].append(str(layer))
    lines.append("")
    sentences = {
        "coincide": "Compression and clustering coincide in {}: I(X;T) fell after "
        "its peak while the clustering rose.",
        "differ": "Compression and clustering do not coincide in {}: I(X;T) fell "
        "after its peak, but the clustering did not rise with it.",
        "none": "No compression in {}: I(X;T) at the last epoch is within the "
        "interval at its peak.",
        "no claim": "No claim for {}: fewer than two seeds (no interval), fewer than "
        f"{MIN_CORRELATION_EPOCHS} epochs from the peak on, or constant curves (no "
        "correlation).",
    }
    for verdict, layers in verdicts.items():
        if layers:
            lines.append(sentences[verdict].format(_layers(layers)))
    return lines


def _layers(layers: list[str]) -> str:
    """``"layer 5"`` or ``"layers 2, 3, 4"``."""
    return ("layer " if len(layers) == 1 else "layers ") + ", ".join(layers)


def _verdict(curves: SeedCurves, layer: int, peak: int, spearman: float) -> str:
    def interval(column, epoch):
        return curves.low[column][epoch, layer], curves.high[column][epoch, layer]

    bounds = (*interval(INFORMATION, peak), *interval(INFORMATION, -1))
    bounds += (*interval(CLUSTERING, peak), *interval(CLUSTERING, -1))
    if not np.isfinite(bounds).all() or not np.isfinite(spearman):
        return "no claim"
    peak_low, _, _, last_high = bounds[:4]
    if not last_high < peak_low:
        return "none"
    _, clustering_peak_high, clustering_last_low, _ = bounds[4:]
    if clustering_last_low > clustering_peak_high and spearman < 0:
        return "coincide"
    return "differ"
