"""The report of the ib_curve experiment: the IB curve's points, the checks, the plots
and the summary, from metrics written and read back as a run does."""

import math

import numpy as np
import pytest
from fake_metrics import IB_CURVE_COLUMNS
from fake_metrics import ib_curve_rows

from infojax.io import MetricsFile
from infojax.io import read_metrics
from infojax.runs.ib_curve import _report

PNG = b"\x89PNG\r\n\x1a\n"
LN2 = math.log(2)
B = np.arange(3)  # beta indices of the default betas (0.01, 0.1, 1)


def _metrics(tmp_path, rows):
    path = tmp_path / "metrics.csv"
    MetricsFile(path, IB_CURVE_COLUMNS).append(rows)
    return read_metrics(path)


@pytest.fixture
def metrics(tmp_path):
    return _metrics(tmp_path, ib_curve_rows([0, 3]))


def test_points_by_hand(metrics):
    points = _report.ib_curve_points(metrics, split="train", label_entropy_bits=1.0)
    assert int(points["epoch"]) == 3
    np.testing.assert_array_equal(points["beta_index"], B)
    np.testing.assert_allclose(points["beta"], [0.01, 0.1, 1.0])
    np.testing.assert_array_equal(points["seeds"], [2, 2, 2])
    # Seeds 0 and 1 differ by 0.1 in each bound: mean + 0.05, sd 0.05.
    lower = 2 - 0.5 * B + 0.05 + 0.3
    for name, mean in (
        ("input_information_lower", lower),
        ("input_information_upper", lower + 1),
        ("input_information_estimate", lower + 0.5),
        ("label_information_lower", 0.55 - 0.1 * B),
        ("label_information_upper", 0.75 - 0.1 * B),
        ("label_information_estimate", 0.65 - 0.1 * B),
    ):
        np.testing.assert_allclose(points[f"{name}_mean"], mean, rtol=1e-8, err_msg=name)
        np.testing.assert_allclose(points[f"{name}_sd"], 0.05, rtol=1e-6, err_msg=name)
    np.testing.assert_allclose(points["rate_bits_mean"], (4.1 - B) / LN2, rtol=1e-8)
    np.testing.assert_allclose(points["rate_bits_sd"], 0.1 / LN2, rtol=1e-6)
    distortion_bits = (0.2 + 0.1 * B) / LN2
    np.testing.assert_allclose(points["distortion_bits_mean"], distortion_bits, rtol=1e-8)
    np.testing.assert_allclose(
        points["variational_label_information_mean"], 1.0 - distortion_bits, rtol=1e-8
    )
    np.testing.assert_allclose(points["variational_label_information_sd"], 0.0, atol=1e-12)
    np.testing.assert_allclose(points["accuracy_mean"], 0.91 - 0.1 * B, rtol=1e-8)
    np.testing.assert_allclose(points["accuracy_sd"], 0.01, rtol=1e-6)


def test_points_of_another_split_and_epoch(metrics):
    points = _report.ib_curve_points(metrics, split="test", epoch=0)
    assert int(points["epoch"]) == 0
    assert "variational_label_information_mean" not in points
    np.testing.assert_allclose(points["input_information_lower_mean"], 2.05 - 0.5 * B)
    np.testing.assert_allclose(points["label_information_lower_mean"], 0.45 - 0.1 * B)
    np.testing.assert_allclose(points["distortion_bits_mean"], (0.3 + 0.1 * B) / LN2)
    np.testing.assert_allclose(points["accuracy_mean"], 0.81 - 0.1 * B)


def test_integer_betas_read_as_integers_are_floats(tmp_path):
    # Betas 1, 10, 100 and the baseline's 0 are written without a decimal point, so
    # read_metrics types the column int64.
    columns = _metrics(tmp_path, ib_curve_rows([0], betas=(1, 10, 100)))
    assert columns["beta"].dtype == np.int64
    points = _report.ib_curve_points(columns, split="train")
    assert points["beta"].dtype == np.float64
    np.testing.assert_array_equal(points["beta"], [1.0, 10.0, 100.0])


def test_checks_pass_on_a_consistent_monotone_curve(metrics):
    points = _report.ib_curve_points(metrics, split="train", label_entropy_bits=1.0)
    checks = _report.curve_checks(points, data_information=1.0)
    assert len(checks) == 9
    assert all(holds and detail == "" for _, holds, detail in checks), checks


def _check(checks, start):
    (found,) = [check for check in checks if check[0].startswith(start)]
    return found


