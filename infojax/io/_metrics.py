"""The metrics file of a run: CSV rows appended and flushed as they are produced, and
checked against what the run should have written when it resumes."""

from __future__ import annotations

import collections
import csv
import dataclasses
import io
import os
import warnings
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path

import numpy as np


class MetricsFileError(ValueError):
    """A metrics file whose header is not the run's: it belongs to another kind of run
    or was overwritten, so its rows cannot be trusted or repaired."""


class MetricsFile:
    """An append-only CSV file with a fixed header, safe to resume.

    Rows are written, flushed and synced as they arrive, so a run killed at any time
    leaves every finished row on disk; :meth:`keep_rows` (or
    :meth:`keep_epochs_before`) then drops a half-written last line and what the
    resumed run will redo, so it neither loses nor repeats rows.

    A file that is empty or ends inside its header line (a writer killed right after
    creating it) holds no complete row: it is rebuilt with its header, as a deleted
    file is, with a ``RuntimeWarning``.

    Args:
      path: the CSV file; created with its header when absent.
      columns: the column names.
    """

    def __init__(self, path: str | os.PathLike, columns: Sequence[str]):
        self.path = Path(path)
        self.columns = tuple(columns)
        if not self.path.exists():
            self._rewrite([])
        elif self._is_cut_header():
            warnings.warn(
                f"{self.path} ends inside its header line (no complete row); rebuilding it "
                "as if it were absent.",
                RuntimeWarning,
                stacklevel=2,
            )
            self._rewrite([])

    def _is_cut_header(self) -> bool:
        """Whether the file is a prefix of its header line, without the newline."""
        with self.path.open("rb") as handle:
            start = handle.read(len(self._header_line()) + 1)
        return b"\n" not in start and self._header_line().startswith(start)

    def _header_line(self) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(self.columns)
        return buffer.getvalue().encode()

    def keep_rows(self, keep: Callable[[list[str]], bool] | None = None) -> list[list[str]]:
        """Keeps the complete rows for which ``keep(row)`` is true (all when None).

        A row is complete when it ends with a newline and has one value per column;
        anything else is what a killed writer left half-written. The file is rewritten
        (atomically) only when a row is dropped.

        Args:
          keep: predicate on a row's values, as strings in column order.

        Returns:
          The kept rows, as lists of strings.

        Raises:
          MetricsFileError: if the file's header differs from ``columns``.
        """
        text = self.path.read_text()
        # The last line is '' when the file ends with a newline, and a partly written
        # row otherwise: either way it is not a complete row.
        lines = text.split("\n")
        header = next(csv.reader(lines[:1]), [])
        if tuple(header) != self.columns:
            raise MetricsFileError(
                f"{self.path} has columns {header}, expected {list(self.columns)}: it is "
                "not this run's metrics file; restore it, or use another --workdir."
            )
        body = list(csv.reader(lines[1:-1]))
        kept = [
            row for row in body if len(row) == len(self.columns) and (keep is None or keep(row))
        ]
        if len(kept) != len(body) or not text.endswith("\n"):
            self._rewrite(kept)
        return kept

    def keep_epochs_before(self, epoch: int) -> int:
        """Keeps only the complete rows whose ``epoch`` column is below ``epoch``.

        Returns:
          The number of rows kept.

        Raises:
          ValueError: if the file's header differs from ``columns`` or has no
            ``epoch`` column.
        """
        if "epoch" not in self.columns:
            raise ValueError(f"{self.path} has no 'epoch' column: {list(self.columns)}.")
        index = self.columns.index("epoch")
        return len(self.keep_rows(lambda row: int(row[index]) < epoch))

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

    def _rewrite(self, rows: list[list[str]]) -> None:
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        with temporary.open("w", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(self.columns)
            writer.writerows(rows)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)


@dataclasses.dataclass(frozen=True)
class RowAudit:
    """How the rows of a metrics file compare with the rows a run should have written.

    Attributes:
      complete: the groups (epochs, jobs, ...) whose rows are exactly the expected
        ones, each once.
      missing: group -> how many of its expected rows are absent.
      duplicated: group -> how many of its rows repeat an earlier row's key.
      unexpected: group -> how many of its rows are not expected (the group is not
        expected at all, or does not expect the row's key).
    """

    complete: frozenset
    missing: Mapping[Hashable, int]
    duplicated: Mapping[Hashable, int]
    unexpected: Mapping[Hashable, int]

    @property
    def faulty(self) -> frozenset:
        """The groups with missing or duplicated rows."""
        return frozenset(self.missing) | frozenset(self.duplicated)


def audit_rows(
    rows: Iterable[Sequence[str]],
    *,
    group_of: Callable[[Sequence[str]], Hashable],
    key_of: Callable[[Sequence[str]], Hashable],
    expected: Mapping[Hashable, Iterable[Hashable]],
) -> RowAudit:
    """Checks that every expected group has each of its rows exactly once.

    Args:
      rows: the rows of a metrics file (as :meth:`MetricsFile.keep_rows` gives them).
      group_of: a row's group, e.g. its epoch or its (estimator, task, n) job.
      key_of: a row's identity within its group, e.g. its (seed, layer, estimator).
      expected: group -> the keys of the rows it must have; groups absent from this
        mapping must have no rows.

    Returns:
      A :class:`RowAudit`.
    """
    expected_keys = {group: set(keys) for group, keys in expected.items()}
    counts: dict[Hashable, collections.Counter] = collections.defaultdict(collections.Counter)
    unexpected: collections.Counter = collections.Counter()
    for row in rows:
        group = group_of(row)
        key = key_of(row)
        if key not in expected_keys.get(group, ()):
            unexpected[group] += 1
            continue
        counts[group][key] += 1
    missing, duplicated, complete = {}, {}, set()
    for group, keys in expected_keys.items():
        seen = counts.get(group, collections.Counter())
        absent = len(keys) - len(seen)
        repeats = sum(count - 1 for count in seen.values())
        if absent:
            missing[group] = absent
        if repeats:
            duplicated[group] = repeats
        if not absent and not repeats:
            complete.add(group)
    return RowAudit(frozenset(complete), missing, duplicated, dict(unexpected))


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
