"""The settings of a neural fit: defaults, option checks and :class:`FitSettings`.

:func:`make_settings` checks the options of
:func:`~infojax.bounds.fit_mutual_information` (the same keywords, the same errors)
and freezes them into a hashable :class:`FitSettings`, the static argument of the
compiled loop. The registered ``neural_<bound>`` estimators take the flat,
config-friendly spelling of the same options (:data:`REGISTRY_ALIASES`) and translate
it here (:func:`fit_options`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
from collections.abc import Hashable
from collections.abc import Mapping
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx
from jax.typing import ArrayLike

from infojax._validation import as_samples
from infojax._validation import check_base
from infojax._validation import check_same_length
from infojax.bounds._bounds import get_bound
from infojax.bounds._critics import CONDITIONAL_MODELS
from infojax.bounds._critics import CRITICS
from infojax.bounds._held_out import Schedule

DEFAULT_LEARNING_RATE = 1e-3


def default_optimizer(learning_rate: float = DEFAULT_LEARNING_RATE) -> optax.GradientTransformation:
    """``optax.adam(learning_rate)``, one object per rate so compiled loops are reused."""
    return _adam(float(learning_rate))


@functools.cache
def _adam(learning_rate: float) -> optax.GradientTransformation:
    return optax.adam(learning_rate)


class _NoFingerprint(Exception):
    """A value whose behaviour cannot be told from its contents."""


def optimizer_fingerprint(optimizer: Any) -> Hashable:
    """A hashable description of what an Optax transformation computes.

    Optax keeps the hyperparameters of a transformation in the closures of its
    ``init`` and ``update`` functions, so two calls of ``optax.adam(1e-3)`` give two
    objects that compute the same thing but compare unequal. The fingerprint follows
    those closures: functions by their code and the values they close over, numbers,
    strings, arrays by dtype, shape and bytes, containers by their items, any other
    hashable value by itself. Where something cannot be followed (an unhashable object,
    a cycle) it falls back to the object's identity: then only the same object
    reuses a compiled loop.
    """
    try:
        return ("contents", _fingerprint(optimizer, set()))
    except _NoFingerprint:
        return ("identity", id(optimizer))


def _fingerprint(value: Any, active: set[int]) -> Hashable:
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        return (type(value).__name__, value)
    if id(value) in active:
        raise _NoFingerprint
    active = active | {id(value)}
    if isinstance(value, (tuple, list)):
        # Named tuples (GradientTransformation) keep their type in the fingerprint.
        return (type(value), tuple(_fingerprint(item, active) for item in value))
    if isinstance(value, Mapping):
        items = sorted(value.items(), key=lambda item: repr(item[0]))
        return (type(value), tuple((key, _fingerprint(item, active)) for key, item in items))
    if isinstance(value, types.FunctionType):
        try:
            cells = tuple(cell.cell_contents for cell in value.__closure__ or ())
        except ValueError:  # an empty cell
            raise _NoFingerprint from None
        return (
            "function",
            value.__code__,
            _fingerprint(cells, active),
            _fingerprint(value.__defaults__, active),
            _fingerprint(value.__kwdefaults__, active),
        )
    if isinstance(value, functools.partial):
        return (
            "partial",
            _fingerprint(value.func, active),
            _fingerprint(value.args, active),
            _fingerprint(value.keywords, active),
        )
    if isinstance(value, (np.ndarray, np.generic, jax.Array)):
        if isinstance(value, jax.core.Tracer):
            raise _NoFingerprint
        array = np.asarray(value)
        return ("array", str(array.dtype), array.shape, array.tobytes())
    try:
        hash(value)
    except TypeError:
        raise _NoFingerprint from None
    return ("value", value)


def _frozen(options: Mapping[str, Any] | None, name: str) -> tuple[tuple[str, Any], ...]:
    if options is None:
        return ()
    if not isinstance(options, Mapping):
        raise TypeError(f"`{name}` must be a mapping of option names to values.")
    frozen = []
    for key, value in sorted(options.items()):
        if isinstance(value, list):
            value = tuple(value)
        try:
            hash(value)
        except TypeError:
            raise TypeError(f"`{name}[{key!r}]` must be hashable, got {value!r}.") from None
        frozen.append((key, value))
    return tuple(frozen)


SELECTIONS = ("best", "last")
PREPROCESSING = ("standardize", "gaussianize")

# The defaults of fit_mutual_information and of the registered neural_* estimators,
# chosen by experiments/sweep_bounds.py on the ground-truth suite (README, "Neural
# bounds: defaults").
DEFAULTS = MappingProxyType(
    {
        "steps": 5000,
        "batch_size": 256,
        "eval_every": 50,
        "patience": 20,
        "held_out_fraction": 0.2,
        "report_fraction": 0.0,
        "preprocess": "gaussianize",
        "learning_rate": DEFAULT_LEARNING_RATE,
        "hidden_sizes": (32, 32),
        "embedding_dim": 16,
        "activation": "silu",
    }
)


@dataclasses.dataclass(frozen=True)
class FitSettings:
    """Everything that fixes the compiled loop (hashable; static under ``jit``).

    Attributes:
      bound: name in :data:`~infojax.bounds.BOUNDS`.
      critic: name in :data:`~infojax.bounds.CRITICS`.
      steps: optimisation steps.
      batch_size: pairs per training batch (the score matrix is batch x batch).
      eval_batch_size: pairs per held-out batch.
      eval_every: steps between held-out evaluations.
      n_train, n_held_out, n_report: sizes of the random train / held-out (selection)
        / report split; ``n_report`` 0 reports on the held-out rows.
      selection: ``"best"`` (the critic of the best held-out value; CLUB:
        log-likelihood) or ``"last"``.
      preprocess: ``"standardize"`` or ``"gaussianize"`` (see
        :func:`fit_mutual_information`).
      smoothing: momentum of the moving average of the held-out curve.
      patience: held-out evaluations without improvement before stopping (None: never).
      min_delta: smallest improvement of the selection criterion that counts.
      bound_options, critic_options: sorted ``(name, value)`` pairs.
      optimizer: the Optax transformation (not compared itself: see
        ``optimizer_fingerprint``).
      base: logarithm base of reported values (None: nats).
      optimizer_fingerprint: what the optimizer is (:func:`optimizer_fingerprint`),
        computed, not given: settings equal but for two separately built but
        identical optimizers are equal, so ``optimizer=optax.adam(1e-3)`` written
        inline reuses the compiled loop.
    """

    bound: str
    critic: str
    steps: int
    batch_size: int
    eval_batch_size: int
    eval_every: int
    n_train: int
    n_held_out: int
    n_report: int
    selection: str
    preprocess: str
    smoothing: float
    patience: int | None
    min_delta: float
    bound_options: tuple[tuple[str, Any], ...]
    critic_options: tuple[tuple[str, Any], ...]
    optimizer: optax.GradientTransformation = dataclasses.field(repr=False, compare=False)
    base: float | None
    optimizer_fingerprint: Hashable = dataclasses.field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "optimizer_fingerprint", optimizer_fingerprint(self.optimizer))

    @property
    def rounds(self) -> int:
        """Number of held-out evaluations."""
        return math.ceil(self.steps / self.eval_every)

    @property
    def schedule(self) -> Schedule:
        """The rounds, early stopping and selection of the held-out loop."""
        return Schedule(
            steps=self.steps,
            eval_every=self.eval_every,
            patience=self.patience,
            min_delta=self.min_delta,
            smoothing=self.smoothing,
            keep_best=self.selection == "best",
        )

    @property
    def n(self) -> int:
        """Number of sample pairs."""
        return self.n_train + self.n_held_out + self.n_report

    @property
    def report_batches(self) -> int:
        """Number of batches the estimate averages (its standard error's sample)."""
        return (self.n_report or self.n_held_out) // self.eval_batch_size

    @property
    def unit(self) -> str:
        """``"nats"``, ``"bits"`` or ``"log<base> units"``."""
        if self.base is None:
            return "nats"
        return "bits" if self.base == 2 else f"log{self.base:g} units"


# A score matrix needs a joint pair on its diagonal and another pair off it.
_SMALLEST_BATCH = 2
_SMALLEST_BATCH_WHY = (
    "a batch of pairs needs a joint pair on the diagonal of its score matrix and at least "
    "one other pair off it: with one pair no bound is defined"
)


def positive_int(value: Any, name: str, minimum: int = 1, why: str = "") -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"`{name}` must be an int, got {type(value).__name__}.")
    if value < minimum:
        reason = f" ({why})" if why else ""
        raise ValueError(f"`{name}` must be >= {minimum}, got {value}{reason}.")
    return int(value)


