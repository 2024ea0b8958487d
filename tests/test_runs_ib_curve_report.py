"""The report of the ib_curve experiment: the IB curve's points, the checks, the plots
and the summary, from metrics written and read back as a run does."""

import math

import numpy as np
import pytest
from fake_metrics import IB_CURVE_COLUMNS
from fake_metrics import IB_CURVE_COLUMNS as COLUMNS
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


def test_interval_is_the_t_interval_of_scipy(tmp_path):
    from scipy import stats

    metrics = _metrics(tmp_path, ib_curve_rows([0], seeds=3))
    points = _report.ib_curve_points(metrics, split="test")
    for name, column in (
        ("accuracy", "accuracy"),
        ("accuracy_single_draw", "accuracy_single_draw"),
        ("input_information_estimate", "input_information_bits"),
    ):
        for position, index in enumerate(B):
            rows = (metrics["split"] == "test") & (metrics["beta_index"] == index)
            values = metrics[column][rows]
            low, high = stats.t.interval(
                0.95, values.size - 1, loc=values.mean(), scale=stats.sem(values)
            )
            np.testing.assert_allclose(points[f"{name}_low"][position], low, rtol=1e-5)
            np.testing.assert_allclose(points[f"{name}_high"][position], high, rtol=1e-5)
    # The table prints "mean [low, high]" of the same interval.
    table = "\n".join(_report._table(points))
    values = metrics["accuracy"][(metrics["split"] == "test") & (metrics["beta_index"] == 0)]
    low, high = stats.t.interval(0.95, 2, loc=values.mean(), scale=stats.sem(values))
    assert f"| {values.mean():.3f} [{low:.3f}, {high:.3f}] |" in table


@pytest.mark.parametrize("n_classes", [2, 3, 10])
def test_fano_bound_against_a_grid_search(n_classes):
    # The largest accuracy a with h(1 - a) + (1 - a) log2(K - 1) >= H(Y) - I, found on
    # a grid of error probabilities.
    entropy = math.log2(n_classes) * 0.9
    errors = np.linspace(0, 1 - 1 / n_classes, 200001)
    inside = np.clip(errors, 1e-300, 1 - 1e-16)
    right = -inside * np.log2(inside) - (1 - inside) * np.log2(1 - inside)
    right = np.where(errors == 0, 0.0, right) + errors * math.log2(n_classes - 1)
    informations = np.linspace(0, entropy, 7)
    for information in informations:
        enough = errors[right >= entropy - information - 1e-12]
        expected = 1 - enough.min()
        bound = _report.fano_accuracy_bound(
            information, label_entropy_bits=entropy, n_classes=n_classes
        )
        np.testing.assert_allclose(bound, expected, atol=errors[1] + 1e-9)
    # I >= H(Y): no constraint; H(Y) - I = log2 K: chance accuracy.
    np.testing.assert_allclose(
        _report.fano_accuracy_bound(
            [entropy + 0.1, math.nan], label_entropy_bits=entropy, n_classes=n_classes
        ),
        [1.0, math.nan],
    )
    np.testing.assert_allclose(
        _report.fano_accuracy_bound(
            0.0, label_entropy_bits=math.log2(n_classes), n_classes=n_classes
        ),
        1 / n_classes,
        atol=1e-12,
    )


def test_fano_bound_of_the_issue():
    # NIB at beta 1.58 (issue 24): I(Z;Y) <= 0.226 bits of H(Y) = 1 bit allows a single
    # draw an accuracy of 0.77 at most.
    bound = _report.fano_accuracy_bound(0.226, label_entropy_bits=1.0, n_classes=2)
    assert 0.765 < bound < 0.775
    with pytest.raises(ValueError, match="n_classes"):
        _report.fano_accuracy_bound(0.2, label_entropy_bits=1.0, n_classes=1)


def _points(metrics, split="train"):
    return _report.ib_curve_points(metrics, split=split, label_entropy_bits=1.0, n_classes=2)


def _check(checks, start):
    (found,) = [check for check in checks.checks if check[0].startswith(start)]
    return found


