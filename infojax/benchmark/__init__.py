"""The ground-truth benchmark: every registered estimator on tasks with known MI."""

from infojax.benchmark._report import accuracy_table
from infojax.benchmark._report import markdown_table
from infojax.benchmark._report import read_results
from infojax.benchmark._report import write_report
from infojax.benchmark._runner import RESULT_COLUMNS
from infojax.benchmark._runner import Job
from infojax.benchmark._runner import Skip
from infojax.benchmark._runner import check_benchmark_config
from infojax.benchmark._runner import plan_benchmark
from infojax.benchmark._runner import run_benchmark
from infojax.benchmark._runner import run_job
from infojax.io import register_experiment

register_experiment("mi_benchmark", run_benchmark)

__all__ = [
    "RESULT_COLUMNS",
    "Job",
    "Skip",
    "accuracy_table",
    "check_benchmark_config",
    "markdown_table",
    "plan_benchmark",
    "read_results",
    "run_benchmark",
    "run_job",
    "write_report",
]