def paired_samples(x: ArrayLike, y: ArrayLike) -> tuple[jax.Array, jax.Array]:
    x = as_samples(x, "x")
    y = as_samples(y, "y")
    check_same_length((x, "x"), (y, "y"))
    dtype = jnp.result_type(x.dtype, y.dtype)
    return x.astype(dtype), y.astype(dtype)


def critic_options_for(
    critic: str, hidden_sizes: Sequence[int], embedding_dim: int, activation: str
) -> dict[str, Any]:
    """The keyword arguments of ``critic`` among these sizes (none for bilinear)."""
    if critic == "bilinear":
        return {}
    options = {"hidden_sizes": tuple(hidden_sizes), "activation": activation}
    if critic == "separable":
        options["embedding_dim"] = embedding_dim
    return options


def _default_critic_options(critic: str) -> dict[str, Any]:
    """The sizes of :data:`DEFAULTS` for a separable or concatenated critic; the
    class defaults for the others."""
    if critic not in ("separable", "concatenated"):
        return {}
    return critic_options_for(
        critic, DEFAULTS["hidden_sizes"], DEFAULTS["embedding_dim"], DEFAULTS["activation"]
    )


def make_settings(
    x: ArrayLike,
    y: ArrayLike,
    *,
    bound: str = "infonce",
    critic: str | None = None,
    optimizer: optax.GradientTransformation | None = None,
    steps: int = DEFAULTS["steps"],
    batch_size: int | None = None,
    eval_batch_size: int | None = None,
    eval_every: int = DEFAULTS["eval_every"],
    held_out_fraction: float = DEFAULTS["held_out_fraction"],
    report_fraction: float = DEFAULTS["report_fraction"],
    selection: str = "best",
    preprocess: str = DEFAULTS["preprocess"],
    smoothing: float = 0.5,
    patience: int | None = DEFAULTS["patience"],
    min_delta: float = 0.0,
    bound_options: Mapping[str, Any] | None = None,
    critic_options: Mapping[str, Any] | None = None,
    base: float | None = None,
) -> FitSettings:
    """Checks the arguments of :func:`fit_mutual_information` and freezes them.

    Same arguments as :func:`~infojax.bounds.fit_mutual_information` (without ``key``
    and ``seeds``; a test checks that the two signatures agree); raises the same
    errors. Low-level API: with :func:`~infojax.bounds.make_train_step` and
    :func:`~infojax.bounds.make_held_out_evaluation` it builds the pieces of the loop
    by hand.
    """
    x, y = paired_samples(x, y)
    spec = get_bound(bound)
    if critic is None:
        critic = "gaussian_conditional" if spec.model == "conditional" else "separable"
    if critic not in CRITICS:
        raise ValueError(f"Unknown critic {critic!r}; known: {sorted(CRITICS)}.")
    if (critic in CONDITIONAL_MODELS) != (spec.model == "conditional"):
        wanted = "a conditional model q(y|x)" if spec.model == "conditional" else "a critic"
        raise ValueError(f"Bound {bound!r} needs {wanted}; `critic`={critic!r} is not one.")
    if selection not in SELECTIONS:
        raise ValueError(f"`selection` must be one of {SELECTIONS}, got {selection!r}.")
    if preprocess not in PREPROCESSING:
        raise ValueError(f"`preprocess` must be one of {PREPROCESSING}, got {preprocess!r}.")
    frozen_bound_options = _frozen(spec.check_options(dict(bound_options or {})), "bound_options")
    if critic_options is None:
        critic_options = _default_critic_options(critic)
    frozen_critic_options = _frozen(critic_options, "critic_options")
    for reserved in ("param_dtype", "rngs"):
        if reserved in dict(frozen_critic_options):
            raise ValueError(f"`critic_options` must not set {reserved!r}; fit sets it.")
    steps = positive_int(steps, "steps")
    eval_every = min(positive_int(eval_every, "eval_every"), steps)
    if not 0 < held_out_fraction < 1:
        raise ValueError(f"`held_out_fraction` must lie in (0, 1), got {held_out_fraction!r}.")
    if not 0 <= report_fraction < 1 or held_out_fraction + report_fraction >= 1:
        raise ValueError(
            f"`report_fraction` must lie in [0, 1) and leave training rows beside "
            f"held_out_fraction={held_out_fraction!r}, got {report_fraction!r}."
        )
    if not 0 <= smoothing < 1:
        raise ValueError(f"`smoothing` must lie in [0, 1), got {smoothing!r}.")
    if patience is not None:
        patience = positive_int(patience, "patience")
    check_base(base)
    n = x.shape[0]
    n_held_out = round(held_out_fraction * n)
    n_report = round(report_fraction * n)
    n_train = n - n_held_out - n_report
    smallest = _smallest_n(held_out_fraction, report_fraction)
    if n < smallest:
        raise ValueError(
            f"`x` and `y` have n={n} sample pairs, too few for "
            f"held_out_fraction={held_out_fraction!r} "
            f"and report_fraction={report_fraction!r}: every set needs 2 pairs (a score "
            f"matrix has joint pairs on its diagonal and others off it); the smallest n "
            f"that works is {smallest}."
        )
    if batch_size is None:
        batch_size = min(DEFAULTS["batch_size"], n_train)
    batch_size = positive_int(
        batch_size, "batch_size", minimum=_SMALLEST_BATCH, why=_SMALLEST_BATCH_WHY
    )
    if batch_size > n_train:
        raise ValueError(
            f"`batch_size`={batch_size} exceeds the {n_train} training samples "
            f"(n={n}, held_out_fraction={held_out_fraction})."
        )
    evaluated = min(n_held_out, n_report) if n_report else n_held_out
    if eval_batch_size is None:
        eval_batch_size = min(batch_size, evaluated)
    eval_batch_size = positive_int(
        eval_batch_size, "eval_batch_size", minimum=_SMALLEST_BATCH, why=_SMALLEST_BATCH_WHY
    )
    if eval_batch_size > evaluated:
        raise ValueError(
            f"`eval_batch_size`={eval_batch_size} exceeds the {evaluated} held-out samples "
            f"(n={n}, held_out_fraction={held_out_fraction}, report_fraction="
            f"{report_fraction}); lower it or hold out more."
        )
    # Build the critic once on abstract inputs so bad critic options fail here, clearly.
    try:
        jax.eval_shape(
            lambda k: nnx.split(
                CRITICS[critic](
                    x.shape[1],
                    y.shape[1],
                    **dict(frozen_critic_options),
                    param_dtype=x.dtype,
                    rngs=nnx.Rngs(params=k),
                )
            )[1],
            jax.random.key(0),
        )
    except TypeError as error:
        raise TypeError(f"Bad `critic_options` for critic {critic!r}: {error}") from None
    return FitSettings(
        bound=bound,
        critic=critic,
        steps=steps,
        batch_size=batch_size,
        eval_batch_size=eval_batch_size,
        eval_every=eval_every,
        n_train=n_train,
        n_held_out=n_held_out,
        n_report=n_report,
        selection=selection,
        preprocess=preprocess,
        smoothing=float(smoothing),
        patience=patience,
        min_delta=float(min_delta),
        bound_options=frozen_bound_options,
        critic_options=frozen_critic_options,
        optimizer=default_optimizer() if optimizer is None else optimizer,
        base=base,
    )


