"""The IB-curve experiment: every config end to end, the bounds in the metrics, the
beta x seed sweep against one network at a time, resuming, local MNIST files, and bad
configs."""

import json
import math

import jax
import numpy as np
import pytest
from config_files import load_config as load_config_file

from infojax.io import read_metrics
from infojax.runs import ConfigError
from infojax.runs import ib_curve
from infojax.runs import run
from infojax.runs._data import load_data
from infojax.runs.ib_curve import BASELINE_INDEX
from infojax.runs.ib_curve import COLUMNS
from infojax.runs.ib_curve._experiment import _make_plan
from infojax.runs.ib_curve._experiment import _training

VARIANTS = ("default", "vib", "nib", "ceb", "digits")
_INFORMATION = COLUMNS[COLUMNS.index("input_information_bits") :]


def load_config(variant):
    return load_config_file(f"ib_curve/{variant}.py")


def tiny(config, *, lock=True):
    """The config shrunk to 3 betas x 2 seeds (and 2 baselines), 3 epochs in chunks of 2,
    every epoch measured, bounds over at most 256 inputs."""
    config.seeds = 2
    config.beta.count = 3
    config.train.epochs = 3
    config.train.chunk_epochs = 2
    config.tracking.epochs.count = 4
    config.tracking.samples = 2
    config.tracking.max_points = 256
    config.progress = False
    # JAX already runs in the test process.
    config.cpu_devices = 0
    if lock:
        config.lock()
    return config


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("ib_default")
    result = run(tiny(load_config("default")), workdir)
    return workdir, result


def _check_run_directory(workdir, config):
    for name in (
        "config.json",
        "metrics.csv",
        "summary.md",
        "ib_curve_train.png",
        "ib_curve_test.png",
        "accuracy.png",
        "information_plane.png",
    ):
        assert (workdir / name).is_file(), name
    assert json.loads((workdir / "config.json").read_text())["objective"] == config.objective
    columns = read_metrics(workdir / "metrics.csv")
    assert tuple(columns) == COLUMNS
    # One row per (epoch, network, split), each exactly once.
    keys = set(
        zip(
            columns["epoch"],
            columns["beta_index"],
            columns["seed"],
            columns["split"],
            strict=True,
        )
    )
    networks = (config.beta.count + config.baseline) * config.seeds
    assert len(keys) == columns["epoch"].size == 4 * networks * 2
    np.testing.assert_array_equal(np.unique(columns["epoch"]), [0, 1, 2, 3])
    return columns


def _check_bounds(columns, classes=2):
    """What holds for every stochastic network whatever its training."""
    stochastic = columns["beta_index"] != BASELINE_INDEX
    for name in _INFORMATION:
        assert np.isfinite(columns[name][stochastic]).all(), name
        assert np.isnan(columns[name][~stochastic]).all(), name
    assert np.isnan(columns["rate_nats"][~stochastic]).all()
    input_lower = columns["input_information_lower_bits"][stochastic]
    input_upper = columns["input_information_upper_bits"][stochastic]
    label_lower = columns["label_information_lower_bits"][stochastic]
    label_upper = columns["label_information_upper_bits"][stochastic]
    tolerance = 1e-4  # float32 rounding of bounds of a few bits
    assert (input_lower <= input_upper + tolerance).all()
    assert (label_lower <= label_upper + tolerance).all()
    assert (label_lower >= -tolerance).all()
    # The bounds of I(X;Z) over at most 256 inputs lie in [0, log2 256].
    assert (input_lower >= -tolerance).all() and (input_upper <= 8 + tolerance).all()
    # I(Z;Y) <= H(Y) <= log2(classes).
    assert (label_upper <= math.log2(classes) + tolerance).all()
    for name in ("accuracy", "accuracy_single_draw"):
        assert ((columns[name] >= 0) & (columns[name] <= 1)).all(), name
    # Without noise every draw of Z is the same: one draw predicts as their average.
    np.testing.assert_array_equal(
        columns["accuracy_single_draw"][~stochastic], columns["accuracy"][~stochastic]
    )
    # The Monte Carlo estimates lie in their brackets, up to 4 standard errors.
    for name in ("input_information", "label_information"):
        estimate = columns[f"{name}_bits"][stochastic]
        error = columns[f"{name}_se_bits"][stochastic]
        assert (error >= 0).all()
        assert (estimate >= columns[f"{name}_lower_bits"][stochastic] - 4 * error - tolerance).all()
        assert (estimate <= columns[f"{name}_upper_bits"][stochastic] + 4 * error + tolerance).all()


