"""The ground-truth benchmark: registered estimators x tasks with known MI x seeds.

For every (estimator, task, sample size) that applies, ``run(config, workdir)`` draws
``config.seeds`` independent sample sets (the same ones for every estimator),
estimates MI on all of them in one ``jax.vmap``-ed, compiled call, and appends one CSV
row per seed. A re-run on the same directory checks the results file and runs only
the jobs whose rows are not all there.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import time
import warnings
import zlib
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np

from infojax import tasks as _tasks
from infojax._registry import EstimatorSpec
from infojax._registry import get_estimator
from infojax._registry import list_estimators
from infojax.io import MetricsFile
from infojax.io import RunDirectoryError
from infojax.io import audit_rows
from infojax.runs._config import ConfigError
from infojax.runs._config import as_config_dict
from infojax.runs._config import check_config as _check_against
from infojax.runs._config import is_mapping
from infojax.runs._config import positive_int
from infojax.runs._distributed import allgather
from infojax.runs._distributed import broadcast
from infojax.runs._distributed import check_distributed
from infojax.runs._distributed import initialize as initialize_distributed
from infojax.runs._distributed import is_primary
from infojax.runs._distributed import run_directory
from infojax.runs._loop import RunResult
from infojax.runs._loop import run_units
from infojax.runs.mi_benchmark._report import write_report
from infojax.runs.mi_benchmark.config import get_config

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

# Fields that change how a run is shown or launched, not what it computes.
RUNTIME_FIELDS = ("progress", "distributed")

# Options are given per estimator name, for the estimators of the user's choosing.
_OPEN_SECTIONS = ("estimator_options",)


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
    raise ConfigError(f"Invalid config: `suite` must be 'default', got {name!r}.")


def check_config(config: ml_collections.ConfigDict) -> None:
    """Checks a benchmark config's fields, types and values, estimator options included.

    The fields and their types are those of the default config (:func:`get_config`).
    Every estimator's options are checked by tracing it once on abstract samples of
    each sample size (no estimate is computed), so a value its function rejects
    (``steps=-1``, ``k >= n``) fails here, before any work.

    Raises:
      ConfigError: naming the first bad field.
    """
    plan_benchmark(config)


def plan_benchmark(config: ml_collections.ConfigDict) -> tuple[list[Job], list[Skip]]:
    """The jobs a config asks for, and the (estimator, task) pairs that do not apply.

    Raises:
      ConfigError: for an invalid config (see :func:`check_config`).
    """
    _check_against(config, get_config(), open_sections=_OPEN_SECTIONS)
    check_distributed(config)
    positive_int(config, "seeds")
    positive_int(config, "max_dim", minimum=0)
    sizes = config.sample_sizes
    if not sizes or any(isinstance(n, bool) or not isinstance(n, int) or n < 10 for n in sizes):
        raise ConfigError(f"Invalid config: `sample_sizes` must be integers >= 10, got {sizes!r}.")
    suite = _suite(config.suite)
    names = {task.name for task in suite}
    missing = [name for name in config.tasks if name not in names]
    if missing:
        raise ConfigError(f"Invalid config: unknown task(s) {missing} in `tasks`.")
    try:
        specs = (
            [get_estimator(name) for name in config.estimators]
            if config.estimators
            else list_estimators(quantity="mutual_information")
        )
    except ValueError as error:
        raise ConfigError(f"Invalid config: `estimators`: {error}") from None
    for spec in specs:
        if spec.quantity != "mutual_information":
            raise ConfigError(
                f"Invalid config: `estimators`: {spec.name!r} estimates {spec.quantity}, "
                "not mutual information."
            )
    chosen = {spec.name for spec in specs}
    for name, options in config.estimator_options.items():
        if name not in chosen:
            raise ConfigError(
                f"Invalid config: `estimator_options.{name}`: {name!r} is not among the "
                f"estimators run ({sorted(chosen)})."
            )
        if not is_mapping(options):
            raise ConfigError(
                f"Invalid config: `estimator_options.{name}` must map option names to "
                f"values, got {options!r}."
            )
    tasks = [task for task in suite if not config.tasks or task.name in config.tasks]
    jobs, skipped = [], []
    for spec in specs:
        options = dict(config.estimator_options.get(spec.name, {}))
        applicable = []
        for task in tasks:
            reason = _not_applicable(spec, task, config.max_dim)
            if reason:
                skipped.append(Skip(spec.name, task.name, reason))
            else:
                applicable.append(task)
        for n in config.sample_sizes:
            if applicable:
                _check_options(Job(spec, options, applicable[0], n), config.seeds, config.seed)
            jobs.extend(Job(spec, options, task, n) for task in applicable)
    return jobs, skipped


def _check_options(job: Job, seeds: int, seed: int) -> None:
    """Traces ``job``'s batched estimator on abstract samples: its checks run, nothing else."""
    task = job.task
    try:
        estimate = _batched_estimator(job, seeds, seed)
        jax.eval_shape(
            estimate,
            jax.ShapeDtypeStruct((seeds, job.n, task.dim_x), jnp.float32),
            jax.ShapeDtypeStruct((seeds, job.n, task.dim_y), jnp.float32),
        )
    except (TypeError, ValueError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ConfigError(
            f"Invalid config: estimator {job.estimator.name!r} (options "
            f"{job.options or 'default'}) at n = {job.n}: {message}"
        ) from None


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
    task_key = jax.random.fold_in(jax.random.key(seed), zlib.crc32(task.name.encode()))
    keys = jax.random.split(jax.random.fold_in(task_key, n), seeds)
    return jax.vmap(lambda key: task.sample(key, n, dtype=jnp.float32))(keys)


def _batched_estimator(job: Job, seeds: int, seed: int) -> Callable[[jax.Array, jax.Array], Any]:
    """``(xs, ys) -> estimates`` over the leading (seed) axis."""
    bound = job.estimator.bind(**job.options)

    def single(key, x, y):
        # Mixed estimators take (continuous features, integer labels).
        args = (y, x[:, 0].astype(jnp.int32)) if job.task.x_discrete else (x, y)
        return bound(key, *args) if job.estimator.needs_key else bound(*args)

    keys = jax.random.split(jax.random.key(seed + 1), seeds)
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


def _job_key(job: Job) -> tuple[str, str, str]:
    """A job's identity in ``results.csv``: its (estimator, task, n) columns as written."""
    return job.estimator.name, job.task.name, str(job.n)


def run(
    config: ml_collections.ConfigDict, workdir: str | os.PathLike, *, max_jobs: int | None = None
) -> RunResult:
    """Runs the benchmark that ``config`` describes, writing into ``workdir``.

    The run directory gets ``config.json``, ``results.csv`` (one row per estimator,
    task, sample size and seed: estimate, truth, error in nats, seconds per estimate),
    ``skipped.csv`` (pairs that do not apply, and jobs that raised), ``summary.md``
    (mean absolute error, bias, standard deviation and time per estimator and task
    family) and PNG plots.

    With ``distributed.enabled`` every process of a multi-process run calls this with
    the same config and ``workdir``: process ``i`` runs job ``i`` of each round of as
    many jobs as processes, and process 0 writes every row and the report.

    Running it again on the same directory resumes: a job counts as done when
    ``results.csv`` has each of its seeds exactly once; the rows of a job that is not
    done (cut short by a crash, say) are dropped and the job runs again. Rows of jobs
    that the config does not plan are refused, not dropped.

    Args:
      config: a benchmark config (``configs/mi_benchmark/*.py``).
      workdir: the run directory (created when absent; locked while the run lasts).
      max_jobs: stop after this many jobs (None: run them all); a later call continues.

    Returns:
      A :class:`infojax.runs.RunResult`; ``done`` counts the finished jobs.

    Raises:
      ConfigError: an invalid config, estimator options included, before any work.
      infojax.io.RunDirectoryError: the workdir is in use, unwritable, holds a run of
        another config, or its results file holds rows of jobs this config does not
        plan.
    """
    config = as_config_dict(config)
    started = time.perf_counter()
    # Joined before planning: tracing the estimators starts JAX's backends.
    _check_against(config, get_config(), open_sections=_OPEN_SECTIONS)
    check_distributed(config)
    initialize_distributed(config.distributed)
    jobs, skipped = plan_benchmark(config)
    processes, primary = jax.process_count(), is_primary()
    with run_directory(workdir, config.to_dict(), runtime_fields=RUNTIME_FIELDS) as directory:
        # Process 0 reads and writes the files; the others run the jobs it leaves them.
        results = MetricsFile(directory.file("results.csv"), RESULT_COLUMNS) if primary else None
        finished = np.zeros(len(jobs), dtype=bool)
        if primary:
            done = _finished_jobs(results, jobs, config.seeds)
            finished = np.asarray([_job_key(job) in done for job in jobs], dtype=bool)
        finished = broadcast(finished).astype(bool)
        todo = [job for job, is_done in zip(jobs, finished, strict=True) if not is_done]
        if max_jobs is not None:
            todo = todo[:max_jobs]
        # Process i runs job i of each round; process 0 writes the round's rows.
        rounds = [todo[first : first + processes] for first in range(0, len(todo), processes)]
        failed: list[Skip] = []
        jobs_run = 0

        def run_round(jobs_of_round: list[Job]) -> None:
            nonlocal jobs_run
            index = jax.process_index()
            own = jobs_of_round[index] if index < len(jobs_of_round) else None
            outcomes = allgather(_run_encoded(own, config.seeds, config.seed))
            jobs_run += len(jobs_of_round)
            if not primary:
                return
            for job, outcome in zip(jobs_of_round, outcomes, strict=False):
                estimates, seconds, message = _decoded(outcome, config.seeds)
                if message:
                    failed.append(Skip(job.estimator.name, job.task.name, message))
                else:
                    results.append(_rows(job, estimates, seconds))

        _, interrupted = run_units(
            rounds,
            run_round,
            size=len,
            total=len(jobs),
            initial=int(finished.sum()),
            description="benchmark",
            unit_name="jobs",
            progress=config.progress and primary,
            status=lambda jobs_of_round: "; ".join(
                f"{job.estimator.name} on {job.task.name}, n={job.n}" for job in jobs_of_round
            ),
        )
        # Every job run without failing appended all its rows.
        finished_jobs = int(finished.sum()) + jobs_run - int(broadcast(np.int64(len(failed))))
        if primary:
            with directory.file("skipped.csv").open("w", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(("estimator", "task", "reason"))
                writer.writerows(dataclasses.astuple(s) for s in [*skipped, *failed])
            write_report(directory.path, skipped=[*skipped, *failed])
    seconds = time.perf_counter() - started
    return RunResult(
        workdir=directory.path,
        finished=finished_jobs == len(jobs),
        interrupted=interrupted,
        units=jobs_run,
        done=finished_jobs,
        total=len(jobs),
        unit="job",
        seconds=seconds,
        total_seconds=seconds,
    )


# A failed job's message travels between processes as this many UTF-8 bytes.
_MESSAGE_BYTES = 1200


def _run_encoded(job: Job | None, seeds: int, seed: int) -> np.ndarray:
    """``job``'s outcome as one float64 vector: estimates, seconds, error message bytes.

    An estimator that fails on a task is a result: its message (empty when it ran) is
    reported in ``skipped.csv``. ``None`` (no job for this process) encodes nothing.
    """
    estimates, seconds, message = np.zeros(seeds), 0.0, ""
    if job is not None:
        try:
            estimates, seconds = run_job(job, seeds=seeds, seed=seed)
        except Exception as error:
            message = f"error: {type(error).__name__}: {error}".replace("\n", " ")[:300]
            warnings.warn(
                f"{job.estimator.name} on {job.task.name}, n = {job.n}: {message}",
                RuntimeWarning,
                stacklevel=2,
            )
    text = np.frombuffer(message.encode()[:_MESSAGE_BYTES].ljust(_MESSAGE_BYTES, b"\0"), np.uint8)
    return np.concatenate([estimates, [seconds], text.astype(np.float64)])


def _decoded(outcome: np.ndarray, seeds: int) -> tuple[np.ndarray, float, str]:
    text = outcome[seeds + 1 :].astype(np.uint8).tobytes().rstrip(b"\0")
    return outcome[:seeds], float(outcome[seeds]), text.decode(errors="replace")


def _finished_jobs(results: MetricsFile, jobs: list[Job], seeds: int) -> set[tuple[str, ...]]:
    """The planned jobs with each seed's row exactly once in ``results``.

    Drops a half-written last line and the rows of unfinished jobs (they run again).

    Raises:
      RunDirectoryError: ``results`` holds rows of jobs that are not planned.
    """
    group_of = lambda row: (row[0], row[1], row[7])
    expected = {_job_key(job): {str(seed) for seed in range(seeds)} for job in jobs}
    audit = audit_rows(
        results.keep_rows(), group_of=group_of, key_of=lambda row: row[8], expected=expected
    )
    foreign = sorted(group for group in audit.unexpected if group not in expected)
    if foreign:
        raise RunDirectoryError(
            f"{results.path} holds rows of {len(foreign)} job(s) this config does not plan "
            f"(first: {', '.join(foreign[0])}); restore the config it was run with, or use "
            "another --workdir."
        )
    if audit.faulty or audit.unexpected:
        results.keep_rows(lambda row: group_of(row) in audit.complete)
    return set(audit.complete)
