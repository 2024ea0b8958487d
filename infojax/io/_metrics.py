"""The metrics file of a run: CSV rows appended and flushed as they are produced."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from collections.abc import Sequence
from pathlib import Path

import numpy as np

INFORMATION_PLANE_COLUMNS = (
    "epoch",
    "seed",
    "layer",
    "estimator",
    "input_information_bits",
    "label_information_bits",
    "train_loss",
    "train_accuracy",
    "test_loss",
    "test_accuracy",
)


class MetricsFile:
    """An append-only CSV file with a fixed header, safe to resume.

    Rows are written, flushed and synced as they arrive, so a run killed at any time
    leaves every finished row on disk; :meth:`keep_epochs_before` then drops what the
    last checkpoint does not cover (including a half-written last line), so a resumed
    run neither loses nor repeats rows.

    Args:
      path: the CSV file; created with its header when absent.
      columns: the column names; the first must be ``"epoch"``.
    """

    def __init__(self, path: str | os.PathLike, columns: Sequence[str]):
        self.path = Path(path)
        self.columns = tuple(columns)
        if self.columns[0] != "epoch":
            raise ValueError(f"The first column must be 'epoch', got {self.columns[0]!r}.")
        if not self.path.exists():
            self._rewrite([])

    def keep_epochs_before(self, epoch: int) -> int:
        """Keeps only the complete rows whose epoch is below ``epoch``; returns their count.

        Raises:
          ValueError: if the file's header differs from ``columns``.
        """
        text = self.path.read_text()
        lines = text.split("\n")
        if lines[0].split(",") != list(self.columns):
            raise ValueError(
                f"{self.path} has columns {lines[0]!r}, expected {','.join(self.columns)!r}."
            )
        # The last element is '' when the file ends with a newline, and a partly written
        # row otherwise: either way it is not a complete row.
        body = lines[1:-1]
        kept = [
            line
            for line in body
            if len(line.split(",")) == len(self.columns) and int(line.split(",")[0]) < epoch
        ]
        if len(kept) != len(body) or not text.endswith("\n"):
            self._rewrite(kept)
        return len(kept)

    def append(self, rows: Iterable[Sequence[object]]) -> None:
        """Appends ``rows`` (one value per column), then flushes them to disk."""
        with self.path.open("a", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            for row in rows:
                if len(row) != len(self.columns):
                    raise ValueError(
                        f"A row has {len(row)} values for {len(self.columns)} columns."
                    )
                writer.writerow([_format(value) for value in row])
            handle.flush()
            os.fsync(handle.fileno())

    def _rewrite(self, lines: list[str]) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text("\n".join([",".join(self.columns), *lines]) + "\n")
        os.replace(temporary, self.path)


def read_metrics(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The columns of a metrics CSV file as NumPy arrays (numbers parsed, names kept).

    Args:
      path: the CSV file written by :class:`MetricsFile`.

    Returns:
      A dict from column name to a 1-D array: ``int64`` for integer columns,
      ``float64`` for real ones, strings otherwise.
    """
    with Path(path).open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [row for row in reader if len(row) == len(header)]
    columns = {}
    for index, name in enumerate(header):
        values = [row[index] for row in rows]
        columns[name] = _parse_column(values)
    return columns


def _format(value: object) -> str:
    if isinstance(value, (float, np.floating)):
        return format(float(value), ".9g")
    return str(value)


def _parse_column(values: list[str]) -> np.ndarray:
    for dtype in (np.int64, np.float64):
        try:
            return np.asarray(values, dtype=dtype) if values else np.zeros(0, dtype)
        except ValueError:
            continue
    return np.asarray(values, dtype=str)
