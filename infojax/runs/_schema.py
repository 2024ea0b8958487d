"""The row schema of an experiment's metrics file, declared once by the experiment.

A :class:`RowSchema` names the columns of ``metrics.csv`` in their order and the key
columns that identify a row within its epoch. An experiment yields rows as mappings
from column names to values; :func:`~infojax.runs.train_in_chunks` puts them in column
order, and on resume derives each written row's key and the keys every measured epoch
must hold from the same names. Adding a column is one entry in ``columns`` and one
value in the mapping the experiment yields.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence


@dataclasses.dataclass(frozen=True)
class RowSchema:
    """The columns of a metrics file and the columns that key a row within its epoch.

    Attributes:
      columns: the column names in file order; the first is ``"epoch"``.
      keys: the columns that, with the epoch, identify a row (each row once per epoch).

    Raises:
      ValueError: a repeated column, a first column other than ``epoch``, or a key
        that is not a column.

    Example:
      >>> schema = RowSchema(columns=("epoch", "seed", "split", "loss"), keys=("seed", "split"))
      >>> schema.row({"loss": 0.5, "split": "test", "epoch": 3, "seed": 1})
      (3, 1, 'test', 0.5)
      >>> schema.key_of(["3", "1", "test", "0.5"])
      ('1', 'test')
      >>> sorted(schema.expected_keys({"seed": range(2), "split": ("train",)}))
      [('0', 'train'), ('1', 'train')]
    """

    columns: tuple[str, ...]
    keys: tuple[str, ...]

    def __post_init__(self):
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "keys", tuple(self.keys))
        if not self.columns or self.columns[0] != "epoch":
            raise ValueError(f"`columns` must start with 'epoch', got {self.columns!r}.")
        if len(set(self.columns)) != len(self.columns):
            raise ValueError(f"`columns` repeats a name: {self.columns!r}.")
        unknown = [name for name in self.keys if name not in self.columns or name == "epoch"]
        if unknown:
            raise ValueError(f"`keys` {unknown} are not columns other than 'epoch'.")

    def row(self, values: Mapping[str, object]) -> tuple[object, ...]:
        """The values of one row in column order.

        Raises:
          ValueError: ``values`` lacks a column or names one the schema does not have.
        """
        if values.keys() != set(self.columns):
            missing = [name for name in self.columns if name not in values]
            unknown = [name for name in values if name not in self.columns]
            raise ValueError(f"A row lacks columns {missing} or has unknown ones {unknown}.")
        return tuple(values[name] for name in self.columns)

    def key_of(self, row: Sequence[str]) -> tuple[str, ...]:
        """The key of a written row (its values as strings, in column order)."""
        return tuple(row[self.columns.index(name)] for name in self.keys)

    def expected_keys(self, values: Mapping[str, Iterable[object]]) -> frozenset[Hashable]:
        """The keys of a full epoch: every combination of the key columns' ``values``
        (as the metrics file writes them, strings)."""
        if set(values) != set(self.keys):
            raise ValueError(
                f"Expected values for the key columns {self.keys}, got {sorted(values)}."
            )
        choices = [[str(value) for value in values[name]] for name in self.keys]
        return frozenset(itertools.product(*choices))
