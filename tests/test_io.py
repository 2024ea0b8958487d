"""Tests of infojax.io: the run directory (lock, config snapshot), the metrics file and
its audit, checkpoints."""

import json
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from fake_metrics import information_plane_rows as _rows

from infojax.io import CheckpointStore
from infojax.io import MetricsFile
from infojax.io import RunDirectory
from infojax.io import RunDirectoryError
from infojax.io import WorkdirInUse
from infojax.io import audit_rows
from infojax.io import config_differences
from infojax.io import read_metrics
from infojax.runs.information_plane import COLUMNS

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
    label = COLUMNS.index("label_information_bits")
    np.testing.assert_allclose(columns["label_information_bits"], [row[label] for row in rows])


def test_keep_epochs_before_drops_later_and_partial_rows(tmp_path):
    path = tmp_path / "metrics.csv"
    metrics = MetricsFile(path, COLUMNS)
    metrics.append(_rows([0, 1, 2, 5]))
    with path.open("a") as handle:
        handle.write("7,0,all,1,bins,0.5")  # a row cut short by a crash
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


@pytest.mark.float64  # a float64 leaf must come back float64
def test_checkpoint_roundtrip_keeps_structure_dtype_and_record(tmp_path):
    tree = {
        "params": (jnp.arange(6.0).reshape(2, 3), jnp.ones(2, jnp.float64)),
        "count": jnp.array([3, 4], jnp.int32),
        "raw_key": jax.random.PRNGKey(5),
        "keys": jax.random.split(jax.random.key(6), 3),
    }
    store = CheckpointStore(tmp_path / "checkpoints")
    assert store.latest_step() is None
    store.save(4, tree, {"next_epoch": 4, "seconds": 1.5})
    later = {**jax.tree.map(lambda a: a + 1, {k: v for k, v in tree.items() if k != "keys"})}
    store.save(9, {**later, "keys": tree["keys"]}, {"next_epoch": 9, "seconds": 2.5})
    store.close()
    reopened = CheckpointStore(tmp_path / "checkpoints")
    assert reopened.latest_step() == 9
    template = jax.tree.map(jnp.zeros_like, tree)
    restored, record = reopened.restore(9, template)
    assert record == {"next_epoch": 9, "seconds": 2.5}
    assert jax.tree.structure(restored) == jax.tree.structure(tree)
    assert jax.dtypes.issubdtype(restored["keys"].dtype, jax.dtypes.prng_key)
    np.testing.assert_array_equal(
        jax.random.key_data(restored["keys"]), jax.random.key_data(tree["keys"])
    )
    for name in ("params", "count", "raw_key"):
        for got, saved in zip(
            jax.tree.leaves(restored[name]), jax.tree.leaves(tree[name]), strict=True
        ):
            assert got.dtype == saved.dtype
            np.testing.assert_array_equal(got, saved + 1)
    assert reopened.steps() == [4, 9]
    reopened.delete(9)
    assert reopened.latest_step() == 4
    reopened.close()


# --- run directory ---

CONFIG = {"experiment": "toy", "seed": 0, "train": {"epochs": 3, "sizes": (2, 3)}, "progress": True}


def test_run_directory_creates_snapshots_and_locks(tmp_path):
    workdir = tmp_path / "a" / "run"
    with RunDirectory(workdir, CONFIG, runtime_fields=("progress",)) as directory:
        assert directory.path == workdir
        saved = json.loads((workdir / "config.json").read_text())
        assert saved["train"]["sizes"] == [2, 3]
        assert (workdir / ".lock").read_text() == f"{os.getpid()}\n"
        # A second holder (here another open file of this process) is refused at once.
        with pytest.raises(WorkdirInUse, match=rf"{workdir} is in use by process {os.getpid()}"):
            RunDirectory(workdir, CONFIG).open()
    # Released on close; a runtime field may change and is updated in the snapshot.
    with RunDirectory(workdir, {**CONFIG, "progress": False}, runtime_fields=("progress",)):
        assert json.loads((workdir / "config.json").read_text())["progress"] is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seed": 5}, r"`seed`: 0 -> 5"),
        ({"train": {"epochs": 4, "sizes": (2, 3)}}, r"`train.epochs`: 3 -> 4"),
        ({"extra": 1}, r"`extra`: \(absent\) -> 1"),
    ],
)
def test_run_directory_refuses_another_config(tmp_path, change, message):
    with RunDirectory(tmp_path / "run", CONFIG):
        pass
    before = (tmp_path / "run" / "config.json").read_text()
    with pytest.raises(RunDirectoryError, match=f"another config.*{message}"):
        RunDirectory(tmp_path / "run", {**CONFIG, **change}).open()
    assert (tmp_path / "run" / "config.json").read_text() == before
    # The refusal released the lock.
    with RunDirectory(tmp_path / "run", CONFIG):
        pass


