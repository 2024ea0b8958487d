"""Plots and the markdown summary of an information-plane run, from its metrics file.

Every curve is the mean over seeds with a 95 % Student-t interval of that mean
(:func:`infojax.stats.seed_interval`, ``method="t"``), drawn as a band or as error
bars, and the summary's tables give the mean and that interval.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from infojax.runs._intervals import INTERVAL_NOTE
from infojax.runs._intervals import format_interval
from infojax.runs._intervals import seed_intervals
from infojax.runs._plots import pyplot

_SCORES = ("train_loss", "train_accuracy", "test_loss", "test_accuracy")


def rows_of(metrics: Mapping[str, np.ndarray], **equal: object) -> dict[str, np.ndarray]:
    """The rows of ``metrics`` whose columns equal the given values (e.g. ``split="all"``).

    A metrics file written before the ``split`` column existed has only the split
    ``"all"``: ``split="all"`` keeps all its rows.
    """
    keep = np.ones(metrics["epoch"].shape, bool)
    for name, value in equal.items():
        if name == "split" and "split" not in metrics:
            keep &= value == "all"
            continue
        keep &= metrics[name] == value
    return {name: column[keep] for name, column in metrics.items()}


def by_seed(
    metrics: Mapping[str, np.ndarray], columns: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``columns`` of one estimator's and split's rows as an array ``(E, L, S, k)``.

    Returns:
      ``(epochs, layers, values)``: sorted epochs ``(E,)``, layer numbers ``(L,)``,
      and the values by epoch, layer, seed and column (NaN where a seed has no row).
    """
    epochs = np.unique(metrics["epoch"])
    layers = np.unique(metrics["layer"])
    seeds = np.unique(metrics["seed"])
    values = np.full((epochs.size, layers.size, seeds.size, len(columns)), np.nan)
    index = (
        np.searchsorted(epochs, metrics["epoch"]),
        np.searchsorted(layers, metrics["layer"]),
        np.searchsorted(seeds, metrics["seed"]),
    )
    values[index] = np.stack([metrics[name] for name in columns], axis=-1)
    return epochs, layers, values


class SeedCurves(NamedTuple):
    """Mean over seeds and 95 % t interval of some columns, per epoch and layer.

    Attributes:
      epochs: sorted measured epochs, shape ``(E,)``.
      layers: sorted layer numbers, shape ``(L,)``.
      mean, low, high: ``column -> (E, L)`` float64 arrays; ``low`` and ``high`` are
        NaN where fewer than two seeds have a finite value.
    """

    epochs: np.ndarray
    layers: np.ndarray
    mean: dict[str, np.ndarray]
    low: dict[str, np.ndarray]
    high: dict[str, np.ndarray]

    def text(self, column: str, epoch: int, layer: int) -> str:
        """``"mean [low, high]"`` of ``column`` at the ``epoch``-th and ``layer``-th
        positions (see :func:`format_interval`)."""
        at = (epoch, layer)
        return format_interval(self.mean[column][at], self.low[column][at], self.high[column][at])


def seed_curves(metrics: Mapping[str, np.ndarray], columns: Sequence[str]) -> SeedCurves:
    """Seed means and 95 % t intervals of ``columns`` (see :class:`SeedCurves`).

    Args:
      metrics: metrics columns, filtered to one split and one estimator.
      columns: the columns to summarise.

    Returns:
      :class:`SeedCurves`; a missing (epoch, layer, seed) row counts as a missing seed.
    """
    epochs, layers, values = by_seed(metrics, columns)
    mean, low, high = seed_intervals(values, axis=2)
    parts = [
        {column: part[..., i] for i, column in enumerate(columns)} for part in (mean, low, high)
    ]
    return SeedCurves(epochs, layers, *parts)


