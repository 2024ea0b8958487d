"""The run directory, shared by every experiment: an exclusive lock, the config snapshot
and its comparison on resume, the metrics file checked on resume, orbax checkpoints."""

from infojax.io._checkpoints import CheckpointStore
from infojax.io._directory import RunDirectory
from infojax.io._directory import RunDirectoryError
from infojax.io._directory import WorkdirInUse
from infojax.io._directory import config_differences
from infojax.io._metrics import MetricsFile
from infojax.io._metrics import RowAudit
from infojax.io._metrics import audit_rows
from infojax.io._metrics import read_metrics

__all__ = [
    "CheckpointStore",
    "MetricsFile",
    "RowAudit",
    "RunDirectory",
    "RunDirectoryError",
    "WorkdirInUse",
    "audit_rows",
    "config_differences",
    "read_metrics",
]
