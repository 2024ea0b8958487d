"""The information-plane experiment: every config end to end, resuming, sharding, bad
configs, and its report."""

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import jax
import numpy as np
import pytest
import scipy.stats
from config_files import ROOT
from config_files import load_config as load_config_file
from fake_metrics import information_plane_rows as _rows

from infojax.io import MetricsFile
from infojax.io import RunDirectoryError
from infojax.io import read_metrics
from infojax.runs import ConfigError
from infojax.runs import information_plane
from infojax.runs import mi_benchmark
from infojax.runs import run
from infojax.runs.information_plane import COLUMNS
from infojax.runs.information_plane import data_information
from infojax.runs.information_plane import generalisation_gap
from infojax.runs.information_plane import plot_generalisation_gap
from infojax.runs.information_plane import plot_gradients
from infojax.runs.information_plane import plot_information_plane
from infojax.runs.information_plane import plot_sensitivity
from infojax.runs.information_plane import plot_training_curves
from infojax.runs.information_plane import seed_means
from infojax.runs.information_plane import training_curves
from infojax.runs.information_plane import write_summary

VARIANTS = ("default", "tanh", "relu", "digits", "sensitivity", "pid", "noisy")


def load_config(variant):
    return load_config_file(f"information_plane/{variant}.py")


def tiny(config):
    """The config shrunk to 2 seeds x 3 epochs in chunks of 2, every epoch measured."""
    config.seeds = 2
    config.train.epochs = 3
    config.train.chunk_epochs = 2
    config.tracking.epochs.count = 4
    config.progress = False
    # JAX already runs in the test process; the sharded test sets it in a subprocess.
    config.cpu_devices = 0
    config.lock()
    return config


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("default")
    result = run(tiny(load_config("default")), workdir)
    return workdir, result


def _check_run_directory(workdir, config):
    for name in ("config.json", "metrics.csv", "summary.md", "training_curves.png"):
        assert (workdir / name).is_file(), name
    splits = tuple(config.tracking.splits)
    labels = list(config.tracking.estimators)
    if config.tracking.noisy.samples:
        labels.append("noisy")
    for label in labels:
        for split in splits:
            suffix = "" if split == "all" else f"_{split}"
            assert (workdir / f"information_plane_{label}{suffix}.png").is_file()
    assert json.loads((workdir / "config.json").read_text())["seeds"] == config.seeds
    columns = read_metrics(workdir / "metrics.csv")
    assert tuple(columns) == information_plane.metrics_schema(config).columns
    n_layers = len(config.model.widths) - 1
    # One row per (epoch, seed, split, layer, estimator), each exactly once.
    keys = set(
        zip(
            columns["epoch"],
            columns["seed"],
            columns["split"],
            columns["layer"],
            columns["estimator"],
            strict=True,
        )
    )
    assert (
        len(keys)
        == columns["epoch"].size
        == 4 * config.seeds * len(splits) * n_layers * len(labels)
    )
    np.testing.assert_array_equal(np.unique(columns["epoch"]), [0, 1, 2, 3])
    # Every estimator gives both coordinates at every layer; the noisy network only at
    # its noisy (hidden) layers.
    measured = (columns["estimator"] != "noisy") | (columns["layer"] < n_layers)
    for name in ("input_information_bits", "label_information_bits"):
        assert np.isfinite(columns[name][measured]).all(), name
        assert np.isnan(columns[name][~measured]).all(), name
    for name in SCORES:
        assert np.isfinite(columns[name]).all(), name
    n_inputs = {"twelve_bit": 4096, "digits": 1797}[config.data.name]
    n_classes = config.model.widths[-1]
    # Information-plane bounds: I(X;T) <= H(X) = log2(n); I(T;Y) <= H(Y) <= log2(classes);
    # binning: I(T;Y) <= H(bin(T)) = I(X;T). 1e-4 bits covers float32 sums.
    information = columns["input_information_bits"][measured]
    assert (information <= np.log2(n_inputs) + 1e-4).all()
    assert (columns["label_information_bits"][measured] <= np.log2(n_classes) + 1e-4).all()
    assert (columns["label_information_bits"][measured] >= -1e-4).all()
    binning = columns["estimator"] == "bins30"
    assert (
        columns["label_information_bits"][binning]
        <= columns["input_information_bits"][binning] + 1e-4
    ).all()
    assert ((columns["train_accuracy"] >= 0) & (columns["train_accuracy"] <= 1)).all()
    if config.tracking.gradients:
        # The epoch trained after each measured one has gradient statistics; the last
        # measured epoch (3, the end of training) has none.
        trained = columns["epoch"] < config.train.epochs
        for name in ("grad_mean", "grad_std", "grad_snr", "weight_norm"):
            assert (columns[name][trained] > 0).all(), name
            assert np.isnan(columns[name][~trained]).all(), name
        np.testing.assert_allclose(
            columns["grad_snr"][trained],
            columns["grad_mean"][trained] / columns["grad_std"][trained],
            rtol=1e-6,
        )
    return columns


