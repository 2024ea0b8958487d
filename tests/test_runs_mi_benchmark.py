"""The ground-truth benchmark runner: planning, resuming, tables, the quick config."""

import csv

import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest
from config_files import load_config

import infojax.bounds  # noqa: F401 - registers the neural estimators
from infojax import estimators
from infojax import runs
from infojax import tasks
from infojax.io import RunDirectoryError
from infojax.runs import ConfigError
from infojax.runs import mi_benchmark as benchmark
from infojax.runs.mi_benchmark import _experiment


def _small_config(**fields):
    config = benchmark.get_config()
    config.seeds = 3
    config.sample_sizes = (200,)
    config.tasks = ("normal-dense-1x1-rho0.5", "normal-dense-2x2-rho0.5", "discrete-continuous-m2")
    config.estimators = ("gaussian", "mixed_ksg")
    config.progress = False
    for name, value in fields.items():
        setattr(config, name, value)
    return config


def _rows(workdir):
    with (workdir / "results.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_plan_skips_what_does_not_apply():
    jobs, skipped = benchmark.plan_benchmark(_small_config(max_dim=3))
    ran = {(job.estimator.name, job.task.name) for job in jobs}
    assert ran == {
        ("gaussian", "normal-dense-1x1-rho0.5"),
        ("mixed_ksg", "discrete-continuous-m2"),
    }
    reasons = {(s.estimator, s.task): s.reason for s in skipped}
    assert "dimension 4" in reasons[("gaussian", "normal-dense-2x2-rho0.5")]
    assert "discrete" in reasons[("gaussian", "discrete-continuous-m2")]
    assert "label" in reasons[("mixed_ksg", "normal-dense-1x1-rho0.5")]


def test_results_match_direct_estimates(tmp_path):
    result = benchmark.run(_small_config(), tmp_path)
    assert result.finished and result.done == result.total == 3
    assert "error" not in (tmp_path / "skipped.csv").read_text()
    rows = _rows(tmp_path)
    assert len(rows) == 3 * 3  # (2 normal tasks for gaussian + 1 for mixed_ksg) x 3 seeds
    suite = {task.name: task for task in tasks.default_suite()}
    for row in rows:
        task = suite[row["task"]]
        assert float(row["truth"]) == pytest.approx(task.mutual_information, rel=1e-5)
        assert float(row["error"]) == pytest.approx(
            float(row["estimate"]) - float(row["truth"]), abs=2e-5
        )
    # The batched, jitted pipeline gives what one direct call gives on the same samples.
    job = next(
        j
        for j in benchmark.plan_benchmark(_small_config())[0]
        if j.task.name == suite["normal-dense-2x2-rho0.5"].name
    )
    xs, ys = _experiment._sample_sets(job.task, 200, 3, 0)
    direct = [
        float(estimators.gaussian_mutual_information(x, y)) for x, y in zip(xs, ys, strict=True)
    ]
    recorded = [float(r["estimate"]) for r in rows if r["task"] == job.task.name]
    np.testing.assert_allclose(recorded, direct, rtol=1e-4)
    assert (tmp_path / "summary.md").read_text().count("| gaussian |") >= 1
    assert (tmp_path / "estimate_vs_truth.png").stat().st_size > 0
    assert (tmp_path / "error_vs_dimension.png").stat().st_size > 0
    skipped = (tmp_path / "skipped.csv").read_text()
    assert "gaussian,discrete-continuous-m2" in skipped


def _without_seconds(text):
    return sorted(line.rsplit(",", 1)[0] for line in text.splitlines())


@pytest.mark.parametrize(
    "damage",
    [
        # Killed during the last job: its rows lost, and a half-written line left.
        lambda lines: [*lines[:-3], lines[-3][:10]],
        # Killed after a job's second row: the rows it has must not be repeated.
        lambda lines: lines[:-1],
        # A row lost from the middle of the file, and a row written twice.
        lambda lines: lines[:2] + lines[3:] + [lines[5]],
    ],
)
def test_resume_neither_loses_nor_duplicates_rows(tmp_path, damage):
    config = _small_config()
    benchmark.run(config, tmp_path)
    complete = (tmp_path / "results.csv").read_text()
    lines = complete.splitlines(keepends=True)
    (tmp_path / "results.csv").write_text("".join(damage(lines)))
    result = benchmark.run(config, tmp_path)
    assert result.finished and 1 <= result.units <= 2
    assert _without_seconds((tmp_path / "results.csv").read_text()) == _without_seconds(complete)
    assert benchmark.run(config, tmp_path).units == 0


@pytest.mark.parametrize(
    ("field", "value"), [("seeds", 4), ("seed", 5), ("sample_sizes", (200, 300))]
)
def test_resume_with_another_config_is_refused(tmp_path, field, value):
    benchmark.run(_small_config(), tmp_path)
    before = {name: (tmp_path / name).read_text() for name in ("results.csv", "config.json")}
    with pytest.raises(RunDirectoryError, match=f"another config.*`{field}`"):
        benchmark.run(_small_config(**{field: value}), tmp_path)
    for name, text in before.items():
        assert (tmp_path / name).read_text() == text
    # What only changes how the run is shown may change.
    assert benchmark.run(_small_config(progress=True), tmp_path).units == 0


def test_rows_of_unplanned_jobs_are_refused_not_dropped(tmp_path):
    config = _small_config()
    benchmark.run(config, tmp_path)
    path = tmp_path / "results.csv"
    lines = path.read_text().splitlines(keepends=True)
    foreign = lines[1].replace("gaussian,", "no_such_estimator,", 1)
    path.write_text("".join([*lines, foreign]))
    with pytest.raises(RunDirectoryError, match=r"does not plan.*no_such_estimator"):
        benchmark.run(config, tmp_path)
    assert path.read_text().endswith(foreign)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("estimators", ("no_such_estimator",), "Unknown estimator"),
        ("estimators", ("kl_entropy",), "not mutual information"),
        ("tasks", ("no-such-task",), "unknown task"),
        ("seeds", 0, "seeds"),
        ("seeds", 2.5, "seeds"),
        ("sample_sizes", (5,), "sample_sizes"),
        ("max_dim", -1, "max_dim"),
        ("suite", "big", "suite"),
        ("estimator_options", {"ksg": {"k": 3}}, "estimator_options.ksg"),
        ("estimator_options", {"gaussian": {"kk": 3}}, "Unknown option.*kk"),
        # Values the estimator's own checks reject, found before any estimate.
        ("estimator_options", {"mixed_ksg": {"k": 500}}, "mixed_ksg.*n = 200"),
        ("estimators", ("neural_infonce",), None),
    ],
)
def test_bad_configs_fail_before_running(tmp_path, field, value, message):
    config = _small_config().to_dict()
    if message is None:  # a neural bound with a negative step count
        field, value, message = "estimator_options", {"neural_infonce": {"steps": -1}}, "steps"
        config["estimators"] = ("neural_infonce",)
    config[field] = value
    with pytest.raises(ConfigError, match=message):
        runs.run(config, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_unknown_and_mistyped_fields_are_found_by_comparison_with_the_default(tmp_path):
    config = _small_config().to_dict()
    config["sample_size"] = (200,)
    with pytest.raises(ConfigError, match=r"unknown field `sample_size`.*`sample_sizes`"):
        runs.run(config, tmp_path / "run")
    config = _small_config().to_dict()
    del config["max_dim"]
    with pytest.raises(ConfigError, match="missing field `max_dim`"):
        runs.run(config, tmp_path / "run")
    config = _small_config().to_dict()
    config["tasks"] = "normal-dense-1x1-rho0.5"
    with pytest.raises(ConfigError, match="`tasks` must be a sequence"):
        runs.run(config, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_accuracy_table_by_hand():
    rows = [
        {
            "estimator": "e",
            "family": "f",
            "n": 10,
            "task": t,
            "estimate": est,
            "error": err,
            "seconds": s,
        }
        for t, est, err, s in [("a", 1.0, 0.5, 1.0), ("a", 2.0, 1.5, 3.0), ("b", 0.0, -1.0, 2.0)]
    ]
    table = {r["family"]: r for r in benchmark.accuracy_table(rows)}
    assert table["f"]["mae"] == pytest.approx(1.0)
    assert table["f"]["median_ae"] == pytest.approx(1.0)
    assert table["f"]["bias"] == pytest.approx(1.0 / 3.0)
    assert table["f"]["std"] == pytest.approx((0.5 + 0.0) / 2)  # std over seeds, per task
    assert table["f"]["seconds"] == pytest.approx(2.0)
    assert table["all"]["tasks"] == 2


def test_quick_config_end_to_end(tmp_path):
    config = load_config("mi_benchmark/quick.py")
    config.progress = False
    result = runs.run(config, tmp_path)
    assert result.finished
    assert "error" not in (tmp_path / "skipped.csv").read_text()
    rows = _rows(tmp_path)
    assert len(rows) == result.total * config.seeds
    assert all(np.isfinite(float(r["estimate"])) for r in rows)
    # KSG at n = 1000 on a 1-D Gaussian pair with MI 0.41 nats: its standard deviation
    # there is about 0.03 nats (Kraskov et al. 2004, fig. 4), so 0.15 is generous.
    ksg = [
        float(r["error"])
        for r in rows
        if r["estimator"] == "ksg" and r["task"] == "normal-dense-1x1-rho0.75"
    ]
    assert np.all(np.abs(ksg) < 0.15)
    assert jnp.isfinite(jnp.asarray([float(r["seconds"]) for r in rows])).all()


def test_club_config_end_to_end_on_one_task(tmp_path):
    config = load_config("mi_benchmark/club.py")
    assert set(config.estimators) == {"neural_club", "neural_infonce"}
    config.progress = False
    config.tasks = ("normal-dense-1x1-rho0.75",)
    config.sample_sizes = (500,)
    config.estimator_options = ml_collections.ConfigDict(
        {name: {"steps": 100} for name in config.estimators}
    )
    result = runs.run(config, tmp_path)
    assert result.finished
    rows = {r["estimator"]: r for r in _rows(tmp_path)}
    assert set(rows) == {"neural_club", "neural_infonce"}
    assert all(np.isfinite(float(r["estimate"])) for r in rows.values())
    summary = (tmp_path / "summary.md").read_text()
    assert "| neural_club |" in summary and "| neural_infonce |" in summary