# Every check that can fail on the fake curve (I(X;Y) = 0.9 < H(Y) = 1).
CHECKS = (
    "I(Z;Y) lower bound <= I(X;Y) = 0.9000 bits",
    "variational rate >= I(X;Z) lower bound",
    "H(Y) - distortion <= I(Z;Y) upper bound",
    "Monte Carlo estimates of I(X;Z) and I(Z;Y) inside their brackets at every beta, seed",
    "I(Z;Y) <= I(X;Z) at every beta, Monte Carlo",
    "I(Z;Y) <= I(X;Y) = 0.9000 bits, Monte Carlo",
    "single-draw accuracy <= Fano's bound",
    "I(X;Z) does not grow as beta grows",
    "I(Z;Y) does not grow as beta grows",
    "variational rate does not grow as beta grows",
)


def test_checks_pass_on_a_consistent_monotone_curve(metrics):
    found = _report.curve_checks(_points(metrics), data_information=0.9, label_entropy=1.0)
    assert len(found.checks) == len(CHECKS)
    for start in CHECKS:
        assert _check(found, start)[1:] == (True, ""), start
    # Never a check: the label bracket is clipped to the input bound.
    assert found.by_construction == [
        (
            "I(Z;Y) lower bound <= I(X;Z) upper bound",
            "the mixture bounds clip the bracket of I(Z;Y) to the upper bound on I(X;Z)",
        )
    ]
    assert not any(s.startswith("I(Z;Y) lower bound <= I(X;Z)") for s, *_ in found.checks)
    ((statement, outcome),) = found.informational
    assert statement.startswith("accuracy of the softmax averaged over draws")
    assert outcome == "below it"


def test_data_processing_against_the_labels_holds_by_construction_where_y_is_a_function(
    metrics,
):
    # I(X;Y) = H(Y): the bracket and the estimate of I(Z;Y) are at most H(Y) as computed.
    found = _report.curve_checks(_points(metrics), data_information=1.0, label_entropy=1.0)
    statements = [statement for statement, *_ in found.checks]
    assert not any("I(X;Y)" in statement for statement in statements)
    assert [s for s, _ in found.by_construction if "I(X;Y)" in s] == [
        "I(Z;Y) lower bound <= I(X;Y) = 1.0000 bits (data processing, certified)",
        "I(Z;Y) <= I(X;Y) = 1.0000 bits, Monte Carlo estimate (within 3 standard errors)",
    ]
    # Without H(Y) nothing says they coincide: checks.
    found = _report.curve_checks(_points(metrics), data_information=1.0)
    assert sum("I(X;Y)" in statement for statement, *_ in found.checks) == 2


def test_each_check_fails_on_a_perturbed_point(metrics):
    # Fake train curve at epoch 3 (means over 2 seeds): I(X;Z) bracket [2.35, 3.35] -
    # 0.5 b with estimate in the middle, I(Z;Y) bracket [0.55, 0.75] - 0.1 b, standard
    # errors 0.01; rate (4.1 - b) / ln 2 bits; single-draw accuracy 0.86 - 0.1 b.
    def fails(change, start, **options):
        points = _points(metrics)
        change(points)
        options = {"data_information": 0.9, "label_entropy": 1.0} | options
        _, holds, detail = _check(_report.curve_checks(points, **options), start)
        assert not holds, start
        return detail

    def put(name, index, value):
        def change(points):
            points[name][index] = value

        return change

    assert fails(put("label_information_lower_mean", 0, 0.95), CHECKS[0]) == (
        "fails at beta = 0.01"
    )
    assert fails(put("rate_bits_mean", 1, 1.0), CHECKS[1]) == "fails at beta = 0.1"
    assert (
        fails(put("variational_label_information_mean", 2, 0.6), CHECKS[2]) == "fails at beta = 1"
    )
    assert fails(put("input_information_estimate_mean", 2, 2.5), CHECKS[3]) == ("fails at beta = 1")
    assert fails(put("label_information_estimate_mean", 2, 2.0), CHECKS[4]) == ("fails at beta = 1")
    assert fails(put("label_information_estimate_mean", 0, 0.95), CHECKS[5]) == (
        "fails at beta = 0.01"
    )
    # Fano allows 0.958 at beta 0.01 (I(Z;Y) <= 0.75 of 1 bit): an interval of the
    # single-draw accuracy above it fails.
    assert fails(put("accuracy_single_draw_low", 0, 0.97), CHECKS[6]) == "fails at beta = 0.01"
    # I(X;Z) 2.85, 2.35, 1.85 with sd 0.05 over 2 seeds and Monte Carlo error 0.01:
    # noise allows a growth of 2 sqrt(2 (0.05^2 / 2 + 0.01^2)) = 0.104.
    assert fails(put("input_information_estimate_mean", 2, 2.5), CHECKS[7]) == (
        "grows at beta 0.1 -> 1: 2.3500 -> 2.5000"
    )
    assert fails(put("label_information_estimate_mean", 2, 0.7), CHECKS[8]) == (
        "grows at beta 0.1 -> 1: 0.5500 -> 0.7000"
    )
    assert fails(put("rate_bits_mean", 2, 8.0), CHECKS[9]).startswith("grows at beta 0.1 -> 1")
    # CEB: its rate bounds I(X;Z|Y); rate 1.0 + I(Z;Y) upper 0.65 < lower bound 1.85.
    assert fails(
        put("rate_bits_mean", 1, 1.0), "variational rate + I(Z;Y) upper", rate_bounds="residual"
    ) == ("fails at beta = 0.1")