def seed_means(
    metrics: Mapping[str, np.ndarray], estimator: str, split: str = "all"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Information-plane coordinates of ``estimator`` on ``split`` averaged over seeds.

    Args:
      metrics: columns of ``metrics.csv`` (:func:`infojax.io.read_metrics`).
      estimator: the estimator label.
      split: the measured split.

    Returns:
      ``(epochs, layers, coordinates)``: sorted epochs ``(E,)``, layer numbers
      ``(L,)`` and the mean ``(I(X;T), I(T;Y))`` in bits, shape ``(E, L, 2)`` (NaN
      where no seed reported).
    """
    epochs, layers, values = by_seed(
        rows_of(metrics, estimator=estimator, split=split),
        ("input_information_bits", "label_information_bits"),
    )
    with warnings.catch_warnings():
        # A point no seed reported is NaN, as intended ("mean of empty slice").
        warnings.simplefilter("ignore", RuntimeWarning)
        return epochs, layers, np.nanmean(values, axis=2)


def training_curves(metrics: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-epoch losses and accuracies, one value per seed: ``{name: (E, seeds)}``.

    Also holds ``"epoch"`` (``(E,)``). The values repeat on every split, layer and
    estimator row of an (epoch, seed); the first row of each is used.
    """
    epochs = np.unique(metrics["epoch"])
    seeds = np.unique(metrics["seed"])
    curves = {"epoch": epochs}
    epoch_index = np.searchsorted(epochs, metrics["epoch"])
    seed_index = np.searchsorted(seeds, metrics["seed"])
    for name in _SCORES:
        values = np.full((epochs.size, seeds.size), np.nan)
        values[epoch_index, seed_index] = metrics[name]
        curves[name] = values
    return curves


def _interval_epochs(epochs: np.ndarray, count: int = 8) -> np.ndarray:
    """Indices of about ``count`` epochs spread evenly on a log scale, the last included."""
    if epochs.size <= count:
        return np.arange(epochs.size)
    targets = np.geomspace(1, epochs[-1] + 1, count) - 1
    chosen = {int(np.argmin(np.abs(epochs - target))) for target in targets}
    return np.array(sorted(chosen | {epochs.size - 1}))


def plot_information_plane(
    metrics: Mapping[str, np.ndarray],
    estimator: str,
    path: str | os.PathLike,
    *,
    split: str = "all",
    title: str = "",
    data_information: float | None = None,
) -> None:
    """Saves the information plane of ``estimator`` on ``split`` as a PNG.

    Each layer is a trajectory of the seed means, coloured by epoch (log colour
    scale), with the 95 % t interval of both coordinates as error bars at about eight
    log-spaced epochs (the last included); the dashed line is ``I(X;Y)`` of the data
    when given.
    """
    from matplotlib.colors import SymLogNorm

    plt = pyplot()
    epochs, layers, values = by_seed(
        rows_of(metrics, estimator=estimator, split=split),
        ("input_information_bits", "label_information_bits"),
    )
    mean, low, high = seed_intervals(values, axis=2)
    figure, axes = plt.subplots(figsize=(6.4, 4.8), constrained_layout=True)
    norm = SymLogNorm(linthresh=1.0, vmin=0, vmax=max(int(epochs.max()), 1))
    shown = _interval_epochs(epochs)
    for index, layer in enumerate(layers):
        path_xy = mean[:, index]
        axes.plot(path_xy[:, 0], path_xy[:, 1], color="0.75", linewidth=0.6, zorder=1)
        axes.errorbar(
            path_xy[shown, 0],
            path_xy[shown, 1],
            xerr=_bar_lengths(path_xy[shown, 0], low[shown, index, 0], high[shown, index, 0]),
            yerr=_bar_lengths(path_xy[shown, 1], low[shown, index, 1], high[shown, index, 1]),
            fmt="none",
            ecolor="0.45",
            elinewidth=0.6,
            capsize=1.5,
            zorder=1.5,
        )
        points = axes.scatter(
            path_xy[:, 0], path_xy[:, 1], c=epochs, cmap="viridis", norm=norm, s=12, zorder=2
        )
        axes.annotate(
            str(layer), path_xy[-1], textcoords="offset points", xytext=(4, 4), fontsize=8
        )
    if data_information is not None:
        axes.axhline(
            data_information,
            color="0.3",
            linestyle="--",
            linewidth=0.8,
            label=f"I(X;Y) = {data_information:.3f} bits",
        )
    axes.plot([], [], color="0.45", linewidth=0.6, label=f"bars: {INTERVAL_NOTE}")
    axes.legend(loc="lower right", fontsize=8)
    figure.colorbar(points, ax=axes, label="epoch")
    axes.set_xlabel("I(X;T) (bits)")
    axes.set_ylabel("I(T;Y) (bits)")
    axes.set_title(title or f"Information plane ({estimator}, {split})", fontsize=10)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _bar_lengths(center: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Error-bar lengths below and above ``center`` (0 where the interval is NaN)."""
    return np.nan_to_num(np.stack([center - low, high - center]), nan=0.0).clip(min=0.0)


def _band(axes, x, values, *, color, label, axis=1):
    """Plots the seed mean of ``values`` against ``x`` with its 95 % t band."""
    mean, low, high = seed_intervals(values, axis=axis)
    axes.plot(x, mean, color=color, label=label)
    axes.fill_between(x, low, high, color=color, alpha=0.2, linewidth=0)


def plot_training_curves(
    metrics: Mapping[str, np.ndarray], path: str | os.PathLike, *, title: str = ""
) -> None:
    """Saves loss and accuracy against epoch (mean over seeds, 95 % t band) as a PNG."""
    plt = pyplot()
    curves = training_curves(metrics)
    epochs = curves["epoch"]
    figure, (loss_axes, accuracy_axes) = plt.subplots(
        1, 2, figsize=(10, 4), constrained_layout=True
    )
    for split, color in (("train", "C0"), ("test", "C1")):
        for axes, quantity in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
            _band(axes, epochs, curves[f"{split}_{quantity}"], color=color, label=split)
    loss_axes.set_ylabel("cross-entropy (nats)")
    accuracy_axes.set_ylabel("accuracy")
    for axes in (loss_axes, accuracy_axes):
        axes.set_xscale("symlog", linthresh=1.0)
        axes.set_xlim(left=0)
        axes.set_xlabel("epoch")
        axes.legend(title=f"bands: {INTERVAL_NOTE}", title_fontsize=8)
    if title:
        figure.suptitle(title)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_gradients(
    metrics: Mapping[str, np.ndarray], path: str | os.PathLike, *, title: str = ""
) -> None:
    """Saves each layer's gradient statistics against epoch as a PNG.

    Top: the norm of the mean minibatch gradient (``grad_mean``, drift) and of its
    standard deviation (``grad_std``, diffusion); bottom: their ratio ``grad_snr``.
    Shwartz-Ziv & Tishby's drift phase ends where the ratio falls below about 1.
    """
    plt = pyplot()
    rows = _first_rows(metrics)
    epochs, layers, values = by_seed(rows, ("grad_mean", "grad_std", "grad_snr"))
    figure, axes = plt.subplots(2, 1, figsize=(7, 7), constrained_layout=True, sharex=True)
    for index, layer in enumerate(layers):
        color = f"C{index}"
        _band(axes[0], epochs, values[:, index, :, 0], color=color, label=f"layer {layer}")
        mean_std = seed_intervals(values[:, index, :, 1], axis=1)[0]
        axes[0].plot(epochs, mean_std, color=color, linestyle="--", linewidth=0.9)
        _band(axes[1], epochs, values[:, index, :, 2], color=color, label=f"layer {layer}")
    axes[0].plot([], [], color="0.3", label="solid: mean, dashed: std")
    axes[0].set_ylabel("gradient norm")
    axes[1].axhline(1.0, color="0.3", linestyle=":", linewidth=0.8)
    axes[1].set_ylabel("signal-to-noise (mean / std)")
    for panel in axes:
        panel.set_xscale("symlog", linthresh=1.0)
        panel.set_xlim(left=0)
        # Log axes need a positive value (a run of one measured epoch has none).
        if np.any(np.isfinite(values) & (values > 0)):
            panel.set_yscale("log")
        panel.legend(fontsize=7, ncols=2)
    axes[1].set_xlabel("epoch")
    axes[0].set_title(title or f"Gradient statistics ({INTERVAL_NOTE})", fontsize=10)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _first_rows(metrics: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The rows of the first estimator and split: values that repeat on all of them."""
    equal = {"estimator": metrics["estimator"][0]}
    if "split" in metrics:
        equal["split"] = metrics["split"][0]
    return rows_of(metrics, **equal)


def generalisation_gap(
    metrics: Mapping[str, np.ndarray], estimator: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """I(T;Y) on the training inputs minus on the test inputs, per seed.

    Returns:
      ``(epochs, layers, gap)`` with ``gap`` of shape ``(E, L, S)`` in bits.
    """
    epochs, layers, train = by_seed(
        rows_of(metrics, estimator=estimator, split="train"), ("label_information_bits",)
    )
    test_epochs, test_layers, test = by_seed(
        rows_of(metrics, estimator=estimator, split="test"), ("label_information_bits",)
    )
    if not (np.array_equal(epochs, test_epochs) and np.array_equal(layers, test_layers)):
        raise ValueError(f"The train and test rows of {estimator!r} cover different epochs.")
    return epochs, layers, train[..., 0] - test[..., 0]


def plot_generalisation_gap(
    metrics: Mapping[str, np.ndarray], estimator: str, path: str | os.PathLike, *, title=""
) -> None:
    """Saves I(T;Y) train minus test against epoch, one curve per layer, as a PNG."""
    plt = pyplot()
    epochs, layers, gap = generalisation_gap(metrics, estimator)
    figure, axes = plt.subplots(figsize=(6.4, 4.2), constrained_layout=True)
    for index, layer in enumerate(layers):
        _band(axes, epochs, gap[:, index], color=f"C{index}", label=f"layer {layer}")
    axes.axhline(0.0, color="0.3", linestyle=":", linewidth=0.8)
    axes.set_xscale("symlog", linthresh=1.0)
    axes.set_xlim(left=0)
    axes.set_xlabel("epoch")
    axes.set_ylabel("I(T;Y) train - test (bits)")
    axes.legend(fontsize=7, ncols=2, title=f"bands: {INTERVAL_NOTE}", title_fontsize=7)
    axes.set_title(title or f"Generalisation gap ({estimator})", fontsize=10)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_sensitivity(
    metrics: Mapping[str, np.ndarray],
    labels: Sequence[str],
    path: str | os.PathLike,
    *,
    split: str = "all",
    title: str = "",
) -> None:
    """Saves each layer's information at the last measured epoch under each of
    ``labels`` (estimators of one kind with different settings, e.g. KDE noise
    variances or bin counts), with 95 % t intervals, as a PNG."""
    plt = pyplot()
    figure, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    positions = np.arange(len(labels))
    for label_index, label in enumerate(labels):
        _, layers, values = by_seed(
            rows_of(metrics, estimator=label, split=split),
            ("input_information_bits", "label_information_bits"),
        )
        mean, low, high = seed_intervals(values[-1], axis=1)
        for index, layer in enumerate(layers):
            offset = (index - (layers.size - 1) / 2) * 0.08
            for panel in range(2):
                axes[panel].errorbar(
                    positions[label_index] + offset,
                    mean[index, panel],
                    yerr=_bar_lengths(mean[index, panel], low[index, panel], high[index, panel])[
                        :, None
                    ],
                    fmt="o",
                    color=f"C{index}",
                    markersize=3.5,
                    capsize=2,
                    label=f"layer {layer}" if label_index == 0 else None,
                )
    for panel, name in enumerate(("I(X;T)", "I(T;Y)")):
        axes[panel].set_xticks(positions, labels, rotation=30, ha="right", fontsize=8)
        axes[panel].set_ylabel(f"{name} at the last epoch (bits)")
    # Below the panels, where no point can sit under it.
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=max(len(labels), 1),
        fontsize=8,
        title=f"bars: {INTERVAL_NOTE}",
        title_fontsize=8,
    )
    if title:
        figure.suptitle(title, fontsize=10)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def estimator_table(metrics: Mapping[str, np.ndarray], estimator: str, split: str) -> list[str]:
    """Markdown lines: per layer the peak and last I(X;T) and the last I(T;Y), each the
    mean over seeds with its 95 % t interval."""
    epochs, layers, values = by_seed(
        rows_of(metrics, estimator=estimator, split=split),
        ("input_information_bits", "label_information_bits"),
    )
    mean, low, high = seed_intervals(values, axis=2)
    lines = [
        f"## {estimator}, {split} inputs (bits; mean [{INTERVAL_NOTE}])",
        "",
        "| layer | max I(X;T) | at epoch | last I(X;T) | last I(T;Y) |",
        "|---|---|---|---|---|",
    ]
    for index, layer in enumerate(layers):
        input_information = mean[:, index, 0]
        if np.all(np.isnan(input_information)):
            lines.append(f"| {layer} | - | - | - | - |")
            continue
        peak = int(np.nanargmax(input_information))
        cells = [
            format_interval(mean[peak, index, 0], low[peak, index, 0], high[peak, index, 0]),
            str(epochs[peak]),
            format_interval(mean[-1, index, 0], low[-1, index, 0], high[-1, index, 0]),
            format_interval(mean[-1, index, 1], low[-1, index, 1], high[-1, index, 1]),
        ]
        lines.append(f"| {layer} | " + " | ".join(cells) + " |")
    return lines


def gap_table(metrics: Mapping[str, np.ndarray], estimator: str) -> list[str]:
    """Markdown lines: the generalisation gap I(T;Y) train - test per layer, at its
    largest and at the last epoch."""
    epochs, layers, gap = generalisation_gap(metrics, estimator)
    mean, low, high = seed_intervals(gap, axis=2)
    lines = [
        f"## Generalisation gap, {estimator}: I(T;Y) train - test (bits; mean [{INTERVAL_NOTE}])",
        "",
        "| layer | largest gap | at epoch | last gap |",
        "|---|---|---|---|",
    ]
    for index, layer in enumerate(layers):
        peak = int(np.nanargmax(mean[:, index]))
        largest, last = (
            format_interval(mean[at, index], low[at, index], high[at, index]) for at in (peak, -1)
        )
        lines.append(f"| {layer} | {largest} | {epochs[peak]} | {last} |")
    return lines


def gradient_table(metrics: Mapping[str, np.ndarray]) -> list[str]:
    """Markdown lines: per layer the gradient signal-to-noise ratio at the first
    measured epoch, its largest value, the first epoch after that where the seed mean
    falls below 1 (drift gives way to diffusion), and its last value."""
    epochs, layers, values = by_seed(_first_rows(metrics), ("grad_snr",))
    mean, low, high = seed_intervals(values[..., 0], axis=2)
    lines = [
        f"## Gradient signal-to-noise ratio, mean / std (mean [{INTERVAL_NOTE}])",
        "",
        "| layer | first | largest | at epoch | first epoch below 1 after it | last measured |",
        "|---|---|---|---|---|---|",
    ]
    for index, layer in enumerate(layers):
        ratio = mean[:, index]
        finite = np.flatnonzero(np.isfinite(ratio))
        if finite.size == 0:
            lines.append(f"| {layer} | - | - | - | - | - |")
            continue
        first, last = finite[0], finite[-1]
        peak = int(finite[np.argmax(ratio[finite])])
        below = [i for i in finite if i > peak and ratio[i] < 1.0]
        cell = {
            i: format_interval(ratio[i], low[i, index], high[i, index], 2)
            for i in (first, peak, last)
        }
        lines.append(
            f"| {layer} | {cell[first]} | {cell[peak]} | {epochs[peak]} | "
            f"{epochs[below[0]] if below else 'never'} | {cell[last]} (epoch {epochs[last]}) |"
        )
    return lines


def write_summary(
    path: str | os.PathLike,
    metrics: Mapping[str, np.ndarray],
    *,
    title: str,
    details: Mapping[str, object],
    figures: Mapping[str, str],
    data_information: float | None = None,
    sections: Sequence[str] = (),
) -> None:
    """Writes a short markdown summary of a finished (or partial) run.

    Args:
      path: the markdown file.
      metrics: columns of ``metrics.csv`` (:func:`infojax.io.read_metrics`).
      title: the heading.
      details: ``name -> value`` lines listed under the heading (seeds, epochs, time).
      figures: ``caption -> file name`` of the figures to embed.
      data_information: ``I(X;Y)`` of the data in bits, when known.
      sections: further markdown lines, put after the tables (the PID, the noisy
        network).
    """
    lines = [f"# {title}", ""]
    lines += [f"- {name}: {value}" for name, value in details.items()]
    if data_information is not None:
        lines.append(f"- I(X;Y) of the data: {data_information:.4f} bits")
    if metrics["epoch"].size:
        curves = training_curves(metrics)
        last = curves["epoch"][-1]
        lines.append(f"- last measured epoch: {last}")
        for name in _SCORES:
            mean, low, high = seed_intervals(curves[name][-1], axis=0)
            score = format_interval(float(mean), float(low), float(high), 4)
            lines.append(
                f"- {name.replace('_', ' ')} at epoch {last}: {score} (mean [{INTERVAL_NOTE}])"
            )
        splits = np.unique(metrics["split"]) if "split" in metrics else np.array(["all"])
        for split in splits:
            for estimator in _labels_in_order(metrics):
                lines += ["", *estimator_table(metrics, estimator, str(split))]
        if {"train", "test"} <= set(splits.tolist()):
            for estimator in _labels_in_order(metrics):
                lines += ["", *gap_table(metrics, estimator)]
        if "grad_snr" in metrics:
            lines += ["", *gradient_table(metrics)]
        lines += list(sections)
    if figures:
        lines.append("")
        for caption, file_name in figures.items():
            lines.append(f"![{caption}]({file_name})")
    Path(path).write_text("\n".join(lines) + "\n")


def _labels_in_order(metrics: Mapping[str, np.ndarray]) -> list[str]:
    """The estimator labels in the order the rows first name them."""
    labels, first = np.unique(metrics["estimator"], return_index=True)
    return [str(label) for label in labels[np.argsort(first)]]
