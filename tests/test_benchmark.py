"""The ground-truth benchmark runner: planning, resuming, tables, the quick config."""

import csv
import sys
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import infojax.benchmark as benchmark
import infojax.bounds  # noqa: F401 - registers the neural estimators
from infojax import estimators
from infojax import io
from infojax import tasks

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from configs.mi_benchmark import default
from configs.mi_benchmark import quick


def _small_config(**fields):
    config = default.get_config()
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
    result = benchmark.run_benchmark(_small_config(), tmp_path)
    assert result["failed"] == []
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
    xs, ys = benchmark._runner._sample_sets(job.task, 200, 3, 0)
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


def test_resume_neither_loses_nor_duplicates_rows(tmp_path):
    config = _small_config()
    benchmark.run_benchmark(config, tmp_path)
    complete = (tmp_path / "results.csv").read_text()
    lines = complete.splitlines(keepends=True)
    # Interrupted during the last job: its rows lost, and a half-written line left.
    (tmp_path / "results.csv").write_text("".join(lines[:-3]) + lines[-3][:10])
    result = benchmark.run_benchmark(config, tmp_path)
    assert result["ran"] == 1
    without_seconds = lambda text: sorted(line.rsplit(",", 1)[0] for line in text.splitlines())
    assert without_seconds((tmp_path / "results.csv").read_text()) == without_seconds(complete)
    assert benchmark.run_benchmark(config, tmp_path)["ran"] == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("estimators", ("no_such_estimator",), "Unknown estimator"),
        ("estimators", ("kl_entropy",), "not mutual information"),
        ("tasks", ("no-such-task",), "unknown task"),
        ("seeds", 0, "seeds"),
        ("sample_sizes", (5,), "sample_sizes"),
    ],
)
def test_bad_configs_fail_before_running(tmp_path, field, value, message):
    config = _small_config()
    with config.unlocked():
        setattr(config, field, value)
    with pytest.raises(ValueError, match=message):
        io.run(config, tmp_path)
    assert not (tmp_path / "results.csv").exists()


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
    config = quick.get_config()
    config.progress = False
    result = io.run(config, tmp_path)
    assert result["failed"] == []
    rows = _rows(tmp_path)
    assert len(rows) == result["jobs"] * config.seeds
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
