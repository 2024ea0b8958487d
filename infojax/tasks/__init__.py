"""Distributions with known mutual information (ground truth) and their samplers.

Each :class:`Task` is a pure sampler ``task.sample(key, n) -> (x, y)`` with its true
MI in nats (``task.mutual_information``), its dimensions, and its log-densities.
"""

from infojax.tasks._elliptical import canonical_normal_task
from infojax.tasks._elliptical import dense_correlation
from infojax.tasks._elliptical import dense_normal_task
from infojax.tasks._elliptical import gaussian_channel_task
from infojax.tasks._elliptical import normal_task
from infojax.tasks._elliptical import paired_correlation
from infojax.tasks._elliptical import sparse_normal_task
from infojax.tasks._elliptical import student_t_correction
from infojax.tasks._elliptical import student_t_task
from infojax.tasks._embedded import embedded_task
from infojax.tasks._embedded import high_dimensional_suite
from infojax.tasks._embedded import random_rotation
from infojax.tasks._suite import default_suite
from infojax.tasks._task import Task
from infojax.tasks._transforms import Transform
from infojax.tasks._transforms import asinh_transform
from infojax.tasks._transforms import half_cube_transform
from infojax.tasks._transforms import normal_cdf_transform
from infojax.tasks._transforms import spiral_transform
from infojax.tasks._transforms import swiss_roll_transform
from infojax.tasks._transforms import transform_task
from infojax.tasks._transforms import wiggly_transform
from infojax.tasks._uniform import additive_uniform_mutual_information
from infojax.tasks._uniform import additive_uniform_task
from infojax.tasks._uniform import discrete_continuous_mutual_information
from infojax.tasks._uniform import discrete_continuous_task

__all__ = [
    "Task",
    "Transform",
    "additive_uniform_mutual_information",
    "additive_uniform_task",
    "asinh_transform",
    "canonical_normal_task",
    "default_suite",
    "dense_correlation",
    "dense_normal_task",
    "discrete_continuous_mutual_information",
    "discrete_continuous_task",
    "embedded_task",
    "gaussian_channel_task",
    "half_cube_transform",
    "high_dimensional_suite",
    "normal_cdf_transform",
    "normal_task",
    "paired_correlation",
    "random_rotation",
    "sparse_normal_task",
    "spiral_transform",
    "student_t_correction",
    "student_t_task",
    "swiss_roll_transform",
    "transform_task",
    "wiggly_transform",
]
