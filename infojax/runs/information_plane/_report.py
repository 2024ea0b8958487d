"""Plots and the markdown summary of an information-plane run, from its metrics file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from infojax.runs._plots import pyplot


def seed_means(
    metrics: Mapping[str, np.ndarray], estimator: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Information-plane coordinates of ``estimator`` averaged over seeds.

    Args:
      metrics: columns of ``metrics.csv`` (:func:`infojax.io.read_metrics`).
      estimator: the estimator label.

    Returns:
      ``(epochs, layers, coordinates)``: sorted epochs ``(E,)``, layer numbers
      ``(L,)`` and the mean ``(I(X;T), I(T;Y))`` in bits, shape ``(E, L, 2)`` (NaN
      where no seed reported).
    """
    rows = metrics["estimator"] == estimator
    epochs = np.unique(metrics["epoch"][rows])
    layers = np.unique(metrics["layer"][rows])
    sums = np.zeros((epochs.size, layers.size, 2))
    counts = np.zeros((epochs.size, layers.size, 1))
    epoch_index = np.searchsorted(epochs, metrics["epoch"][rows])
    layer_index = np.searchsorted(layers, metrics["layer"][rows])
    values = np.stack(
        [metrics["input_information_bits"][rows], metrics["label_information_bits"][rows]],
        axis=-1,
    )
    np.add.at(sums, (epoch_index, layer_index), values)
    np.add.at(counts, (epoch_index, layer_index), 1.0)
    with np.errstate(invalid="ignore"):
        return epochs, layers, sums / counts


def training_curves(metrics: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-epoch losses and accuracies, one value per seed: ``{name: (E, seeds)}``.

    Also holds ``"epoch"`` (``(E,)``). The values repeat on every layer and estimator
    row of an (epoch, seed); the first row of each is used.
    """
    epochs = np.unique(metrics["epoch"])
    seeds = np.unique(metrics["seed"])
    curves = {"epoch": epochs}
    epoch_index = np.searchsorted(epochs, metrics["epoch"])
    seed_index = np.searchsorted(seeds, metrics["seed"])
    for name in ("train_loss", "train_accuracy", "test_loss", "test_accuracy"):
        values = np.full((epochs.size, seeds.size), np.nan)
        values[epoch_index, seed_index] = metrics[name]
        curves[name] = values
    return curves


def plot_information_plane(
    metrics: Mapping[str, np.ndarray],
    estimator: str,
    path: str | os.PathLike,
    *,
    title: str = "",
    data_information: float | None = None,
) -> None:
    """Saves the information plane of ``estimator`` (mean over seeds) as a PNG.

    Each layer is a trajectory of points coloured by epoch (log colour scale); the
    dashed line is ``I(X;Y)`` of the data when given.
    """
    from matplotlib.colors import SymLogNorm

    plt = pyplot()
    epochs, layers, coordinates = seed_means(metrics, estimator)
    figure, axes = plt.subplots(figsize=(6.4, 4.8), constrained_layout=True)
    norm = SymLogNorm(linthresh=1.0, vmin=0, vmax=max(int(epochs.max()), 1))
    for index, layer in enumerate(layers):
        path_xy = coordinates[:, index]
        axes.plot(path_xy[:, 0], path_xy[:, 1], color="0.75", linewidth=0.6, zorder=1)
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
        axes.legend(loc="lower right", fontsize=8)
    figure.colorbar(points, ax=axes, label="epoch")
    axes.set_xlabel("I(X;T) (bits)")
    axes.set_ylabel("I(T;Y) (bits)")
    axes.set_title(title or f"Information plane ({estimator})")
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_training_curves(
    metrics: Mapping[str, np.ndarray], path: str | os.PathLike, *, title: str = ""
) -> None:
    """Saves loss and accuracy against epoch (mean over seeds, band of one sd) as a PNG."""
    plt = pyplot()
    curves = training_curves(metrics)
    epochs = curves["epoch"]
    figure, (loss_axes, accuracy_axes) = plt.subplots(
        1, 2, figsize=(10, 4), constrained_layout=True
    )
    for split, color in (("train", "C0"), ("test", "C1")):
        for axes, quantity in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
            values = curves[f"{split}_{quantity}"]
            mean, sd = np.nanmean(values, axis=1), np.nanstd(values, axis=1)
            axes.plot(epochs, mean, color=color, label=split)
            axes.fill_between(epochs, mean - sd, mean + sd, color=color, alpha=0.2)
    loss_axes.set_ylabel("cross-entropy (nats)")
    accuracy_axes.set_ylabel("accuracy")
    for axes in (loss_axes, accuracy_axes):
        axes.set_xscale("symlog", linthresh=1.0)
        axes.set_xlabel("epoch")
        axes.legend()
    if title:
        figure.suptitle(title)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def write_summary(
    path: str | os.PathLike,
    metrics: Mapping[str, np.ndarray],
    *,
    title: str,
    details: Mapping[str, object],
    figures: Mapping[str, str],
    data_information: float | None = None,
) -> None:
    """Writes a short markdown summary of a finished (or partial) run.

    Args:
      path: the markdown file.
      metrics: columns of ``metrics.csv`` (:func:`infojax.io.read_metrics`).
      title: the heading.
      details: ``name -> value`` lines listed under the heading (seeds, epochs, time).
      figures: ``caption -> file name`` of the figures to embed.
      data_information: ``I(X;Y)`` of the data in bits, when known.
    """
    lines = [f"# {title}", ""]
    lines += [f"- {name}: {value}" for name, value in details.items()]
    if data_information is not None:
        lines.append(f"- I(X;Y) of the data: {data_information:.4f} bits")
    if metrics["epoch"].size:
        curves = training_curves(metrics)
        last = curves["epoch"][-1]
        lines.append(f"- last measured epoch: {last}")
        for name in ("train_accuracy", "test_accuracy", "train_loss", "test_loss"):
            values = curves[name][-1]
            lines.append(
                f"- {name.replace('_', ' ')} at epoch {last}: "
                f"{np.nanmean(values):.4f} ± {np.nanstd(values):.4f} (mean ± sd over seeds)"
            )
        for estimator in np.unique(metrics["estimator"]):
            epochs, layers, coordinates = seed_means(metrics, str(estimator))
            lines += [
                "",
                f"## {estimator} (mean over seeds, bits)",
                "",
                "| layer | max I(X;T) | at epoch | last I(X;T) | last I(T;Y) |",
                "|---|---|---|---|---|",
            ]
            for index, layer in enumerate(layers):
                input_information = coordinates[:, index, 0]
                peak = int(np.nanargmax(input_information))
                lines.append(
                    f"| {layer} | {input_information[peak]:.3f} | {epochs[peak]} | "
                    f"{input_information[-1]:.3f} | {coordinates[-1, index, 1]:.3f} |"
                )
    if figures:
        lines.append("")
        for caption, file_name in figures.items():
            lines.append(f"![{caption}]({file_name})")
    Path(path).write_text("\n".join(lines) + "\n")