def test_checks_flag_a_non_monotone_curve(metrics):
    points = _report.ib_curve_points(metrics, split="train")
    # I(Z;Y) estimates 0.65, 0.55, 0.45 with sd 0.05 over 2 seeds and Monte Carlo
    # errors 0.01: noise allows a growth of 2 sqrt(2 (0.05^2 / 2 + 0.01^2)) = 0.104.
    points["label_information_estimate_mean"] = np.array([0.65, 0.55, 0.6])
    assert _check(_report.curve_checks(points), "I(Z;Y) does not grow")[1]
    points["label_information_estimate_mean"] = np.array([0.65, 0.55, 0.7])
    _, holds, detail = _check(_report.curve_checks(points), "I(Z;Y) does not grow")
    assert not holds
    assert detail == "grows at beta 0.1 -> 1: 0.5500 -> 0.7000"
    assert _check(_report.curve_checks(points), "variational rate does not grow")[1]


def test_checks_flag_bounds_that_contradict_data_processing(metrics):
    points = _report.ib_curve_points(metrics, split="train")
    # Estimates of I(X;Z): 2.85, 2.35, 1.85 (standard errors 0.01). I(Z;Y) above it at
    # the last beta only by its estimate, then also by its lower bound (above the upper
    # 2.35 of I(X;Z)).
    points["label_information_estimate_mean"] = np.array([0.65, 0.55, 2.0])
    checks = _report.curve_checks(points, data_information=0.5)
    assert _check(checks, "I(Z;Y) lower bound <= I(X;Z) upper bound")[1]
    assert _check(checks, "I(Z;Y) <= I(X;Z) at every beta, Monte Carlo") == (
        "I(Z;Y) <= I(X;Z) at every beta, Monte Carlo estimates (within 3 standard errors)",
        False,
        "fails at beta = 1",
    )
    # ... and outside its bracket [0.35, 0.55].
    _, holds, detail = _check(checks, "Monte Carlo estimates of I(X;Z) and I(Z;Y) inside")
    assert not holds and detail == "fails at beta = 1"
    # Lower bounds of I(Z;Y) 0.55, 0.45, 0.35 against I(X;Y) = 0.5.
    _, holds, detail = _check(checks, "I(Z;Y) lower bound <= I(X;Y) = 0.5000 bits")
    assert not holds and detail == "fails at beta = 0.01"
    points["label_information_lower_mean"] = np.array([0.55, 0.45, 2.4])
    _, holds, detail = _check(
        _report.curve_checks(points), "I(Z;Y) lower bound <= I(X;Z) upper bound"
    )
    assert not holds and detail == "fails at beta = 1"


def test_checks_flag_a_rate_below_the_lower_bound_and_nan(metrics):
    points = _report.ib_curve_points(metrics, split="train")
    points["rate_bits_mean"] = np.array([math.nan, 1.0, 3.0])
    _, holds, detail = _check(_report.curve_checks(points), "variational rate >=")
    assert not holds
    assert detail == "fails at beta = 0.1; NaN at beta = 0.01, not checked"
    # CEB's rate bounds I(X;Z|Y): with I(Z;Y) upper 0.75, 0.65, 0.55 added, the rate 1.0
    # at beta 0.1 still falls below the lower bound 1.85 of I(X;Z).
    _, holds, detail = _check(
        _report.curve_checks(points, rate_bounds="residual"), "variational rate + I(Z;Y)"
    )
    assert not holds and detail == "fails at beta = 0.1; NaN at beta = 0.01, not checked"
    with pytest.raises(ValueError, match="rate_bounds"):
        _report.curve_checks(points, rate_bounds="conditional")


