"""The ground-truth MI benchmark: registered estimators on tasks whose MI is known.

``run(config, workdir)`` estimates MI on every (estimator, task, sample size, seed) the
config asks for and writes the accuracy tables and plots; ``get_config()`` is the
default config, against which every config is checked.
"""

from infojax.runs.mi_benchmark._experiment import RESULT_COLUMNS
from infojax.runs.mi_benchmark._experiment import RUNTIME_FIELDS
from infojax.runs.mi_benchmark._experiment import Job
from infojax.runs.mi_benchmark._experiment import Skip
from infojax.runs.mi_benchmark._experiment import check_config
from infojax.runs.mi_benchmark._experiment import plan_benchmark
from infojax.runs.mi_benchmark._experiment import run
from infojax.runs.mi_benchmark._experiment import run_job
from infojax.runs.mi_benchmark._report import accuracy_table
from infojax.runs.mi_benchmark._report import markdown_table
from infojax.runs.mi_benchmark._report import read_results
from infojax.runs.mi_benchmark._report import write_report
from infojax.runs.mi_benchmark.config import get_config

__all__ = [
    "RESULT_COLUMNS",
    "RUNTIME_FIELDS",
    "Job",
    "Skip",
    "accuracy_table",
    "check_config",
    "get_config",
    "markdown_table",
    "plan_benchmark",
    "read_results",
    "run",
    "run_job",
    "write_report",
]