def test_monotonicity_holds_within_noise(metrics):
    points = _points(metrics)
    points["input_information_estimate_mean"] = np.array([2.85, 2.35, 2.4])
    found = _report.curve_checks(points)
    assert _check(found, "I(X;Z) does not grow")[1]


def test_nan_is_not_checked(metrics):
    points = _points(metrics)
    points["rate_bits_mean"] = np.array([math.nan, 1.0, 3.0])
    _, holds, detail = _check(_report.curve_checks(points), "variational rate >=")
    assert not holds
    assert detail == "fails at beta = 0.1; NaN at beta = 0.01, not checked"
    with pytest.raises(ValueError, match="rate_bounds"):
        _report.curve_checks(points, rate_bounds="conditional")


def test_rate_equal_to_the_upper_bound_holds_by_construction(metrics):
    # Nonlinear IB records the upper mixture bound as its rate: comparing it with the
    # lower bound compares the two ends of one bracket.
    points = _points(metrics)
    points["rate_bits_mean"] = points["input_information_upper_mean"].copy()
    found = _report.curve_checks(points)
    assert not any(s.startswith("variational rate >=") for s, *_ in found.checks)
    assert (
        "variational rate >= I(X;Z) lower bound (the rate is an upper bound on I(X;Z))",
        "the rate is the upper bound of the same bracket on I(X;Z)",
    ) in found.by_construction
    # Where it differs (at beta 1 only) it stays a check there, and can fail.
    points["rate_bits_mean"][2] = 1.0
    found = _report.curve_checks(points)
    statement, holds, detail = _check(found, "variational rate >=")
    assert statement.endswith("at beta = 1") and not holds and detail == "fails at beta = 1"
    assert any(s.endswith("at beta = 0.01, 0.1") for s, _ in found.by_construction)


def test_variational_bound_at_the_entropy_holds_by_construction(metrics):
    # Where the upper bound on I(Z;Y) is clipped to H(Y), H(Y) - distortion <= it says
    # only distortion >= 0.
    points = _points(metrics)
    points["label_information_upper_mean"][:] = 1.0
    found = _report.curve_checks(points, label_entropy=1.0)
    assert not any(s.startswith("H(Y) - distortion") for s, *_ in found.checks)
    ((_, reason),) = [c for c in found.by_construction if c[0].startswith("H(Y) - distortion")]
    assert "distortion >= 0" in reason
    points["label_information_upper_mean"][0] = 0.5
    statement, holds, _ = _check(
        _report.curve_checks(points, label_entropy=1.0), "H(Y) - distortion"
    )
    assert statement.endswith("at beta = 0.01") and not holds


def test_single_draw_check_needs_two_seeds_and_the_averaged_accuracy_is_informational(
    metrics,
):
    points = _points(metrics)
    points["accuracy_single_draw_low"][:] = math.nan
    _, holds, detail = _check(_report.curve_checks(points), "single-draw accuracy")
    assert holds and detail == "fewer than 2 seeds at beta = 0.01, 0.1, 1, not checked"
    points["accuracy_mean"][1] = 0.99
    found = _report.curve_checks(points)
    assert found.informational[0][1] == "above it at beta = 0.1"
    assert all(holds for _, holds, _ in found.checks)