def test_plots_are_written(metrics, tmp_path):
    _report.plot_ib_curve(metrics, tmp_path / "curve.png", data_information=1.0, label_entropy=1.0)
    _report.plot_ib_curve(metrics, tmp_path / "curve_train.png", split="train", title="t")
    _report.plot_accuracy_vs_beta(metrics, tmp_path / "accuracy.png")
    _report.plot_information_plane(metrics, tmp_path / "plane.png", beta_indices=[0, 2])
    for name in ("curve.png", "curve_train.png", "accuracy.png", "plane.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG, name


def test_summary(metrics, tmp_path):
    _report.write_summary(
        tmp_path / "summary.md",
        metrics,
        title="A sweep",
        details={"seeds": 2},
        figures={"IB curve": "curve.png"},
        data_information=1.0,
        label_entropy={"train": 1.0, "test": 1.0},
    )
    text = (tmp_path / "summary.md").read_text()
    assert text.startswith("# A sweep\n\n- seeds: 2\n- I(X;Y) of the data: 1.0000 bits\n")
    assert "- H(Y) (train): 1.0000 bits" in text
    assert text.index("## test (epoch 3") < text.index("## train (epoch 3")
    assert (
        "| beta | seeds | I(X;Z) (bits) [bracket] | I(Z;Y) (bits) [bracket] | rate (bits) "
        "| H(Y) - distortion (bits) | accuracy |" in text
    )
    # Train, beta 0.01 at epoch 3: rate 4.1 ± 0.1 nats, distortion 0.2 nats (bits
    # 0.289), accuracy 0.91 ± 0.01.
    assert (
        "| 0.01 | 2 | 2.850 ± 0.050 [2.350, 3.350] | 0.650 ± 0.050 [0.550, 0.750] "
        "| 5.915 ± 0.144 | 0.711 ± 0.000 "
        "| 0.910 ± 0.010 |" in text
    )
    # Test, beta 1: I(Z;Y) lower 0.5 - 0.1 * 2 + 0.05 - 0.1, rate 2.1 nats, distortion
    # 0.5 nats, accuracy 0.9 - 0.2 + 0.01 - 0.1.
    assert (
        "| 1 | 2 | 1.850 ± 0.050 [1.350, 2.350] | 0.350 ± 0.050 [0.250, 0.450] "
        "| 3.030 ± 0.144 | 0.279 ± 0.000 "
        "| 0.610 ± 0.010 |" in text
    )
    assert "- best test accuracy: 0.8100 ± 0.0100 at beta = 0.01" in text
    assert (
        "- deterministic baseline (beta = 0, no noise), test accuracy at epoch 3: "
        "0.8600 ± 0.0100 (2 seeds)" in text
    )
    assert (
        "- I(Z;Y) lower bound <= I(X;Z) upper bound at every beta "
        "(data processing, certified): yes" in text
    )
    assert "- I(Z;Y) does not grow as beta grows" in text
    assert ": no" not in text
    assert text.endswith("![IB curve](curve.png)\n")


@pytest.mark.filterwarnings("error")
def test_partial_run_with_one_seed_warns_nothing(tmp_path):
    # Epochs 0 and 1 of every beta, then epoch 2 of the first beta only; one seed, no
    # baseline.
    rows = list(ib_curve_rows([0, 1], seeds=1, baseline=False))
    rows += [row for row in ib_curve_rows([2], seeds=1, baseline=False) if row[1] == 0]
    columns = _metrics(tmp_path, rows)
    points = _report.ib_curve_points(columns, split="test", label_entropy_bits=1.0)
    _report.plot_ib_curve(columns, tmp_path / "curve.png", label_entropy=1.0)
    _report.plot_accuracy_vs_beta(columns, tmp_path / "accuracy.png")
    _report.plot_information_plane(columns, tmp_path / "plane.png", beta_indices=[0, 1])
    _report.write_summary(tmp_path / "summary.md", columns, title="Partial", details={}, figures={})
    assert int(points["epoch"]) == 2
    np.testing.assert_array_equal(points["beta_index"], [0])
    np.testing.assert_array_equal(points["seeds"], [1])
    for name, value in points.items():
        if name.endswith("_sd"):
            np.testing.assert_array_equal(value, 0.0, err_msg=name)
    for name in ("curve.png", "accuracy.png", "plane.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG, name
    text = (tmp_path / "summary.md").read_text()
    assert "- betas without rows at this epoch: 0.1, 1" in text
    assert "deterministic baseline" not in text


@pytest.mark.filterwarnings("error")
def test_empty_metrics_file(tmp_path):
    columns = _metrics(tmp_path, [])
    points = _report.ib_curve_points(columns, split="train")
    assert points["beta"].size == 0 and int(points["epoch"]) == -1
    assert _report.curve_checks(points) == []
    _report.plot_ib_curve(columns, tmp_path / "curve.png")
    _report.plot_accuracy_vs_beta(columns, tmp_path / "accuracy.png")
    _report.plot_information_plane(columns, tmp_path / "plane.png", beta_indices=[0])
    _report.write_summary(tmp_path / "summary.md", columns, title="Empty", details={}, figures={})
    assert (tmp_path / "summary.md").read_text() == "# Empty\n\n"
