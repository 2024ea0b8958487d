"""Runs across processes: the ``distributed`` config group, and real two-process runs on
localhost (``python -m experiments.launch``) checked against one process, killed and
resumed."""

import csv
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from config_files import ROOT
from config_files import load_config

from experiments import launch
from infojax.io import read_metrics
from infojax.runs import ConfigError
from infojax.runs import run

# A tiny information-plane run: 2 seeds x 3 epochs in chunks of 2, every epoch measured.
_TINY = (
    "--config=configs/information_plane/default.py",
    "--config.seeds=2",
    "--config.train.epochs=3",
    "--config.train.chunk_epochs=2",
    "--config.tracking.epochs.count=4",
    "--config.progress=False",
    "--config.distributed.heartbeat_timeout_seconds=10",
    "--config.distributed.initialization_timeout_seconds=60",
)


def _environment():
    # The processes import this checkout's infojax and experiments.
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def _launch(arguments, *, processes=2, timeout=300):
    command = [sys.executable, "-m", "experiments.launch", f"--processes={processes}", "--"]
    return subprocess.run(
        [*command, *arguments],
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _single_process(config_file, overrides, workdir):
    """The same run in this process, on its one CPU device."""
    config = load_config(config_file)
    for argument in overrides:
        if not argument.startswith("--config.") or argument.startswith("--config.distributed."):
            continue
        name, value = argument.removeprefix("--config.").split("=", 1)
        section = config
        *parents, field = name.split(".")
        for parent in parents:
            section = section[parent]
        section[field] = type(section[field])(value) if value != "False" else False
    config.cpu_devices = 0  # JAX already runs in the test process
    return run(config, workdir)


def _assert_same_information_plane(multi, single):
    """The tolerances of the 4-device test (test_runs_information_plane)."""
    np.testing.assert_array_equal(multi["estimator"], single["estimator"])
    for name in ("epoch", "seed", "layer"):
        np.testing.assert_array_equal(multi[name], single[name])
    for name in ("train_loss", "train_accuracy", "test_loss", "test_accuracy"):
        np.testing.assert_allclose(multi[name], single[name], rtol=1e-4, atol=1e-6)
    kde = single["estimator"] == "kde"
    for name in ("input_information_bits", "label_information_bits"):
        np.testing.assert_allclose(multi[name][kde], single[name][kde], rtol=1e-4, atol=1e-5)
        # One of n = 4096 samples changing bin moves a binned entropy by <= 0.003 bits.
        np.testing.assert_allclose(multi[name][~kde], single[name][~kde], atol=6e-3)


# --- the config group ---


_BAD_GROUPS = [
    ({"num_processes": 2, "process_id": 2}, r"`distributed.process_id` = 2 must be below"),
    ({"num_processes": 2, "process_id": -1}, r"`distributed.process_id` must be None or"),
    ({"num_processes": 0, "process_id": 0}, r"`distributed.num_processes` must be None or"),
    ({"num_processes": 2}, r"`distributed.num_processes` and `distributed.process_id`"),
    ({"coordinator_address": "localhost"}, r"`distributed.coordinator_address` must be host:port"),
    ({"coordinator_address": "10.0.0.1:99999"}, r"`distributed.coordinator_address`"),
    ({"coordinator_address": ":1234"}, r"`distributed.coordinator_address`"),
    ({"heartbeat_timeout_seconds": 0}, r"`distributed.heartbeat_timeout_seconds`"),
]


@pytest.mark.parametrize(
    "config_file",
    ["information_plane/default.py", "ib_curve/default.py", "mi_benchmark/quick.py"],
)
@pytest.mark.parametrize("fields, message", _BAD_GROUPS)
def test_bad_distributed_fields_fail_before_anything_runs(config_file, fields, message, tmp_path):
    config = load_config(config_file)
    if "cpu_devices" in config:
        config.cpu_devices = 0
    config.distributed.enabled = True
    config.distributed.update(fields)
    workdir = tmp_path / "run"
    with pytest.raises(ConfigError, match=message):
        run(config, workdir)
    assert not workdir.exists()


def test_distributed_group_overrides_from_the_command_line(tmp_path):
    # A bad process id on the command line is one line on stderr, before any work.
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.main",
            f"--workdir={tmp_path / 'run'}",
            "--config.distributed.enabled=True",
            "--config.distributed.coordinator_address=127.0.0.1:1234",
            "--config.distributed.num_processes=2",
            "--config.distributed.process_id=5",
        ],
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 2, completed.stderr[-2000:]
    assert "`distributed.process_id` = 5 must be below" in completed.stderr
    assert not (tmp_path / "run").exists()


def test_launcher_gives_each_process_its_id():
    port = launch.free_port()
    commands = launch.process_commands(["--config=x.py"], 3, port)
    assert [command[-1] for command in commands] == [
        f"--config.distributed.process_id={index}" for index in range(3)
    ]
    assert all(f"--config.distributed.coordinator_address=127.0.0.1:{port}" in c for c in commands)
    assert all("--config=x.py" in command for command in commands)


# --- two processes on localhost ---


def test_two_processes_match_one_information_plane(tmp_path):
    workdir = tmp_path / "two"
    completed = _launch([*_TINY, f"--workdir={workdir}", "--config.cpu_devices=1"])
    assert completed.returncode == 0, completed.stderr[-4000:]
    _single_process("information_plane/default.py", _TINY[1:], tmp_path / "one")
    multi = read_metrics(workdir / "metrics.csv")
    _assert_same_information_plane(multi, read_metrics(tmp_path / "one" / "metrics.csv"))
    # Process 0 alone wrote the report; the seeds ran on the devices of both.
    assert "devices: 2" in (workdir / "summary.md").read_text()
    assert (workdir / "training_curves.png").is_file()