def _smallest_n(held_out_fraction: float, report_fraction: float) -> int:
    """The smallest ``n`` whose split leaves at least 2 pairs in every set."""
    n = 2
    while True:
        held, report = round(held_out_fraction * n), round(report_fraction * n)
        if held >= 2 and n - held - report >= 2 and (report_fraction == 0 or report >= 2):
            return n
        n += 1


# The flat names by which the registered neural_<bound> estimators (and configs) take
# the two options of fit_mutual_information that are objects: name -> the option.
REGISTRY_ALIASES = MappingProxyType(
    {
        "learning_rate": "optimizer",
        "hidden_sizes": "critic_options",
        "embedding_dim": "critic_options",
        "activation": "critic_options",
    }
)


def flat_fit_options(
    n: int, options: Mapping[str, Any], *, bound_options: Mapping[str, Any]
) -> dict[str, Any]:
    """The keywords of :func:`~infojax.bounds.fit_mutual_information` for the flat
    options of a registered estimator on ``n`` sample pairs.

    ``learning_rate`` becomes :func:`default_optimizer`; ``hidden_sizes``,
    ``embedding_dim`` and ``activation`` become ``critic_options``
    (:func:`critic_options_for`); the names of ``bound_options`` (the bound's
    options) go to ``bound_options``; ``batch_size`` is capped at the training set and
    ``eval_batch_size`` (None: ``batch_size``) at the held-out set, so that a sweep over
    small ``n`` runs.
    """
    options = dict(options)
    critic = options["critic"]
    critic_options = critic_options_for(
        critic,
        options.pop("hidden_sizes"),
        options.pop("embedding_dim", DEFAULTS["embedding_dim"]),
        options.pop("activation"),
    )
    optimizer = default_optimizer(options.pop("learning_rate"))
    chosen_bound_options = {name: options.pop(name) for name in bound_options if name in options}
    held_out_fraction = options["held_out_fraction"]
    report_fraction = options["report_fraction"]
    n_held_out = round(held_out_fraction * n)
    n_report = round(report_fraction * n)
    evaluated = min(n_held_out, n_report) if n_report else n_held_out
    batch_size = options["batch_size"]
    eval_batch_size = options["eval_batch_size"]
    for name, size in (("batch_size", batch_size), ("eval_batch_size", eval_batch_size)):
        if size is not None:
            positive_int(size, name, minimum=_SMALLEST_BATCH, why=_SMALLEST_BATCH_WHY)
    if eval_batch_size is None:
        eval_batch_size = batch_size
    options.update(
        batch_size=max(2, min(batch_size, n - n_held_out - n_report)),
        eval_batch_size=max(2, min(eval_batch_size, evaluated)),
        optimizer=optimizer,
        critic_options=critic_options,
        bound_options=chosen_bound_options,
    )
    return options