def test_every_row_is_checked(tmp_path):
    rows = [list(row) for row in ib_curve_rows([0, 1])]
    for name in "abcd":
        (tmp_path / name).mkdir()
    assert _report.row_check(_metrics(tmp_path / "a", rows), split="test")[1]
    # Issue 24: epoch 1, beta 0.1 (index 1), seed 1, test: the I(X;Z) estimate 4.4
    # standard errors above its upper bound.
    index = COLUMNS.index
    (row,) = [r for r in rows if r[:5] == [1, 1, 0.1, 1, "test"]]
    row[index("input_information_bits")] = row[index("input_information_upper_bits")] + 0.044
    statement, holds, detail = _report.row_check(_metrics(tmp_path / "c", rows), split="test")
    assert statement.startswith("every row (test: each epoch, beta and seed)")
    assert not holds
    assert detail == (
        "12 rows (24 estimates) checked, 1 outside; worst: epoch 1, beta 0.1, seed 1, test: "
        "I(X;Z) estimate 2.7440, upper bound 2.7000, 4.4 standard errors outside"
    )
    # float32 rounding at a clipped bound (log2 256 = 8 bits, 4 units in the last place
    # above it, with a standard error of 5e-7 bits) is no failure.
    (clipped,) = [r for r in rows if r[:5] == [0, 0, 0.01, 0, "test"]]
    clipped[index("input_information_upper_bits")] = 8.0
    clipped[index("input_information_bits")] = 8.0 + 4 * 8 * float(np.finfo(np.float32).eps)
    clipped[index("input_information_se_bits")] = 5e-7
    metrics = _metrics(tmp_path / "b", rows)
    assert _report.row_check(metrics, split="test")[2].startswith(
        "12 rows (24 estimates) checked, 1 outside"
    )
    # The train rows are checked apart; 4 standard errors would let it pass.
    assert _report.row_check(metrics, split="train")[1]
    assert _report.row_check(metrics, split="test", standard_errors=4.5)[1]
    # Below the lower bound of I(Z;Y), and NaN.
    row[index("input_information_bits")] = row[index("input_information_upper_bits")]
    row[index("label_information_bits")] = row[index("label_information_lower_bits")] - 0.05
    (other,) = [r for r in rows if r[:5] == [0, 2, 1.0, 0, "test"]]
    other[index("label_information_se_bits")] = math.nan
    _, holds, detail = _report.row_check(_metrics(tmp_path / "d", rows), split="test")
    assert not holds
    assert "I(Z;Y) estimate 0.3500, lower bound 0.4000, 5.0 standard errors outside" in detail
    assert detail.endswith("; 1 rows with NaN, not checked")