def test_run_directory_errors_name_the_path(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(RunDirectoryError, match=f"cannot create workdir {a_file}/run"):
        RunDirectory(a_file / "run", CONFIG).open()
    with pytest.raises(RunDirectoryError, match=f"workdir {a_file} exists and is not a dir"):
        RunDirectory(a_file, CONFIG).open()
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "config.json").write_text('{"seed": ')
    with pytest.raises(RunDirectoryError, match=f"{corrupt / 'config.json'} cannot be read"):
        RunDirectory(corrupt, CONFIG).open()
    orphan = tmp_path / "orphan"
    orphan.mkdir()
    (orphan / "metrics.csv").write_text("epoch\n0\n")
    with pytest.raises(RunDirectoryError, match=r"holds metrics\.csv but no config\.json"):
        RunDirectory(orphan, CONFIG).open()


def test_config_differences():
    assert config_differences(CONFIG, {**CONFIG, "progress": False}, ignore=("progress",)) == []
    assert config_differences(CONFIG, json.loads(json.dumps(CONFIG))) == []
    assert config_differences({"a": {"b": 1}}, {"a": {"b": 2}}, ignore=("a",)) == []
    assert config_differences({"a": (1, 2)}, {"a": [1, 3]}) == ["`a`: [1, 2] -> [1, 3]"]


def test_audit_rows():
    rows = [["0", "a"], ["0", "b"], ["1", "a"], ["1", "a"], ["2", "a"], ["3", "z"], ["9", "a"]]
    audit = audit_rows(
        rows,
        group_of=lambda row: int(row[0]),
        key_of=lambda row: row[1],
        expected={0: {"a", "b"}, 1: {"a", "b"}, 2: {"a"}, 3: {"a"}},
    )
    assert audit.complete == {0, 2}
    assert audit.missing == {1: 1, 3: 1}
    assert audit.duplicated == {1: 1}
    assert audit.unexpected == {3: 1, 9: 1}  # ("3", "z") and ("9", "a")
    assert audit.faulty == {1, 3}


@pytest.mark.parametrize("cut", [0, 1, 7, None])
def test_metrics_file_cut_inside_its_header_is_rebuilt_with_a_warning(tmp_path, cut):
    # Empty (0 bytes) or cut inside the header line: no complete row, so the file is
    # rebuilt as a deleted one is; a cut after the header's newline is a normal file.
    path = tmp_path / "metrics.csv"
    header = ",".join(COLUMNS) + "\n"
    path.write_text(header[:-1] if cut is None else header[:cut])
    with pytest.warns(RuntimeWarning, match="ends inside its header line"):
        metrics = MetricsFile(path, COLUMNS)
    assert path.read_text() == header
    assert metrics.keep_rows() == []
    path.write_text(header)
    MetricsFile(path, COLUMNS)  # no warning: the header is complete
    assert path.read_text() == header


def test_metrics_file_of_another_run_is_a_metrics_file_error(tmp_path):
    from infojax.io._metrics import MetricsFileError

    path = tmp_path / "metrics.csv"
    path.write_text("epoch,other\n1,2\n")
    with pytest.raises(MetricsFileError, match="not this run's metrics file"):
        MetricsFile(path, COLUMNS).keep_rows()
    path.write_text("zzz")  # not a prefix of the header: not repaired either
    with pytest.raises(MetricsFileError, match="columns"):
        MetricsFile(path, COLUMNS).keep_rows()


@pytest.mark.parametrize("snapshot", ["[]", "3", '"text"', "null"])
def test_config_snapshot_of_the_wrong_json_type_is_a_run_directory_error(tmp_path, snapshot):
    (tmp_path / "config.json").write_text(snapshot)
    with pytest.raises(RunDirectoryError, match="not a config object"):
        RunDirectory(tmp_path, {"a": 1}).open()
    assert (tmp_path / "config.json").read_text() == snapshot