SCORES = ("train_loss", "train_accuracy", "test_loss", "test_accuracy")


def test_default_config_runs_end_to_end(default_run):
    workdir, result = default_run
    assert result.finished and result.done == 4 and result.units == 2
    columns = _check_run_directory(workdir, tiny(load_config("default")))
    # Two classes: the 12-bit task's labels. The untrained tanh network sits near
    # chance; the first hidden layer (10 tanh units, 30 bins) keeps the 4096 inputs
    # nearly distinct, so I(X;T) is close to 12 bits.
    first_layer = (columns["layer"] == 1) & (columns["estimator"] == "bins30")
    assert columns["input_information_bits"][first_layer].min() > 11.5
    assert "status: finished" in (workdir / "summary.md").read_text()


# pid, noisy and sensitivity run in their own tests below.
@pytest.mark.parametrize("variant", ["tanh", "relu", "digits"])
def test_variant_config_runs_end_to_end(variant, tmp_path):
    config = tiny(load_config(variant))
    result = run(config, tmp_path)
    assert result.finished
    _check_run_directory(tmp_path, config)


def test_default_config_file_is_the_experiments_default():
    assert load_config("default") == information_plane.get_config()


def test_relu_differs_from_tanh_only_in_activation_and_bins():
    tanh, relu = load_config("tanh"), load_config("relu")
    relu.model.activation = "tanh"
    for label in ("bins30", "bin_width_007"):
        relu.tracking.estimators[label].value_range = tanh.tracking.estimators[label].value_range
    assert relu == tanh


def test_reference_configs_have_the_published_settings():
    tanh = load_config("tanh")
    assert tanh.experiment == "information_plane"
    assert tanh.seeds == 50 and tanh.train.epochs == 8000 and tanh.train.batch_size == 256
    assert tuple(tanh.model.widths) == (12, 10, 7, 5, 4, 3, 2)
    assert tanh.model.activation == "tanh"
    assert (tanh.optimizer.name, tanh.optimizer.learning_rate) == ("adam", 4e-4)
    assert tanh.data.test_fraction == 0.2 and tanh.tracking.epochs.count == 250
    assert tanh.tracking.estimators.bins30.to_dict() == {
        "name": "binning",
        "n_bins": 30,
        "value_range": (-1.0, 1.0),
    }
    # Saxe et al.'s settings for the 12-bit network (IBnet_ComputeMI.ipynb): KDE noise
    # variance 1e-3, bins of width 0.07 from 0 (edges at multiples of 0.07).
    assert tanh.tracking.estimators.kde.noise_variance == 1e-3
    assert tanh.tracking.estimators.bin_width_007.to_dict() == {
        "name": "binning",
        "bin_width": 0.07,
        "value_range": (-1.05, 1.05),
    }
    assert tuple(tanh.tracking.splits) == ("all",)
    relu = load_config("relu")
    assert relu.model.activation == "relu"
    assert relu.tracking.estimators.bins30.value_range is None
    digits = load_config("digits")
    # ... and for their MNIST network (ComputeMI.ipynb): 1e-1.
    assert digits.data.name == "digits" and digits.tracking.estimators.kde.noise_variance == 0.1