def test_plots_are_written(metrics, tmp_path):
    _report.plot_ib_curve(metrics, tmp_path / "curve.png", data_information=1.0, label_entropy=1.0)
    _report.plot_ib_curve(metrics, tmp_path / "curve_train.png", split="train", title="t")
    _report.plot_ib_curve(
        metrics, tmp_path / "curve_ceb.png", label_entropy=1.0, rate_bounds="residual"
    )
    _report.plot_accuracy_vs_beta(metrics, tmp_path / "accuracy.png")
    _report.plot_information_plane(metrics, tmp_path / "plane.png", beta_indices=[0, 2])
    for name in ("curve.png", "curve_train.png", "curve_ceb.png", "accuracy.png", "plane.png"):
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
        n_classes=2,
    )
    text = (tmp_path / "summary.md").read_text()
    assert text.startswith("# A sweep\n\n- seeds: 2\n- I(X;Y) of the data: 1.0000 bits\n")
    assert "- H(Y) (train): 1.0000 bits" in text
    assert text.index("## test (epoch 3") < text.index("## train (epoch 3")
    assert "## test (epoch 3, mean [95 % t interval over seeds])" in text
    assert (
        "| beta | seeds | I(X;Z) estimate (bits) | I(X;Z) bracket (bits) "
        "| I(Z;Y) estimate (bits) | I(Z;Y) bracket (bits) | rate (bits) "
        "| H(Y) - distortion (bits) | accuracy (draws averaged) | accuracy (single draw) "
        "| Fano bound on single-draw accuracy |" in text
    )
    # Train, beta 0.01 at epoch 3: two seeds 0.1 apart in the informations (mean +
    # 0.05, t interval +- 12.706 * 0.05), rate 4.1 +- 0.1 nats, distortion 0.2 nats
    # (bits 0.289), accuracy 0.91 +- 0.01, single draw 0.05 below.
    assert (
        "| 0.01 | 2 | 2.850 [2.215, 3.485] | 2.350 to 3.350 | 0.650 [0.015, 1.285] "
        "| 0.550 to 0.750 | 5.915 [4.082, 7.748] | 0.711 [0.711, 0.711] "
        "| 0.910 [0.783, 1.037] | 0.860 [0.733, 0.987] | 0.958 [0.817, 1.098] |" in text
    )
    assert "- best test accuracy: 0.8100 [0.6829, 0.9371] at beta = 0.01" in text
    assert (
        "- deterministic baseline (beta = 0, no noise), test accuracy at epoch 3: "
        "0.8600 [0.7329, 0.9871] (2 seeds)" in text
    )
    checks = text[text.index("Checks:") : text.index("Holds by construction")]
    assert "- I(Z;Y) does not grow as beta grows" in checks
    assert "- I(X;Z) does not grow as beta grows" in checks
    assert "- single-draw accuracy <= Fano's bound" in checks
    assert (
        "- every row (test: each epoch, beta and seed): Monte Carlo estimates of I(X;Z) and "
        "I(Z;Y) inside their brackets within 3 standard errors: yes (12 rows (24 estimates) "
        "checked, 0 outside; worst: epoch 0, beta 1, seed 0, test: I(Z;Y) estimate "
        "0.3000, lower bound 0.2000, inside by 10.0 standard errors)" in checks
    )
    # I(X;Y) = H(Y) = 1 bit: what holds by construction is listed apart, not as a check.
    assert "I(X;Y)" not in checks and "I(Z;Y) lower bound <= I(X;Z)" not in checks
    assert (
        "Holds by construction (not a test):\n\n"
        "- I(Z;Y) lower bound <= I(X;Z) upper bound: the mixture bounds clip the bracket of "
        "I(Z;Y) to the upper bound on I(X;Z)\n"
        "- I(Z;Y) lower bound <= I(X;Y) = 1.0000 bits (data processing, certified): "
        "I(X;Y) = H(Y) here, and the bracket of I(Z;Y) is clipped to H(Y)\n" in text
    )
    assert (
        "For information (not a test):\n\n- accuracy of the softmax averaged over draws of "
        "Z (mean over seeds) against the single-draw Fano bound (another channel: not "
        "bound by it): below it" in text
    )
    assert "): no" not in text and ": no (" not in text
    assert text.endswith("![IB curve](curve.png)\n")


def test_summary_of_ceb_names_what_its_rate_bounds(metrics, tmp_path):
    _report.write_summary(
        tmp_path / "summary.md",
        metrics,
        title="CEB",
        details={},
        figures={},
        rate_bounds="residual",
    )
    text = (tmp_path / "summary.md").read_text()
    assert "| rate, bounds I(X;Z|Y) (bits) |" in text
    assert "- variational rate + I(Z;Y) upper bound >= I(X;Z) lower bound" in text
    # Without H(Y) and the number of classes there is no Fano bound.
    assert "Fano" not in text


def test_variational_points_of_ceb_are_a_bound_on_the_input_information(metrics):
    points = _points(metrics)
    vib = _report.variational_points(points)
    np.testing.assert_array_equal(vib["x"], points["rate_bits_mean"])
    assert vib["label"] == "variational: rate, H(Y) - distortion"
    ceb = _report.variational_points(points, rate_bounds="residual")
    # I(X;Z) = I(X;Z|Y) + I(Z;Y) <= rate + upper bound on I(Z;Y), per row then averaged.
    np.testing.assert_allclose(
        ceb["x"], points["rate_bits_mean"] + points["label_information_upper_mean"], rtol=1e-12
    )
    assert ceb["x_name"] == "rate_plus_label_upper_bits"
    assert "rate (bounds I(X;Z|Y)) + I(Z;Y) upper" in ceb["label"]
    np.testing.assert_array_equal(ceb["y"], points["variational_label_information_mean"])
    with pytest.raises(ValueError, match="rate_bounds"):
        _report.variational_points(points, rate_bounds="conditional")


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
    assert _report.curve_checks(points) == ([], [], [])
    assert _report.row_check(columns, split="train")[1:] == (True, "no rows")
    _report.plot_ib_curve(columns, tmp_path / "curve.png")
    _report.plot_accuracy_vs_beta(columns, tmp_path / "accuracy.png")
    _report.plot_information_plane(columns, tmp_path / "plane.png", beta_indices=[0])
    _report.write_summary(tmp_path / "summary.md", columns, title="Empty", details={}, figures={})
    assert (tmp_path / "summary.md").read_text() == "# Empty\n\n"