def test_default_config_runs_end_to_end(default_run):
    workdir, result = default_run
    assert result.finished and result.done == 4
    config = tiny(load_config("default"))
    columns = _check_run_directory(workdir, config)
    _check_bounds(columns)
    stochastic = columns["beta_index"] != BASELINE_INDEX
    # VIB's rate is an upper bound on I(X;Z): at least the mixture lower bound.
    rate_bits = columns["rate_nats"][stochastic] / math.log(2)
    assert (rate_bits >= columns["input_information_lower_bits"][stochastic] - 1e-4).all()
    # The loss is distortion + beta * rate, in the rows as in training.
    expected = (
        columns["distortion_nats"][stochastic]
        + columns["beta"][stochastic] * columns["rate_nats"][stochastic]
    )
    np.testing.assert_allclose(columns["loss"][stochastic], expected, rtol=1e-5)
    # The metrics file keeps 10 significant digits.
    np.testing.assert_allclose(
        np.unique(columns["beta"][stochastic]), ib_curve.betas(config), rtol=1e-9
    )
    summary = (workdir / "summary.md").read_text()
    assert "VIB" in summary and "status: finished" in summary
    # The single-draw accuracy and Fano's bound on it, in the table and the checks; the
    # checks of every row; what holds by construction listed apart.
    assert "| accuracy (single draw) | Fano bound on single-draw accuracy |" in summary
    assert "- single-draw accuracy <= Fano's bound" in summary
    assert "- every row (test: each epoch, beta and seed)" in summary
    assert "Holds by construction (not a test):" in summary
    assert "![information plane over training, train set](information_plane.png)" in summary


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v != "default"])
def test_variant_config_runs_end_to_end(variant, tmp_path):
    config = tiny(load_config(variant), lock=False)
    # The information plane of the test set (the default is the training set).
    config.report.plane_split = "test"
    config.lock()
    run(config, tmp_path)
    columns = _check_run_directory(tmp_path, config)
    _check_bounds(columns, classes=10 if variant == "digits" else 2)
    summary = (tmp_path / "summary.md").read_text()
    assert "![information plane over training, test set](information_plane.png)" in summary
    if variant == "nib":
        # Its rate is the upper bound on I(X;Z): no check compares it with the lower.
        stochastic = columns["beta_index"] != BASELINE_INDEX
        np.testing.assert_allclose(
            columns["rate_nats"][stochastic] / math.log(2),
            columns["input_information_upper_bits"][stochastic],
            rtol=1e-5,
            atol=1e-6,
        )
        checks = summary[summary.index("Checks:") : summary.index("Holds by construction")]
        assert "variational rate >= I(X;Z) lower bound" not in checks
        assert "the rate is the upper bound of the same bracket on I(X;Z)" in summary


def test_vib_default_is_the_default():
    assert load_config("vib") == ib_curve.get_config() == load_config("default")


def test_objective_variants_change_only_their_objective():
    default = ib_curve.get_config()
    nib, ceb = load_config("nib"), load_config("ceb")
    assert (nib.objective, nib.model.power, nib.beta.max) == ("nib", 2, 10.0)
    assert (ceb.objective, ceb.beta.max) == ("ceb", 5.0)
    for variant in (nib, ceb):
        variant.objective = default.objective
        variant.model.power = default.model.power
        variant.beta.max = default.beta.max
        assert variant == default


def test_mixture_prior_runs(tmp_path):
    config = tiny(ib_curve.get_config(), lock=False)
    config.model.prior = "mixture"
    config.model.prior_components = 3
    run(config, tmp_path)
    columns = read_metrics(tmp_path / "metrics.csv")
    stochastic = columns["beta_index"] != BASELINE_INDEX
    assert np.isfinite(columns["rate_nats"][stochastic]).all()


@pytest.mark.parametrize("objective", ["vib", "nib", "ceb"])
def test_sweep_of_beta_and_seeds_equals_one_network_at_a_time(objective):
    # The sweep's program (vmap over networks with their own beta) against each network
    # trained alone, for every objective: the same states after two epochs.
    config = tiny(ib_curve.get_config(), lock=False)
    config.objective = objective
    train, _, full = load_data(config.data)
    trainer = _training(_make_plan(config, full, None)).trainer
    keys = jax.random.split(jax.random.key(0), 4)
    betas = np.asarray([0.0, 1e-3, 0.1, 1.0], np.float32)
    stochastic = np.asarray([0.0, 1.0, 1.0, 1.0], np.float32)

    def two_epochs(state):
        return trainer.train_epoch(trainer.train_epoch(state, train.x, train.y), train.x, train.y)

    together = jax.jit(jax.vmap(lambda *a: two_epochs(trainer.init(*a))))(keys, betas, stochastic)
    alone = jax.jit(lambda *a: two_epochs(trainer.init(*a)))
    for index in range(4):
        single = alone(keys[index], betas[index], stochastic[index])
        for stacked, leaf in zip(
            jax.tree.leaves(together.params), jax.tree.leaves(single.params), strict=True
        ):
            np.testing.assert_allclose(stacked[index], leaf, rtol=2e-4, atol=2e-5)