def test_resume_after_interruption_loses_and_repeats_nothing(default_run, tmp_path):
    reference_dir, _ = default_run
    config = tiny(load_config("default"))
    first = run(config, tmp_path, max_chunks=1)
    assert not first.finished and first.done == 2 and first.position == "epoch 2"
    assert "rerun to resume" in (tmp_path / "summary.md").read_text()
    np.testing.assert_array_equal(
        np.unique(read_metrics(tmp_path / "metrics.csv")["epoch"]), [0, 1]
    )
    # A crash after rows of epoch 2 were written but before their checkpoint: a full
    # row of a later epoch and a half-written one are left behind.
    lines = (reference_dir / "metrics.csv").read_text().splitlines()
    later = [line for line in lines[1:] if line.startswith("2,")]
    with (tmp_path / "metrics.csv").open("a") as handle:
        handle.write(later[0] + "\n" + later[1][:12])
    second = run(config, tmp_path)
    assert second.finished and second.units == 1
    assert (tmp_path / "metrics.csv").read_text() == (reference_dir / "metrics.csv").read_text()
    # A finished run resumes to nothing.
    third = run(config, tmp_path)
    assert third.finished and third.units == 0
    assert (tmp_path / "metrics.csv").read_text() == (reference_dir / "metrics.csv").read_text()


@pytest.mark.parametrize(
    ("damage", "restart"),
    [
        # 30 rows lost from the middle of the file (epoch 1): no checkpoint is that old.
        (lambda lines: lines[:40] + lines[70:], 0),
        # A row of epoch 2 written twice: the checkpoint of epoch 2 is still there.
        (lambda lines: [*lines, next(line for line in lines if line.startswith("2,"))], 2),
    ],
)
def test_metrics_that_lost_or_repeated_rows_are_recomputed(default_run, tmp_path, damage, restart):
    reference_dir, _ = default_run
    reference = (reference_dir / "metrics.csv").read_text()
    config = tiny(load_config("default"))
    run(config, tmp_path)
    assert (tmp_path / "metrics.csv").read_text() == reference
    lines = reference.splitlines(keepends=True)
    (tmp_path / "metrics.csv").write_text("".join(damage(lines)))
    with pytest.warns(RuntimeWarning, match=f"recomputing from epoch {restart}"):
        result = run(config, tmp_path)
    assert result.finished and result.units == (2 if restart == 0 else 1)
    # Training is deterministic: the recomputed rows are the lost ones, to the byte.
    assert (tmp_path / "metrics.csv").read_text() == reference
    assert "status: finished" in (tmp_path / "summary.md").read_text()


def test_a_split_measured_with_others_gives_the_rows_it_gives_alone(default_run, tmp_path):
    reference_dir, _ = default_run
    config = tiny(load_config("default"))
    config.unlock()
    config.tracking.splits = ("test", "all")
    run(config, tmp_path)
    alone, together = (read_metrics(path / "metrics.csv") for path in (reference_dir, tmp_path))
    part = {name: column[together["split"] == "all"] for name, column in together.items()}
    for name, column in alone.items():
        if column.dtype.kind in "iU":
            np.testing.assert_array_equal(part[name], column, err_msg=name)
        else:
            # The same computation in a larger program: XLA may fuse it differently.
            np.testing.assert_allclose(part[name], column, rtol=1e-6, err_msg=name)
    test = {name: column[together["split"] == "test"] for name, column in together.items()}
    # 819 test inputs: I(X;T) <= log2(819), and binning's I(T;Y) <= its I(X;T).
    assert (test["input_information_bits"] <= np.log2(819) + 1e-4).all()
    assert np.isfinite(test["label_information_bits"]).all()
    text = (tmp_path / "summary.md").read_text()
    assert "## kde, test inputs" in text and "## kde, all inputs" in text
    assert (tmp_path / "information_plane_kde_test.png").is_file()