@pytest.mark.slow  # about 100 s on 2 cores
def test_killed_process_stops_the_other_and_a_rerun_resumes(tmp_path):
    workdir = tmp_path / "run"
    arguments = [
        *_TINY,
        "--config.train.epochs=12",
        "--config.train.chunk_epochs=1",
        f"--workdir={workdir}",
        "--config.cpu_devices=1",
    ]
    commands = launch.process_commands(arguments, 2, launch.free_port())
    children = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=_environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    try:
        checkpoints = workdir / "checkpoints"
        deadline = time.monotonic() + 240
        while not (
            checkpoints.is_dir() and any(entry.name.isdigit() for entry in checkpoints.iterdir())
        ):
            assert time.monotonic() < deadline, "no checkpoint within 240 s"
            assert all(child.poll() is None for child in children)
            time.sleep(0.05)
        children[1].send_signal(signal.SIGKILL)
        killed = time.monotonic()
        # The survivor stops once the heartbeat timeout (10 s) says its peer is gone.
        _, survivor_errors = children[0].communicate(timeout=90)
        stopped_after = time.monotonic() - killed
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
            child.wait()
    assert children[1].returncode == -signal.SIGKILL
    assert children[0].returncode != 0, "process 0 finished although its peer died"
    assert stopped_after < 60
    assert "task" in survivor_errors and "died" in survivor_errors, survivor_errors[-3000:]
    metrics_before = read_metrics(workdir / "metrics.csv")
    assert metrics_before["epoch"].size and metrics_before["epoch"].max() < 12

    completed = _launch(arguments)
    assert completed.returncode == 0, completed.stderr[-4000:]
    resumed = read_metrics(workdir / "metrics.csv")
    _single_process("information_plane/default.py", arguments[1:], tmp_path / "one")
    # Nothing lost or duplicated: the same rows, in order, as an uninterrupted run.
    _assert_same_information_plane(resumed, read_metrics(tmp_path / "one" / "metrics.csv"))


def _benchmark_rows(workdir):
    with (workdir / "results.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    return {(r["estimator"], r["task"], r["n"], r["seed"]): r for r in rows}


@pytest.mark.slow  # about 100 s on 2 cores
def test_two_processes_match_one_benchmark(tmp_path):
    workdir = tmp_path / "two"
    overrides = ("--config.progress=False",)
    completed = _launch(
        ["--config=configs/mi_benchmark/quick.py", f"--workdir={workdir}", *overrides]
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    config = load_config("mi_benchmark/quick.py")
    config.progress = False
    single = run(config, tmp_path / "one")
    multi_rows, single_rows = _benchmark_rows(workdir), _benchmark_rows(tmp_path / "one")
    # Every row exactly once (the file's rows are unique keys), the same estimates: each
    # job ran whole on one CPU device of one process, as in the single-process run.
    assert len(multi_rows) == single.total * config.seeds
    with (workdir / "results.csv").open() as handle:
        assert sum(1 for _ in handle) == len(multi_rows) + 1
    assert multi_rows.keys() == single_rows.keys()
    for key, row in single_rows.items():
        for name in ("estimate", "truth", "error"):
            assert float(multi_rows[key][name]) == pytest.approx(float(row[name]), rel=1e-5)
    assert (workdir / "summary.md").is_file()
    assert "error" not in (workdir / "skipped.csv").read_text()


def test_launcher_stops_at_a_bad_command_line(tmp_path):
    completed = _launch(["--config.no_such_field=1", f"--workdir={tmp_path / 'run'}"], timeout=120)
    assert completed.returncode == 2
    assert completed.stderr.count("unknown config field") == 2


def test_two_processes_match_one_ib_curve(tmp_path):
    # 3 betas x 2 seeds and 2 baselines: 8 networks, 4 on each process's device.
    arguments = [
        "--config=configs/ib_curve/default.py",
        "--config.seeds=2",
        "--config.beta.count=3",
        "--config.train.epochs=3",
        "--config.train.chunk_epochs=2",
        "--config.tracking.epochs.count=4",
        "--config.tracking.samples=2",
        "--config.tracking.max_points=256",
        "--config.progress=False",
        "--config.cpu_devices=1",
    ]
    completed = _launch([*arguments, f"--workdir={tmp_path / 'two'}"])
    assert completed.returncode == 0, completed.stderr[-4000:]
    _single_process("ib_curve/default.py", arguments[1:], tmp_path / "one")
    multi, single = (read_metrics(tmp_path / name / "metrics.csv") for name in ("two", "one"))
    for name in single:
        if name == "split":
            np.testing.assert_array_equal(multi[name], single[name])
        else:
            # Float32 rounding of programs fused for 4 networks or 8.
            np.testing.assert_allclose(multi[name], single[name], rtol=1e-3, atol=1e-4)
    assert (tmp_path / "two" / "summary.md").is_file()


def test_launcher_polls_every_child_and_reports_the_first_failure(monkeypatch, capsys):
    # Process 0 keeps running while process 1 fails: the launcher must see process 1's
    # status (it once polled only up to the first live child), say so, and terminate
    # process 0 after the grace period; the exit status is process 1's.
    def commands(arguments, processes, port):
        sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
        failing = [sys.executable, "-c", "import time, sys; time.sleep(0.5); sys.exit(3)"]
        return [sleeper, failing]

    monkeypatch.setattr(launch, "process_commands", commands)
    started = time.monotonic()
    assert launch.launch([], processes=2, grace_seconds=1) == 3
    assert time.monotonic() - started < 30
    assert "launch: process 1 exited with status 3" in capsys.readouterr().err
