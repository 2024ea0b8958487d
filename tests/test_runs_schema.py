"""The row schema between an experiment and the run loop, and the frozen plan section."""

import ml_collections
import pytest

from infojax.runs import RowSchema
from infojax.runs import ib_curve
from infojax.runs import information_plane
from infojax.runs._config import frozen_section

SCHEMA = RowSchema(columns=("epoch", "seed", "split", "loss"), keys=("seed", "split"))


def test_row_puts_values_in_column_order():
    assert SCHEMA.row({"loss": 0.5, "split": "test", "epoch": 3, "seed": 1}) == (
        3,
        1,
        "test",
        0.5,
    )


@pytest.mark.parametrize(
    "values",
    [
        {"epoch": 0, "seed": 0, "split": "train"},  # a column missing
        {"epoch": 0, "seed": 0, "split": "train", "loss": 1.0, "accuracy": 1.0},  # unknown
    ],
)
def test_row_with_other_columns_is_refused(values):
    with pytest.raises(ValueError, match="lacks columns"):
        SCHEMA.row(values)


def test_keys_of_written_rows_and_of_a_full_epoch():
    # Written rows are read back as strings in column order.
    assert SCHEMA.key_of(["4", "2", "train", "0.25"]) == ("2", "train")
    expected = SCHEMA.expected_keys({"split": ("train", "test"), "seed": range(2)})
    assert expected == {("0", "train"), ("0", "test"), ("1", "train"), ("1", "test")}
    with pytest.raises(ValueError, match="key columns"):
        SCHEMA.expected_keys({"seed": range(2)})


@pytest.mark.parametrize(
    "columns, keys, match",
    [
        (("seed", "epoch"), ("seed",), "start with 'epoch'"),
        (("epoch", "seed", "seed"), ("seed",), "repeats"),
        (("epoch", "seed"), ("layer",), "not columns"),
        (("epoch", "seed"), ("epoch",), "not columns"),
    ],
)
def test_bad_schema_is_refused(columns, keys, match):
    with pytest.raises(ValueError, match=match):
        RowSchema(columns=columns, keys=keys)


@pytest.mark.parametrize("experiment", [ib_curve, information_plane])
def test_experiments_declare_their_columns_and_keys_once(experiment):
    schema = experiment.SCHEMA
    assert experiment.COLUMNS == schema.columns
    assert all(key in schema.columns for key in schema.keys)


def test_frozen_section_is_hashable_and_casts_to_the_default_kind():
    default = ml_collections.ConfigDict(
        {"model": {"widths": [4, 2], "noise": 0.5}, "train": {"batch_size": 8, "epochs": 3}}
    )
    config = ml_collections.ConfigDict(
        {"model": {"widths": [4, 2], "noise": 1}, "train": {"batch_size": 8, "epochs": 9}}
    )
    section = frozen_section(config, default, ("model", "train.batch_size"))
    assert section.model.widths == (4, 2)
    assert isinstance(section.model.noise, float) and section.model.noise == 1.0
    assert section.train.batch_size == 8
    assert "epochs" not in section.train
    # Configs that differ only in fields outside the section give equal sections.
    other = ml_collections.ConfigDict(
        {"model": {"widths": (4, 2), "noise": 1.0}, "train": {"batch_size": 8, "epochs": 1}}
    )
    assert frozen_section(other, default, ("model", "train.batch_size")) == section
    assert hash(frozen_section(other, default, ("model", "train.batch_size"))) == hash(section)
