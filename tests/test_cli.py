"""The command line as a person uses it: real processes, exit statuses, one-line errors,
a second process on a busy workdir, Ctrl-C and resuming."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from config_files import ROOT
from config_files import load_config

from infojax.io import RunDirectory
from infojax.io import read_metrics

# A short run of the default config: 2 seeds, 300 epochs in chunks of 2 (time enough
# to start a second process and press Ctrl-C before it ends), 10 measured.
SHORT = [
    "--config.seeds=2",
    "--config.train.epochs=300",
    "--config.train.chunk_epochs=2",
    "--config.tracking.epochs.count=10",
    "--config.progress=False",
    # One CPU device, as in this test process, so that metrics compare to the byte.
    "--config.cpu_devices=0",
]


def _command(*arguments):
    return [sys.executable, "-m", "experiments.main", *arguments]


def _run(*arguments, cwd=ROOT):
    return subprocess.run(
        _command(*arguments), cwd=cwd, capture_output=True, text=True, timeout=300
    )


def _one_line_error(completed, *fragments):
    assert completed.returncode == 2, completed.stderr[-2000:]
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), completed.stderr[-2000:]
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture(scope="module")
def short_reference(tmp_path_factory):
    """The metrics of the short run, uninterrupted, from the command line."""
    workdir = tmp_path_factory.mktemp("short")
    completed = _run(*SHORT, f"--workdir={workdir}")
    assert completed.returncode == 0, completed.stderr[-2000:]
    return (workdir / "metrics.csv").read_text()


def test_missing_config_file(tmp_path):
    missing = ROOT / "configs" / "information_plane" / "nope.py"
    for extra in ([], ["--config.seeds=3"]):
        completed = _run(f"--config={missing}", f"--workdir={tmp_path / 'run'}", *extra)
        _one_line_error(completed, f"config file {missing} does not exist")
    assert not (tmp_path / "run").exists()


def test_unknown_and_invalid_fields(tmp_path):
    completed = _run("--config.train.epoch=5", f"--workdir={tmp_path / 'run'}")
    _one_line_error(completed, "unknown config field 'epoch'", 'Did you mean "epochs"')
    completed = _run("--config.seeds=0", f"--workdir={tmp_path / 'run'}")
    _one_line_error(completed, "`seeds` must be a positive integer, got 0")
    completed = _run("--config.seeds=many", f"--workdir={tmp_path / 'run'}")
    _one_line_error(completed, "--config.seeds=many")
    assert not (tmp_path / "run").exists()


def test_invalid_benchmark_options_fail_at_once(tmp_path):
    started = time.perf_counter()
    completed = _run(
        f"--config={ROOT / 'configs/mi_benchmark/quick.py'}",
        "--config.estimator_options.neural_infonce.steps=-1",
        f"--workdir={tmp_path / 'run'}",
    )
    _one_line_error(completed, "neural_infonce", "`steps` must be >= 1, got -1")
    assert time.perf_counter() - started < 120  # no estimate was run
    assert not (tmp_path / "run").exists()


def test_unwritable_or_corrupt_workdir(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("")
    _one_line_error(
        _run(*SHORT, f"--workdir={a_file / 'run'}"), f"cannot create workdir {a_file / 'run'}"
    )
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "config.json").write_text("{")
    _one_line_error(_run(*SHORT, f"--workdir={corrupt}"), str(corrupt / "config.json"))
    (corrupt / "config.json").write_text("[]")  # valid JSON, but not a config object
    _one_line_error(_run(*SHORT, f"--workdir={corrupt}"), "not a config object")


@pytest.mark.slow  # three short runs
def test_metrics_cut_in_its_header_or_empty_is_rebuilt(tmp_path, short_reference):
    # A metrics file that is empty or ends inside its header (no complete row) is
    # rebuilt from the checkpoint as a deleted one is, to the same bytes; one of
    # another run's columns is a one-line error.
    workdir = tmp_path / "run"
    assert _run(*SHORT, f"--workdir={workdir}").returncode == 0
    metrics = workdir / "metrics.csv"
    header = short_reference.split("\n")[0]
    for damaged in ("", header[:5]):
        metrics.write_text(damaged)
        resumed = _run(*SHORT, f"--workdir={workdir}")
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        assert "ends inside its header line" in resumed.stderr
        assert metrics.read_text() == short_reference
    metrics.write_text("epoch,other\n")
    _one_line_error(_run(*SHORT, f"--workdir={workdir}"), "not this run's metrics file")


def test_debug_keeps_the_traceback(tmp_path):
    completed = _run("--config.seeds=0", "--debug", f"--workdir={tmp_path / 'run'}")
    assert completed.returncode != 0 and "Traceback" in completed.stderr


def test_busy_workdir_is_refused_at_once(tmp_path):
    workdir = tmp_path / "run"
    config = load_config("information_plane/default.py").to_dict()
    with RunDirectory(workdir, config):
        completed = _run(*SHORT, f"--workdir={workdir}")
    _one_line_error(completed, f"workdir {workdir} is in use by process {os.getpid()}")
    assert not (workdir / "metrics.csv").exists()


def test_two_processes_and_ctrl_c_lose_and_repeat_nothing(tmp_path, short_reference):
    workdir = tmp_path / "run"
    first = subprocess.Popen(
        _command(*SHORT, f"--workdir={workdir}"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while not list((workdir / "checkpoints").glob("[0-9]*")):
            assert first.poll() is None, first.communicate()[1][-2000:]
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # A second process on the same workdir stops at once, naming the first.
        second = _run(*SHORT, f"--workdir={workdir}")
        _one_line_error(second, f"is in use by process {first.pid}")
        first.send_signal(signal.SIGINT)
        _, stderr = first.communicate(timeout=240)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr
    assert "run the same command to resume" in stderr.splitlines()[-1]
    assert stderr.splitlines()[-1].startswith("interrupted at epoch ")
    stopped_at = int(stderr.splitlines()[-1].split("epoch ")[1].split(";")[0])
    assert 0 < stopped_at < 300
    epochs = np.unique(read_metrics(workdir / "metrics.csv")["epoch"])
    assert epochs.max() < stopped_at
    resumed = _run(*SHORT, f"--workdir={workdir}")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert (workdir / "metrics.csv").read_text() == short_reference


def test_console_script_from_another_directory(tmp_path):
    script = os.path.join(os.path.dirname(sys.executable), "infojax-experiment")
    if not os.path.exists(script):
        pytest.skip("the infojax-experiment console script is not installed")
    digits = ROOT / "configs" / "information_plane" / "digits.py"
    # No --config: the experiment's own default, written to runs/default; a config
    # file by path, written to runs/<its name>.
    for config, workdir in (([], "default"), ([f"--config={digits}"], "digits")):
        completed = subprocess.run(
            [script, *config, "--config.seeds=1", "--config.train.epochs=2", *SHORT[3:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert completed.returncode == 0, completed.stderr[-2000:]
        assert (tmp_path / "runs" / workdir / "summary.md").is_file()