def test_resume_after_interruption_loses_and_repeats_nothing(default_run, tmp_path):
    reference, _ = default_run
    config = tiny(load_config("default"))
    first = run(config, tmp_path, max_chunks=1)
    assert not first.finished and first.done == 2
    assert set(read_metrics(tmp_path / "metrics.csv")["epoch"]) == {0, 1}
    second = run(config, tmp_path)
    assert second.finished and second.units == 1
    resumed, uninterrupted = (read_metrics(path / "metrics.csv") for path in (tmp_path, reference))
    for name in COLUMNS:
        if name == "split":
            np.testing.assert_array_equal(resumed[name], uninterrupted[name])
        else:
            np.testing.assert_allclose(resumed[name], uninterrupted[name], rtol=1e-5, atol=1e-6)


def test_local_mnist_file(tmp_path):
    rng = np.random.default_rng(0)
    labels = {split: np.arange(n) % 10 for split, n in (("train", 40), ("test", 20))}
    np.savez(
        tmp_path / "mnist.npz",
        x_train=rng.integers(0, 256, size=(40, 28, 28), dtype=np.uint8),
        y_train=labels["train"].astype(np.uint8),
        x_test=rng.integers(0, 256, size=(20, 28, 28), dtype=np.uint8),
        y_test=labels["test"].astype(np.uint8),
    )
    config = tiny(load_config("mnist"), lock=False)
    config.data.path = str(tmp_path / "mnist.npz")
    config.model.encoder_widths = (8,)
    config.model.latent_features = 2
    config.train.batch_size = 16
    run(config, tmp_path / "run")
    columns = read_metrics(tmp_path / "run" / "metrics.csv")
    stochastic = columns["beta_index"] != BASELINE_INDEX
    assert np.isfinite(columns["input_information_upper_bits"][stochastic]).all()
    # All 40 training inputs are in the bounds: I(X;Z) <= log2 40.
    train = stochastic & (columns["split"] == "train")
    assert (columns["input_information_upper_bits"][train] <= math.log2(40) + 1e-4).all()


def test_mnist_without_a_path_fails_before_training(tmp_path):
    config = tiny(load_config("mnist"))
    with pytest.raises(ConfigError, match="path"):
        run(config, tmp_path / "run")
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda c: setattr(c.beta, "min", 0.0), r"`beta.min` must be > 0"),
        (lambda c: setattr(c.beta, "max", 1e-4), r"`beta.max` must be finite and >="),
        (lambda c: setattr(c, "objective", "vae"), r"`objective` must be one of"),
        (lambda c: setattr(c.model, "latent_features", 0), r"`model.latent_features`"),
        (lambda c: setattr(c.model, "encoder_widths", (64, -1)), r"`model.encoder_widths`"),
        (lambda c: setattr(c.model, "power", 3), r"`model.power`"),
        (lambda c: setattr(c.model, "prior", "flow"), r"`model.prior`"),
        (lambda c: setattr(c.model, "noise_std", 0.0), r"`model.noise_std`"),
        (lambda c: setattr(c.model, "activation", "swish2"), r"activation"),
        (lambda c: setattr(c.optimizer, "name", "adamw2"), r"adamw2"),
        (lambda c: setattr(c.tracking, "max_points", 1), r"`tracking.max_points`"),
        (
            lambda c: setattr(c.report, "plane_split", "all"),
            r"`report.plane_split` must be one of \['train', 'test'\], got 'all'",
        ),
        (lambda c: setattr(c.data, "name", "cifar"), r"Unknown dataset 'cifar'"),
    ],
)
def test_bad_config_fails_before_training(change, match, tmp_path):
    config = tiny(ib_curve.get_config(), lock=False)
    change(config)
    with pytest.raises(ConfigError, match=match):
        run(config, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_unknown_field_is_an_error(tmp_path):
    config = tiny(ib_curve.get_config(), lock=False)
    config.model.latent = 4
    with pytest.raises(ConfigError, match="latent"):
        run(config, tmp_path / "run")