def test_train_and_test_splits_report_the_generalisation_gap(tmp_path):
    config = tiny(load_config("default"))
    config.unlock()
    config.tracking.splits = ("train", "test")
    config.tracking.estimators = {"bins30": config.tracking.estimators.bins30}
    run(config, tmp_path)
    columns = read_metrics(tmp_path / "metrics.csv")
    train = columns["label_information_bits"][columns["split"] == "train"]
    test = columns["label_information_bits"][columns["split"] == "test"]
    gap = (train - test).reshape(4, 2, 6)  # epochs, seeds, layers
    text = (tmp_path / "summary.md").read_text()
    assert "## Generalisation gap, bins30" in text
    assert (tmp_path / "generalisation_gap_bins30.png").is_file()
    # The last row of the gap table: layer 6, last gap = mean over the 2 seeds.
    section = text[text.index("## Generalisation gap, bins30") :]
    last = next(line for line in section.splitlines() if line.startswith("| 6 |"))
    assert f"{gap[-1, :, 5].mean():.3f} [" in last.split("|")[-2]


@pytest.fixture(scope="module")
def pid_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("pid")
    return workdir, run(tiny(load_config("pid")), workdir)


def test_pid_columns_are_on_their_binning_rows(pid_run):
    workdir, result = pid_run
    assert result.finished
    columns = _check_run_directory(workdir, tiny(load_config("pid")))
    rows = columns["estimator"] == "bins30"
    names = [name for name in columns if name.startswith("pid_")] + ["o_information_bits"]
    assert names == [
        "pid_redundancy_bits",
        "pid_unique_bits",
        "pid_synergy_bits",
        "pid_total_bits",
        "pid_complexity",
        "o_information_bits",
    ]
    for name in names:
        assert np.isnan(columns[name][~rows]).all(), name
    for name in ("pid_redundancy_bits", "pid_unique_bits", "pid_synergy_bits", "pid_total_bits"):
        assert np.isfinite(columns[name][rows]).all(), name
    # Layers 4-6 (4, 3 and 2 units) have the full lattice: its atoms sum to I(bins; Y),
    # the binning estimator's own I(T;Y), computed independently by counting.
    full = rows & (columns["layer"] >= 4)
    np.testing.assert_allclose(
        columns["pid_total_bits"][full], columns["label_information_bits"][full], atol=1e-5
    )
    # The representational complexity lies in [1, units] where the atoms are not negative.
    assert np.isnan(columns["pid_complexity"][rows & (columns["layer"] < 4)]).all()
    # Two units (the softmax output): O-information is TC - DTC = 0 for two variables.
    np.testing.assert_allclose(
        columns["o_information_bits"][rows & (columns["layer"] == 6)], 0, atol=1e-5
    )
    assert (workdir / "pid.png").is_file()
    text = (workdir / "summary.md").read_text()
    assert "## Partial information decomposition of the label (sx), all inputs" in text


def test_pid_run_resumes_losing_and_repeating_nothing(pid_run, tmp_path):
    reference_dir, _ = pid_run
    config = tiny(load_config("pid"))
    assert not run(config, tmp_path, max_chunks=1).finished
    assert run(config, tmp_path).finished
    assert (tmp_path / "metrics.csv").read_text() == (reference_dir / "metrics.csv").read_text()


def test_noisy_network_rows(tmp_path):
    config = tiny(load_config("noisy"))
    run(config, tmp_path)
    columns = _check_run_directory(tmp_path, config)
    noisy = columns["estimator"] == "noisy"
    hidden = noisy & (columns["layer"] < 6)
    for name in ("input_information_se_bits", "label_information_se_bits", "clustering"):
        assert np.isnan(columns[name][~noisy]).all(), name
        assert np.isfinite(columns[name][hidden]).all(), name
        # The softmax output has no noise: no noisy-network value.
        assert np.isnan(columns[name][noisy & (columns["layer"] == 6)]).all(), name
    assert (columns["input_information_se_bits"][hidden] >= 0).all()
    assert (columns["input_information_bits"][hidden] <= 12 + 1e-4).all()
    assert (tmp_path / "noisy.png").is_file()
    text = (tmp_path / "summary.md").read_text()
    assert "## Noisy network: compression and clustering, all inputs" in text
    assert "| layer | peak epoch | I(X;T) at peak |" in text


