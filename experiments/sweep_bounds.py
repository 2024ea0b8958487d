"""The sweep behind the neural bounds' defaults: settings x bounds x ground-truth tasks.

Every setting (critic, sizes, learning rate) is fitted with
:func:`infojax.bounds.fit_mutual_information` (held-out model selection, early
stopping, everything else at its default) on tasks of the default suite whose MI is
known, at ``--n`` samples, one fit per task, bound, setting and seed. The table gives
per setting and bound the median and the mean absolute error over the tasks, the
median signed error, and the median seconds per fit; ``--csv`` writes every fit.
With ``--report`` each fit also holds out a report set (``report_fraction`` 0.2, the
held-out set unchanged) and the table adds the median of (estimate on the selection
rows - estimate on the report rows): the upward bias of choosing and reporting on the
same rows.

Usage:
  python -m experiments.sweep_bounds                       # the README table
  python -m experiments.sweep_bounds --bounds infonce --settings sep64,cat16x8
  python -m experiments.sweep_bounds --quick               # 4 tasks, 2 settings
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time
import warnings

import jax
import numpy as np

from infojax import bounds
from infojax import tasks

# name -> keyword arguments of fit_mutual_information (learning_rate: of Adam). Every
# setting but "default" names all it changes, so it stays the same when defaults move.
_SHORT = dict(steps=2000, patience=10, preprocess="standardize")
_LONG = dict(steps=5000, patience=20, preprocess="standardize")
_LONG_NORMAL_SCORES = dict(steps=5000, patience=20, preprocess="gaussianize")
SETTINGS = {
    "default": dict(),  # infojax.bounds.DEFAULTS as they stand
    "sep128x2": dict(hidden_sizes=(128, 128), embedding_dim=32, learning_rate=5e-4, **_SHORT),
    "sep64": dict(hidden_sizes=(64,), embedding_dim=16, learning_rate=1e-3, **_SHORT),
    "sep32x2": dict(hidden_sizes=(32, 32), embedding_dim=16, learning_rate=1e-3, **_SHORT),
    "sep32x2-lr3e-3": dict(hidden_sizes=(32, 32), embedding_dim=16, learning_rate=3e-3, **_SHORT),
    "sep32x2-long": dict(hidden_sizes=(32, 32), embedding_dim=16, learning_rate=1e-3, **_LONG),
    "sep64-long": dict(hidden_sizes=(64,), embedding_dim=16, learning_rate=1e-3, **_LONG),
    "sep64x2-long": dict(hidden_sizes=(64, 64), embedding_dim=16, learning_rate=5e-4, **_LONG),
    "sep32x2-long-gauss": dict(
        hidden_sizes=(32, 32), embedding_dim=16, learning_rate=1e-3, **_LONG_NORMAL_SCORES
    ),
    "sep64-long-gauss": dict(
        hidden_sizes=(64,), embedding_dim=16, learning_rate=1e-3, **_LONG_NORMAL_SCORES
    ),
    "cat16x8": dict(critic="concatenated", hidden_sizes=(16, 8), learning_rate=1e-3, **_SHORT),
    # The default critic and loop with a smooth nonlinearity instead of relu.
    **{
        f"sep32x2-gauss-{name}": dict(
            hidden_sizes=(32, 32),
            embedding_dim=16,
            activation=name,
            learning_rate=1e-3,
            **_LONG_NORMAL_SCORES,
        )
        for name in ("relu", "silu", "gelu", "tanh", "elu")
    },
}


# A spread of the default suite (families, dimensions 1 to 25, MI 0.1 to 2.5 nats).
TASKS = (
    "normal-dense-1x1-rho0.75",
    "normal-dense-3x3-rho0.5",
    "normal-dense-5x5-rho0.5",
    "normal-dense-25x25-rho0.5",
    "normal-sparse-5x5-2pairs-rho0.8",
    "gaussian-channel-5d-snr1",
    "student-t-dense-5x5-rho0.5-nu3",
    "student-t-identity-2x2-nu1",
    "additive-uniform-eps0.1",
    "discrete-continuous-m4",
    "normal-dense-5x5-rho0.5+half_cube",
    "student-t-dense-5x5-rho0.5-nu3+asinh",
    "normal-dense-3x3-rho0.5+spiral0.5",
    "normal-dense-1x1-rho0.75+wiggly",
)


def _tasks(names):
    suite = {task.name: task for task in tasks.default_suite()}
    missing = [name for name in names if name not in suite]
    if missing:
        raise SystemExit(f"unknown task(s) {missing}; known: {sorted(suite)}")
    return [suite[name] for name in names]


def _fit(key, x, y, bound, setting, report):
    options = dict(SETTINGS[setting])
    kwargs = dict(bound=bound, **options)
    if "hidden_sizes" in options:
        critic = kwargs["critic"] = kwargs.pop("critic", "separable")
        critic_options = {"hidden_sizes": kwargs.pop("hidden_sizes")}
        if "activation" in kwargs:
            critic_options["activation"] = kwargs.pop("activation")
        if critic == "separable":
            critic_options["embedding_dim"] = kwargs.pop("embedding_dim")
        kwargs["critic_options"] = critic_options
    if "learning_rate" in options:
        kwargs["optimizer"] = bounds.default_optimizer(kwargs.pop("learning_rate"))
    if report:
        kwargs["report_fraction"] = 0.2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        fit = bounds.fit_mutual_information(key, x, y, **kwargs)
        estimate = float(fit.estimate)
        seconds = time.perf_counter() - start
    selection = float(np.nanmax(fit.held_out_curve))
    return fit, estimate, selection, seconds


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bounds", default="infonce,nwj,dv,mine,smile,js")
    parser.add_argument("--settings", default=",".join(SETTINGS))
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--csv", default=None)
    args = parser.parse_args(argv)
    names = args.tasks.split(",")
    settings = args.settings.split(",")
    if args.quick:
        names, settings = names[:4], settings[:2]
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise SystemExit(f"unknown setting(s) {sorted(unknown)}; known: {sorted(SETTINGS)}")
    rows = []
    for task in _tasks(names):
        for seed in range(args.seeds):
            key_data, key_fit = jax.random.split(jax.random.key(seed))
            x, y = task.sample(key_data, args.n)
            for bound in args.bounds.split(","):
                for setting in settings:
                    fit, estimate, selection, seconds = _fit(
                        key_fit, x, y, bound, setting, args.report
                    )
                    row = dict(
                        task=task.name,
                        seed=seed,
                        bound=bound,
                        setting=setting,
                        truth=task.mutual_information,
                        estimate=estimate,
                        error=estimate - task.mutual_information,
                        selection_minus_report=selection - estimate if args.report else "",
                        best_step=int(fit.diagnostics.best_step),
                        steps_run=int(fit.steps_run),
                        seconds=seconds,
                        load=os.getloadavg()[0],
                    )
                    rows.append(row)
                    print(
                        f"{task.name:50s} {bound:8s} {setting:9s} truth {row['truth']:.3f} "
                        f"estimate {estimate:7.3f} step {row['best_step']:5d} "
                        f"{seconds:5.1f} s load {row['load']:.1f}",
                        flush=True,
                    )
    if args.csv:
        with open(args.csv, "w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    print()
    header = "| bound | setting | median AE | mean AE | median error | median s/fit |"
    if args.report:
        header += " selection - report |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for bound in args.bounds.split(","):
        for setting in settings:
            chosen = [row for row in rows if row["bound"] == bound and row["setting"] == setting]
            errors = [row["error"] for row in chosen]
            line = (
                f"| {bound} | {setting} | {statistics.median(abs(e) for e in errors):.3f} | "
                f"{statistics.fmean(abs(e) for e in errors):.3f} | "
                f"{statistics.median(errors):+.3f} | "
                f"{statistics.median(row['seconds'] for row in chosen):.1f} |"
            )
            if args.report:
                bias = statistics.median(row["selection_minus_report"] for row in chosen)
                line += f" {bias:+.3f} |"
            print(line)


if __name__ == "__main__":
    main()
