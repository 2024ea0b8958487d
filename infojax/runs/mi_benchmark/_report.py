"""Tables and plots of benchmark results: accuracy per estimator and task family."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from infojax.runs._plots import pyplot


def read_results(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a ``results.csv``, numbers parsed."""
    integers = ("transformed", "dim_x", "dim_y", "n", "seed")
    floats = ("estimate", "truth", "error", "seconds")
    with Path(path).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row.update({k: int(row[k]) for k in integers})
        row.update({k: float(row[k]) for k in floats})
    return rows


def accuracy_table(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (estimator, family, n): mean and median absolute error, bias, spread, time.

    The median absolute error is robust to the rare catastrophic estimate (a neural
    critic on Cauchy-tailed samples, say) that dominates the mean. ``std`` is the
    standard deviation over seeds, averaged over the family's tasks;
    ``seconds`` is the median time of one estimate. All in nats except ``seconds``.
    """
    groups: dict[tuple[str, str, int], dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in rows:
        for family in (row["family"], "all"):
            groups[(row["estimator"], family, row["n"])][row["task"]].append(row)
    table = []
    for (estimator, family, n), by_task in sorted(groups.items()):
        errors = np.array([r["error"] for task_rows in by_task.values() for r in task_rows])
        spreads = [np.std([r["estimate"] for r in task_rows]) for task_rows in by_task.values()]
        seconds = [r["seconds"] for task_rows in by_task.values() for r in task_rows]
        table.append(
            {
                "estimator": estimator,
                "family": family,
                "n": n,
                "tasks": len(by_task),
                "mae": float(np.mean(np.abs(errors))),
                "median_ae": float(np.median(np.abs(errors))),
                "bias": float(np.mean(errors)),
                "std": float(np.mean(spreads)),
                "seconds": float(np.median(seconds)),
                "finite": bool(np.isfinite(errors).all()),
            }
        )
    return table


def markdown_table(table: Sequence[dict[str, Any]]) -> str:
    """The accuracy table as GitHub markdown."""
    lines = [
        "| estimator | family | n | tasks | MAE | median AE | bias | std | s / estimate |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in table:
        lines.append(
            f"| {r['estimator']} | {r['family']} | {r['n']} | {r['tasks']} | {r['mae']:.3f} | "
            f"{r['median_ae']:.3f} | "
            f"{r['bias']:+.3f} | {r['std']:.3f} | {r['seconds']:.3g} |"
        )
    return "\n".join(lines)


def plot_results(rows: Sequence[dict[str, Any]], workdir: Path) -> list[Path]:
    """``estimate_vs_truth.png`` (one panel per estimator) and ``error_vs_dimension.png``."""
    plt = pyplot()

    estimators = sorted({r["estimator"] for r in rows})
    if not estimators:
        return []
    largest_n = max(r["n"] for r in rows)
    rows = [r for r in rows if r["n"] == largest_n]
    columns = min(4, len(estimators))
    lines = -(-len(estimators) // columns)
    figure, axes = plt.subplots(
        lines, columns, figsize=(3.2 * columns, 3.0 * lines), squeeze=False, sharex=True
    )
    families = sorted({r["family"] for r in rows})
    colours = dict(zip(families, plt.cm.tab10.colors, strict=False))
    top = max(r["truth"] for r in rows) * 1.15
    for axis, estimator in zip(axes.flat, estimators, strict=False):
        by_task = defaultdict(list)
        for r in rows:
            if r["estimator"] == estimator:
                by_task[(r["task"], r["family"], r["truth"])].append(r["estimate"])
        for (_, family, truth), estimates in by_task.items():
            axis.errorbar(
                truth,
                np.mean(estimates),
                yerr=np.std(estimates),
                fmt="o",
                ms=3,
                color=colours[family],
                alpha=0.8,
            )
        axis.plot([0, top], [0, top], "k--", lw=0.8)
        axis.set_title(estimator, fontsize=9)
        axis.set_ylim(-0.5, top * 1.3)
    for axis in axes.flat[len(estimators) :]:
        axis.axis("off")
    handles = [plt.Line2D([], [], marker="o", ls="", color=colours[f]) for f in families]
    figure.legend(handles, families, loc="upper center", ncol=len(families), fontsize=8)
    figure.supxlabel("true MI (nats)")
    figure.supylabel(f"estimate (nats), mean ± std over seeds, n = {largest_n}")
    figure.tight_layout(rect=(0, 0, 1, 0.95))
    truth_path = workdir / "estimate_vs_truth.png"
    figure.savefig(truth_path, dpi=110)
    plt.close(figure)

    figure, axis = plt.subplots(figsize=(6, 4))
    for estimator in estimators:
        by_dim = defaultdict(list)
        for r in rows:
            if r["estimator"] == estimator:
                by_dim[r["dim_x"] + r["dim_y"]].append(abs(r["error"]))
        dims = sorted(by_dim)
        axis.plot(dims, [np.mean(by_dim[d]) for d in dims], "o-", ms=3, label=estimator)
    axis.set_xscale("log")
    axis.set_yscale("symlog", linthresh=0.01)
    axis.set_xlabel("dim x + dim y")
    axis.set_ylabel("mean |error| (nats)")
    axis.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    dimension_path = workdir / "error_vs_dimension.png"
    figure.savefig(dimension_path, dpi=110)
    plt.close(figure)
    return [truth_path, dimension_path]


def write_report(workdir: str | Path, *, skipped: Sequence[Any] = ()) -> str:
    """Writes ``summary.md`` and the plots from ``results.csv``; returns the markdown."""
    workdir = Path(workdir)
    rows = read_results(workdir / "results.csv")
    table = accuracy_table(rows)
    overall = [r for r in table if r["family"] == "all"]
    text = "\n\n".join(
        [
            "# MI benchmark",
            f"{len(rows)} estimates; errors are estimate - truth, all columns but the "
            "last in nats (AE: absolute error; std: over seeds, averaged over tasks).",
            "## All tasks\n\n" + markdown_table(overall),
            "## By task family\n\n" + markdown_table([r for r in table if r["family"] != "all"]),
            f"## Skipped\n\n{len(skipped)} (estimator, task) pairs did not apply or failed; "
            "see skipped.csv.",
        ]
    )
    (workdir / "summary.md").write_text(text + "\n")
    plot_results(rows, workdir)
    return text
