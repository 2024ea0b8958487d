"""Tests of infojax.io: metrics file, checkpoints, plots and summary, I(X;Y) of data."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from infojax.io import INFORMATION_PLANE_COLUMNS as COLUMNS
from infojax.io import CheckpointStore
from infojax.io import MetricsFile
from infojax.io import data_information
from infojax.io import plot_information_plane
from infojax.io import plot_training_curves
from infojax.io import read_metrics
from infojax.io import seed_means
from infojax.io import training_curves
from infojax.io import write_summary


def _rows(epochs, seeds=2, layers=2, estimators=("bins", "kde")):
    for epoch in epochs:
        for seed in range(seeds):
            for layer in range(1, layers + 1):
                for estimator in estimators:
                    yield (
                        epoch,
                        seed,
                        layer,
                        estimator,
                        float(epoch + layer),
                        0.1 * layer + seed,
                        1.0 / (epoch + 1),
                        0.5 + 0.01 * seed,
                        1.1 / (epoch + 1),
                        0.5,
                    )


# --- metrics file ---


def test_metrics_roundtrip(tmp_path):
    metrics = MetricsFile(tmp_path / "metrics.csv", COLUMNS)
    rows = list(_rows([0, 1, 3]))
    metrics.append(rows[:5])
    metrics.append(rows[5:])
    columns = read_metrics(tmp_path / "metrics.csv")
    assert list(columns) == list(COLUMNS)
    assert columns["epoch"].dtype == np.int64 and columns["estimator"].dtype.kind == "U"
    np.testing.assert_array_equal(columns["epoch"], [row[0] for row in rows])
    np.testing.assert_allclose(columns["label_information_bits"], [row[5] for row in rows])


def test_keep_epochs_before_drops_later_and_partial_rows(tmp_path):
    path = tmp_path / "metrics.csv"
    metrics = MetricsFile(path, COLUMNS)
    metrics.append(_rows([0, 1, 2, 5]))
    with path.open("a") as handle:
        handle.write("7,0,1,bins,0.5")  # a row cut short by a crash
    assert MetricsFile(path, COLUMNS).keep_epochs_before(2) == 16
    assert path.read_text().endswith("\n")
    np.testing.assert_array_equal(np.unique(read_metrics(path)["epoch"]), [0, 1])
    assert MetricsFile(path, COLUMNS).keep_epochs_before(0) == 0
    assert read_metrics(path)["epoch"].size == 0


def test_metrics_file_errors(tmp_path):
    path = tmp_path / "metrics.csv"
    MetricsFile(path, ("epoch", "value"))
    with pytest.raises(ValueError, match="columns"):
        MetricsFile(path, COLUMNS).keep_epochs_before(1)
    with pytest.raises(ValueError, match="2 columns"):
        MetricsFile(path, ("epoch", "value")).append([(1, 2, 3)])
    with pytest.raises(ValueError, match="no 'epoch' column"):
        MetricsFile(tmp_path / "other.csv", ("value", "step")).keep_epochs_before(1)


def test_keep_rows_drops_half_written_line_and_keeps_quoted_values(tmp_path):
    # A killed writer leaves a last line without its newline; values with commas are
    # quoted by the csv module and must survive the rewrite.
    path = tmp_path / "results.csv"
    results = MetricsFile(path, ("name", "value"))
    results.append([("a,b", 1.5), ("c", 2)])
    with path.open("a") as handle:
        handle.write("d,3.2")
    assert results.keep_rows() == [["a,b", "1.5"], ["c", "2"]]
    assert path.read_text() == 'name,value\n"a,b",1.5\nc,2\n'
    assert results.keep_rows(lambda row: row[0] == "c") == [["c", "2"]]
    assert path.read_text() == "name,value\nc,2\n"


# --- checkpoints ---


def test_checkpoint_roundtrip_keeps_structure_dtype_and_record(tmp_path):
    tree = {
        "params": (jnp.arange(6.0).reshape(2, 3), jnp.ones(2, jnp.float64)),
        "count": jnp.array([3, 4], jnp.int32),
        "key": jax.random.PRNGKey(5),
    }
    store = CheckpointStore(tmp_path / "checkpoints")
    assert store.latest_step() is None
    store.save(4, tree, {"next_epoch": 4, "seconds": 1.5})
    store.save(9, jax.tree.map(lambda a: a + 1, tree), {"next_epoch": 9, "seconds": 2.5})
    store.close()
    reopened = CheckpointStore(tmp_path / "checkpoints")
    assert reopened.latest_step() == 9
    template = jax.tree.map(jnp.zeros_like, tree)
    restored, record = reopened.restore(9, template)
    assert record == {"next_epoch": 9, "seconds": 2.5}
    assert jax.tree.structure(restored) == jax.tree.structure(tree)
    for got, saved in zip(jax.tree.leaves(restored), jax.tree.leaves(tree), strict=True):
        assert got.dtype == saved.dtype
        np.testing.assert_array_equal(got, saved + 1)
    reopened.close()


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
    assert "## bins" in text and "## kde" in text and "![plane](plane.png)" in text
    # Layer 2 of "bins": I(X;T) = epoch + 2 peaks at the last epoch, 12.
    assert "| 2 | 12.000 | 10 | 12.000 | 0.700 |" in text


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