def test_sensitivity_config_draws_one_figure_per_estimator_kind(tmp_path):
    config = load_config("sensitivity")
    assert [config.tracking.estimators[f"kde_1e-{k}"].noise_variance for k in (4, 3, 2, 1)] == [
        1e-4,
        1e-3,
        1e-2,
        1e-1,
    ]
    assert [config.tracking.estimators[f"bins{n}"].n_bins for n in (10, 30, 100)] == [10, 30, 100]
    run(tiny(config), tmp_path)
    _check_run_directory(tmp_path, tiny(load_config("sensitivity")))
    for kind in ("kde", "binning"):
        assert (tmp_path / f"sensitivity_{kind}.png").is_file()
    columns = read_metrics(tmp_path / "metrics.csv")
    last = columns["epoch"] == 3
    # More noise, less information: the KDE upper bound falls with the noise variance.
    means = [
        columns["input_information_bits"][last & (columns["estimator"] == f"kde_1e-{k}")].mean()
        for k in (4, 3, 2, 1)
    ]
    assert means == sorted(means, reverse=True)


def test_width_bins_are_anchored_at_zero_as_saxe_et_al():
    # Saxe et al.'s code bins a layer as floor(t / 0.07); the config's bins of width
    # 0.07 from -1.05 = -15 x 0.07 are the same bins, so H(bins) agrees.
    from infojax.tracking import information_plane_estimator

    entry = information_plane.get_config().tracking.estimators.bin_width_007.to_dict()
    estimator = information_plane_estimator(entry.pop("name"), n_classes=2, **entry)
    t = np.tanh(np.random.default_rng(0).normal(size=(4096, 3)) * 2.0).astype(np.float32)
    codes = np.floor(t.astype(np.float64) / 0.07).astype(int)
    _, counts = np.unique(codes, axis=0, return_counts=True)
    entropy = -np.sum(counts / 4096 * np.log2(counts / 4096))
    labels = np.zeros(4096, np.int32)
    input_information, _ = estimator(None, t, t, labels)
    np.testing.assert_allclose(float(input_information), entropy, rtol=1e-5)


VAR_U = ROOT.parent / "shared" / "data" / "var_u.mat"


@pytest.mark.skipif(not VAR_U.exists(), reason="the original var_u.mat is not present")
def test_original_task_file_as_data(tmp_path):
    config = load_config("default")
    config.data.path = str(VAR_U)
    result = run(tiny(config), tmp_path)
    assert result.finished
    # The file's labels: 2118 of 4096 positive, H(Y) = I(X;Y) = 0.99916 bits (its README).
    assert "I(X;Y) of the data: 0.9992 bits" in (tmp_path / "summary.md").read_text()


