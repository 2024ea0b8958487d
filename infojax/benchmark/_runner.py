"""The ground-truth benchmark: registered estimators x tasks with known MI x seeds.

``run_benchmark(config, workdir)`` is what ``python -m experiments.main
--config=configs/mi_benchmark/default.py`` runs. For every (estimator, task, sample
size) that applies, it draws ``config.seeds`` independent sample sets (the same ones for
every estimator), estimates MI on all of them in one ``jax.vmap``-ed, compiled call, and
appends one CSV row per seed. A re-run on the same directory skips what is done.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import time
import traceback
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import tqdm

from infojax import tasks as _tasks
from infojax._registry import EstimatorSpec
from infojax._registry import get_estimator
from infojax._registry import list_estimators
from infojax.benchmark._report import write_report
from infojax.io._metrics import MetricsFile

RESULT_COLUMNS = (
    "estimator",
    "task",
    "family",
    "tails",
    "transformed",
    "dim_x",
    "dim_y",
    "n",
    "seed",
    "estimate",
    "truth",
    "error",
    "seconds",
)
_BENCHMARK_FIELDS = frozenset(
    {
        "experiment",
        "seed",
        "seeds",
        "sample_sizes",
        "suite",
        "tasks",
        "estimators",
        "estimator_options",
        "max_dim",
        "progress",
    }
)


@dataclasses.dataclass(frozen=True)
class Job:
    """One estimator on one task at one sample size, over all seeds."""

    estimator: EstimatorSpec
    options: dict[str, Any]
    task: _tasks.Task
    n: int


@dataclasses.dataclass(frozen=True)
class Skip:
    """An (estimator, task) pair that was not run, and why."""

    estimator: str
    task: str
    reason: str


def _suite(name: str) -> tuple[_tasks.Task, ...]:
    if name == "default":
        return _tasks.default_suite()
    raise ValueError(f"Invalid config: `suite` must be 'default', got {name!r}.")


def check_benchmark_config(config: ml_collections.ConfigDict) -> None:
    """Raises ValueError for an invalid benchmark config, before anything runs."""
    unknown = set(config.keys()) - _BENCHMARK_FIELDS
    if unknown:
        raise ValueError(f"Invalid config: unknown key(s) {sorted(unknown)}.")
    if not isinstance(config.seeds, int) or config.seeds < 1:
        raise ValueError(f"Invalid config: `seeds` must be a positive int, got {config.seeds!r}.")
    if not config.sample_sizes or any(
        not isinstance(n, int) or n < 10 for n in config.sample_sizes
    ):
        raise ValueError(
            f"Invalid config: `sample_sizes` must be ints >= 10, got {config.sample_sizes!r}."
        )
    names = {task.name for task in _suite(config.suite)}
    missing = [name for name in config.tasks if name not in names]
    if missing:
        raise ValueError(f"Invalid config: unknown task(s) {missing} in `tasks`.")
    for name in config.estimators:
        spec = get_estimator(name)
        if spec.quantity != "mutual_information":
            raise ValueError(
                f"Invalid config: estimator {name!r} estimates {spec.quantity}, "
                "not mutual information."
            )
    for name, options in config.estimator_options.items():
        get_estimator(name).bind(**dict(options))


def plan_benchmark(config: ml_collections.ConfigDict) -> tuple[list[Job], list[Skip]]:
    """The jobs a config asks for, and the (estimator, task) pairs that do not apply."""
    check_benchmark_config(config)
    tasks = [t for t in _suite(config.suite) if not config.tasks or t.name in config.tasks]
    specs = (
        [get_estimator(name) for name in config.estimators]
        if config.estimators
        else list_estimators(quantity="mutual_information")
    )
    jobs, skipped = [], []
    for spec in specs:
        options = dict(config.estimator_options.get(spec.name, {}))
        for task in tasks:
            reason = _not_applicable(spec, task, config.max_dim)
            if reason:
                skipped.append(Skip(spec.name, task.name, reason))
                continue
            jobs.extend(Job(spec, options, task, n) for n in config.sample_sizes)
    return jobs, skipped


def _not_applicable(spec: EstimatorSpec, task: _tasks.Task, max_dim: int) -> str:
    """Why ``spec`` does not apply to ``task`` ('' when it does)."""
    if spec.inputs == "discrete":
        return "needs discrete x and y; the task has continuous samples"
    if spec.inputs == "continuous" and task.x_discrete:
        return "needs continuous samples; the task's x is discrete"
    if spec.inputs == "mixed" and not task.x_discrete:
        return "needs a discrete label; the task has none"
    limit = spec.max_dim if spec.max_dim is not None else max_dim
    if limit and task.dim_x + task.dim_y > limit:
        return f"dimension {task.dim_x + task.dim_y} above the estimator's limit {limit}"
    return ""


def _sample_sets(task: _tasks.Task, n: int, seeds: int, seed: int) -> tuple[jax.Array, jax.Array]:
    """``seeds`` sample sets of size ``n``, the same for every estimator."""
    task_key = jax.random.fold_in(jax.random.PRNGKey(seed), zlib.crc32(task.name.encode()))
    keys = jax.random.split(jax.random.fold_in(task_key, n), seeds)
    return jax.vmap(lambda key: task.sample(key, n, dtype=jnp.float32))(keys)


def _batched_estimator(job: Job, seeds: int, seed: int) -> Callable[[jax.Array, jax.Array], Any]:
    """``(xs, ys) -> estimates`` over the leading (seed) axis."""
    bound = job.estimator.bind(**job.options)

    def single(key, x, y):
        # Mixed estimators take (continuous features, integer labels).
        args = (y, x[:, 0].astype(jnp.int32)) if job.task.x_discrete else (x, y)
        return bound(key, *args) if job.estimator.needs_key else bound(*args)

    keys = jax.random.split(jax.random.PRNGKey(seed + 1), seeds)
    if job.estimator.jittable:
        batched = jax.jit(jax.vmap(single))
        return lambda xs, ys: batched(keys, xs, ys)
    return lambda xs, ys: jnp.stack([single(*a) for a in zip(keys, xs, ys, strict=True)])


def run_job(job: Job, *, seeds: int, seed: int) -> tuple[np.ndarray, float]:
    """Estimates of every seed and the wall time per estimate (compilation excluded)."""
    xs, ys = _sample_sets(job.task, job.n, seeds, seed)
    estimate = _batched_estimator(job, seeds, seed)
    jax.block_until_ready(estimate(xs, ys))  # compile and warm up
    start = time.perf_counter()
    values = jax.block_until_ready(estimate(xs, ys))
    return np.asarray(values, dtype=np.float64), (time.perf_counter() - start) / seeds


def _job_key(estimator: str, task: str, n: int) -> tuple[str, str, int]:
    return estimator, task, int(n)


def _finished_jobs(results: MetricsFile, seeds: int) -> set[tuple[str, str, int]]:
    """Jobs with all ``seeds`` rows in the results file; drops a half-written last line."""
    counts: dict[tuple[str, str, int], int] = {}
    for row in results.keep_rows():
        key = _job_key(row[0], row[1], int(row[7]))
        counts[key] = counts.get(key, 0) + 1
    return {key for key, count in counts.items() if count >= seeds}


def _rows(job: Job, estimates: np.ndarray, seconds: float) -> list[list[object]]:
    task = job.task
    truth = task.mutual_information
    return [
        [
            job.estimator.name,
            task.name,
            task.family,
            task.tails,
            int(bool(task.transforms)),
            task.dim_x,
            task.dim_y,
            job.n,
            seed,
            f"{value:.6g}",
            f"{truth:.6g}",
            f"{value - truth:.6g}",
            f"{seconds:.4g}",
        ]
        for seed, value in enumerate(estimates)
    ]


def run_benchmark(config: ml_collections.ConfigDict, workdir: str | os.PathLike) -> dict[str, Any]:
    """Runs the benchmark that ``config`` describes, writing into ``workdir``.

    The run directory gets ``config.json``, ``results.csv`` (one row per estimator,
    task, sample size and seed: estimate, truth, error in nats, seconds per estimate),
    ``skipped.csv`` (pairs that do not apply, and jobs that raised), ``summary.md``
    (mean absolute error, bias, standard deviation and time per estimator and task
    family) and PNG plots. Running it again on the same directory skips finished jobs.

    Returns:
      ``{"workdir", "jobs", "ran", "skipped", "failed"}``.
    """
    jobs, skipped = plan_benchmark(config)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.json").write_text(json.dumps(config.to_dict(), indent=2, default=list))
    results = MetricsFile(workdir / "results.csv", RESULT_COLUMNS)
    done = _finished_jobs(results, config.seeds)
    todo = [j for j in jobs if _job_key(j.estimator.name, j.task.name, j.n) not in done]
    failed: list[Skip] = []
    bar = tqdm.tqdm(todo, desc="benchmark", unit="job", disable=not config.progress)
    for job in bar:
        bar.set_postfix_str(f"{job.estimator.name} on {job.task.name}, n={job.n}")
        try:
            estimates, seconds = run_job(job, seeds=config.seeds, seed=config.seed)
        except Exception as error:
            message = f"error: {type(error).__name__}: {error}".replace("\n", " ")[:300]
            failed.append(Skip(job.estimator.name, job.task.name, message))
            traceback.print_exc()
            continue
        results.append(_rows(job, estimates, seconds))
    with (workdir / "skipped.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("estimator", "task", "reason"))
        writer.writerows(dataclasses.astuple(s) for s in [*skipped, *failed])
    write_report(workdir, skipped=[*skipped, *failed])
    return {
        "workdir": workdir,
        "jobs": len(jobs),
        "ran": len(todo) - len(failed),
        "skipped": skipped,
        "failed": failed,
    }