@pytest.mark.slow
def test_resume_after_killing_the_process(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_runs_information_plane import load_config, tiny
        from infojax.runs import run
        config = load_config("default")
        config.train.epochs = 400
        config.train.chunk_epochs = 20
        config.tracking.epochs.count = 40
        config.seeds = 2
        config.progress = False
        run(config, sys.argv[1])
        """
    )
    interrupted, uninterrupted = tmp_path / "interrupted", tmp_path / "uninterrupted"
    for workdir in (interrupted, uninterrupted):
        process = subprocess.Popen([sys.executable, "-c", script, str(workdir)])
        if workdir == interrupted:
            checkpoints = workdir / "checkpoints"
            while process.poll() is None and len(list(checkpoints.glob("[0-9]*"))) < 2:
                time.sleep(0.05)
            process.kill()
        process.wait(timeout=600)
    assert not (interrupted / "summary.md").exists()
    completed = subprocess.run([sys.executable, "-c", script, str(interrupted)], timeout=600)
    assert completed.returncode == 0
    assert (interrupted / "metrics.csv").read_text() == (uninterrupted / "metrics.csv").read_text()


def test_four_device_sharded_run_matches_single_device(default_run, tmp_path):
    # `cpu_devices = 4` splits the CPU of a fresh process into 4 JAX devices.
    reference_dir, _ = default_run
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        import jax
        from test_runs_information_plane import load_config, tiny
        from infojax.runs import run
        config = tiny(load_config("default"))
        config.unlock()
        config.cpu_devices = 4
        run(config, {str(tmp_path)!r})
        assert jax.device_count() == 4, jax.devices()
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    sharded = read_metrics(tmp_path / "metrics.csv")
    single = read_metrics(reference_dir / "metrics.csv")
    np.testing.assert_array_equal(sharded["estimator"], single["estimator"])
    for name in ("epoch", "seed", "layer"):
        np.testing.assert_array_equal(sharded[name], single[name])
    # Each seed runs the same program on one device or four (2 seeds padded to 4);
    # only XLA's fusion of the loops may differ, at float32 rounding (1e-4 relative).
    for name in ("train_loss", "train_accuracy", "test_loss", "test_accuracy"):
        np.testing.assert_allclose(sharded[name], single[name], rtol=1e-4, atol=1e-6)
    kde = single["estimator"] == "kde"
    for name in ("input_information_bits", "label_information_bits"):
        np.testing.assert_allclose(sharded[name][kde], single[name][kde], rtol=1e-4, atol=1e-5)
        # A rounding difference can move an activation across a bin edge: one of n =
        # 4096 samples changing bin moves a binned entropy by at most about
        # log2(n) / n = 0.003 bits.
        np.testing.assert_allclose(sharded[name][~kde], single[name][~kde], atol=6e-3)
    assert "devices: 4" in (tmp_path / "summary.md").read_text()


def test_cpu_devices_after_jax_started_warns_and_runs(tmp_path):
    config = tiny(load_config("default"))
    config.unlock()
    config.cpu_devices = jax.device_count() + 1
    with pytest.warns(UserWarning, match=r"cpu_devices=\d+ ignored"):
        result = run(config, tmp_path)
    assert result.finished


# --- bad configs fail before training, with a clear message ---


def _bad(change):
    config = load_config("default")
    config.cpu_devices = 0  # JAX already runs in the test process
    change(config)
    return config


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda c: setattr(c.model, "widths", (11, 10, 2)), r"model\.widths\[0\]` = 11 .* \(12\)"),
        (lambda c: setattr(c.model, "widths", (12, 10, 3)), r"model\.widths\[-1\]` = 3 .* \(2\)"),
        (lambda c: setattr(c.model, "widths", (12,)), r"model\.widths"),
        (lambda c: setattr(c.train, "epochs", 0), r"train\.epochs"),
        (lambda c: setattr(c.train, "epochs", -5), r"train\.epochs"),
        (lambda c: setattr(c, "seeds", 0), r"seeds"),
        (lambda c: setattr(c, "cpu_devices", -1), r"cpu_devices"),
        (lambda c: setattr(c.train, "batch_size", 0), r"train\.batch_size"),
        (lambda c: setattr(c.tracking.epochs, "count", 1), r"tracking\.epochs\.count"),
        (lambda c: setattr(c.tracking.estimators.kde, "name", "kdee"), r"estimators\.kde.*kdee"),
        (lambda c: setattr(c.tracking.estimators.kde, "sigma", 1.0), r"Unknown option.*sigma"),
        (lambda c: setattr(c.optimizer, "name", "adamm"), r"optimizer\.name"),
        (lambda c: setattr(c.model, "activation", "tanhh"), r"activation"),
        (lambda c: setattr(c.data, "name", "cifar"), r"Unknown dataset"),
        (lambda c: setattr(c.train, "epoch", 5), r"unknown field `train\.epoch`.*`train\.epochs`"),
        (lambda c: setattr(c, "experiment", "nope"), r"experiment"),
        (lambda c: setattr(c.tracking.estimators.bins30, "n_bins", 0), r"bins30.*n_bins"),
        (lambda c: setattr(c.tracking, "estimators", {}), r"tracking\.estimators` is empty"),
        (lambda c: setattr(c.data, "test_fraction", 1.5), r"data\.test_fraction"),
        (lambda c: setattr(c.tracking.epochs, "spacing", "cubic"), r"spacing"),
        (lambda c: setattr(c.tracking, "splits", ()), r"tracking\.splits"),
        (lambda c: setattr(c.tracking, "splits", ("train", "train")), r"tracking\.splits"),
        (lambda c: setattr(c.tracking, "splits", ("validation",)), r"tracking\.splits"),
        (lambda c: setattr(c.tracking.pid, "estimator", "kde"), r"tracking\.pid\.estimator"),
        (lambda c: setattr(c.tracking.pid, "estimator", "bins"), r"tracking\.pid\.estimator"),
        (lambda c: setattr(c.tracking.noisy, "samples", 2), r"model\.noise_std"),
        (lambda c: setattr(c.tracking.noisy, "samples", -1), r"tracking\.noisy\.samples"),
        (lambda c: setattr(c.tracking.noisy, "draws", 0), r"tracking\.noisy\.draws"),
        (lambda c: setattr(c.tracking.estimators, "noisy", c.tracking.estimators.kde), r"reserved"),
    ],
)
def test_bad_config_fails_before_training(change, match, tmp_path):
    workdir = tmp_path / "run"
    with pytest.raises(ConfigError, match=match):
        run(_bad(change), workdir)
    assert not workdir.exists()


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("seeds", 2.5, r"`seeds` must be an integer"),
        ("progress", "yes", r"`progress` must be a bool"),
        ("model", 3, r"`model` must be a section"),
    ],
)
def test_mistyped_fields_are_found_by_comparison_with_the_default(field, value, match, tmp_path):
    config = _bad(lambda c: None).to_dict()
    config[field] = value
    with pytest.raises(ConfigError, match=match):
        run(config, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_locked_config_rejects_unknown_fields():
    config = load_config("default")
    config.lock()
    with pytest.raises(AttributeError, match="epoch"):
        config.train.epoch = 5


def test_workdir_of_another_config_is_refused(default_run):
    workdir, _ = default_run
    config = load_config("default")
    tiny(config)
    with config.unlocked():
        config.optimizer.learning_rate = 1e-2
    with pytest.raises(RunDirectoryError, match=r"another config.*optimizer\.learning_rate"):
        run(config, workdir)


def test_run_dispatches_to_the_ground_truth_benchmark(tmp_path):
    # runs.run looks `experiment` up; the benchmark's own check then rejects the
    # unknown estimator before any work.
    config = mi_benchmark.get_config()
    config.estimators = ("no_such_estimator",)
    with pytest.raises(ConfigError, match="no_such_estimator"):
        run(config, tmp_path / "run")
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_benchmark_script_quick(tmp_path):
    output = tmp_path / "bench.json"
    completed = subprocess.run(
        [
            sys.executable,
            "experiments/bench_information_plane.py",
            "--quick",
            "--quick_epochs=8",
            "--quick_seeds=2",
            "--looped_seeds=2",
            f"--output={output}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads(output.read_text())
    assert results["seeds"] == 2 and results["epochs"] == 8
    assert results["all_seeds_seconds"] > 0 and len(results["looped_seconds_each"]) == 2


# --- reports ---


def test_seed_means_and_training_curves():
    rows = list(_rows([0, 4]))
    columns = {name: np.asarray([row[i] for row in rows]) for i, name in enumerate(COLUMNS)}
    epochs, layers, coordinates = seed_means(columns, "kde")
    np.testing.assert_array_equal(epochs, [0, 4])
    np.testing.assert_array_equal(layers, [1, 2])
    # I(X;T) = epoch + layer for both seeds; I(T;Y) = 0.1 layer + seed, mean over 0, 1.
    np.testing.assert_allclose(coordinates[..., 0], [[1, 2], [5, 6]])
    np.testing.assert_allclose(coordinates[..., 1], [[0.6, 0.7], [0.6, 0.7]])
    curves = training_curves(columns)
    np.testing.assert_allclose(curves["train_accuracy"], [[0.5, 0.51], [0.5, 0.51]])
    np.testing.assert_allclose(curves["test_loss"][:, 0], [1.1, 1.1 / 5])


def test_plots_and_summary_are_written(tmp_path):
    MetricsFile(tmp_path / "metrics.csv", COLUMNS).append(_rows([0, 1, 10]))
    columns = read_metrics(tmp_path / "metrics.csv")
    plot_information_plane(columns, "bins", tmp_path / "plane.png", data_information=1.0)
    plot_training_curves(columns, tmp_path / "curves.png")
    for name in ("plane.png", "curves.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    write_summary(
        tmp_path / "summary.md",
        columns,
        title="A run",
        details={"seeds": 2},
        figures={"plane": "plane.png"},
        data_information=1.0,
    )
    text = (tmp_path / "summary.md").read_text()
    assert text.startswith("# A run")
    assert "## bins, all inputs" in text and "## kde, all inputs" in text
    assert "![plane](plane.png)" in text
    # Layer 2 of "bins": I(X;T) = epoch + 2 peaks at the last epoch, 12, in both seeds
    # (an interval of zero width); I(T;Y) = 0.2 + seed: mean 0.7 and the 95 % t
    # interval of two values, from scipy.
    half = scipy.stats.t.ppf(0.975, df=1) * np.std([0.2, 1.2], ddof=1) / np.sqrt(2)
    label_cell = f"0.700 [{0.7 - half:.3f}, {0.7 + half:.3f}]"
    assert f"| 2 | 12.000 [12.000, 12.000] | 10 | 12.000 [12.000, 12.000] | {label_cell} |" in text
    # Gradient signal-to-noise: (1 / (e + 1) + 0.1 s) / (0.5 l), largest at epoch 0.
    assert "## Gradient signal-to-noise ratio" in text
    snr = np.array([1.0, 1.1]) / 0.5
    assert f"| 1 | {snr.mean():.2f} [" in text


def test_gradient_gap_and_sensitivity_plots(tmp_path):
    rows = _rows([0, 1, 10], splits=("train", "test"), estimators=("bins10", "bins30"))
    MetricsFile(tmp_path / "metrics.csv", COLUMNS).append(rows)
    columns = read_metrics(tmp_path / "metrics.csv")
    plot_gradients(columns, tmp_path / "gradients.png")
    plot_generalisation_gap(columns, "bins10", tmp_path / "gap.png")
    plot_sensitivity(columns, ["bins10", "bins30"], tmp_path / "sensitivity.png", split="train")
    for name in ("gradients.png", "gap.png", "sensitivity.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # I(T;Y) train - test = 0.05 bits in every seed, layer and epoch.
    epochs, layers, gap = generalisation_gap(columns, "bins10")
    np.testing.assert_allclose(gap, 0.05, rtol=1e-9)
    np.testing.assert_array_equal(epochs, [0, 1, 10])
    np.testing.assert_array_equal(layers, [1, 2])
    assert gap.shape == (3, 2, 2)


# --- I(X;Y) of a dataset ---


def test_data_information_distinct_rows_is_label_entropy():
    x = np.arange(8)[:, None].astype(np.float32)
    y = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    expected = -(3 / 8 * np.log2(3 / 8) + 5 / 8 * np.log2(5 / 8))
    np.testing.assert_allclose(data_information(x, y), expected, rtol=1e-12)


def test_data_information_repeated_rows():
    # Rows a, a, b, b with labels 0, 1, 1, 1: H(Y) - H(Y|X) = h(1/4) - h(1/2) / 2.
    x = np.array([[0.0], [0.0], [1.0], [1.0]])
    y = np.array([0, 1, 1, 1])
    binary = lambda p: -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
    np.testing.assert_allclose(data_information(x, y), binary(0.25) - 0.5, rtol=1e-12)
