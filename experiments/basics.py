"""A walkthrough of five worked examples of information theory for deep learning.

Run ``python -m experiments.basics``. Each example prints its result with a one-line
explanation; ``tests/test_basics.py`` checks every printed number independently.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax

import infojax
from infojax import bayes

PROBABILITIES = np.array([0.1, 0.3, 0.2, 0.4])
WITH_ZERO = np.array([0.5, 0.25, 0.25, 0.0])
JOINT = np.array([[0.1, 0.2], [0.3, 0.4]])
DESIGN = np.array([[1.0, 2.0], [1.0, 3.0], [1.0, 4.0], [1.0, 5.0]])
TARGETS = np.array([1.0, 2.0, 3.0, 4.0])
PRIOR = np.array([0.1, 0.3, 0.2, 0.4])
LIKELIHOOD = np.array([0.2, 0.3, 0.1, 0.4])


def entropy_example() -> dict[str, float]:
    return {
        "entropy_bits": float(infojax.entropy(PROBABILITIES, base=2)),
        "entropy_with_zero_bits": float(infojax.entropy(WITH_ZERO, base=2)),
    }


def conditional_entropy_example() -> dict[str, float]:
    # Two joints with the same uniform marginals: independent bits, and a copied bit.
    independent = np.full((2, 2), 0.25)
    copied = np.eye(2) / 2
    return {
        "conditional_entropy_bits": float(infojax.conditional_entropy(JOINT, base=2)),
        "independent_bits": float(infojax.conditional_entropy(independent, base=2)),
        "copied_bits": float(infojax.conditional_entropy(copied, base=2)),
    }


def mutual_information_example() -> dict[str, float]:
    h_x = infojax.entropy(JOINT.sum(axis=1), base=2)
    h_y = infojax.entropy(JOINT.sum(axis=0), base=2)
    h_xy = infojax.joint_entropy(JOINT, base=2)
    return {
        "mutual_information_bits": float(infojax.mutual_information(JOINT, base=2)),
        "entropy_identity_bits": float(h_x + h_y - h_xy),
    }


def least_squares_example(
    *, learning_rate: float = 0.05, tolerance: float = 1e-6, max_steps: int = 100_000
) -> dict[str, object]:
    """Full-batch gradient descent (``optax.sgd``) on the mean squared error, run until
    the gradient norm falls below ``tolerance``, against the closed-form solution."""
    design = jnp.asarray(DESIGN)
    targets = jnp.asarray(TARGETS)
    optimizer = optax.sgd(learning_rate)

    def loss(weights):
        return jnp.mean((design @ weights - targets) ** 2)

    def not_converged(state):
        step, _, _, gradient = state
        return (step < max_steps) & (jnp.linalg.norm(gradient) > tolerance)

    def descend(state):
        step, weights, opt_state, gradient = state
        updates, opt_state = optimizer.update(gradient, opt_state)
        weights = optax.apply_updates(weights, updates)
        return step + 1, weights, opt_state, jax.grad(loss)(weights)

    weights = jnp.zeros(2, dtype=design.dtype)
    initial = (0, weights, optimizer.init(weights), jax.grad(loss)(weights))
    steps, weights, _, gradient = jax.jit(lambda s: jax.lax.while_loop(not_converged, descend, s))(
        initial
    )
    closed_form = np.linalg.solve(DESIGN.T @ DESIGN, DESIGN.T @ TARGETS)
    return {
        "steps": int(steps),
        "weights": np.asarray(weights),
        "closed_form": closed_form,
        "gradient_norm": float(jnp.linalg.norm(gradient)),
        "loss": float(loss(weights)),
    }


def bayes_example() -> dict[str, object]:
    posterior = np.asarray(bayes.posterior(PRIOR, LIKELIHOOD))
    return {
        "evidence": float(bayes.evidence(PRIOR, LIKELIHOOD)),
        "sum_of_likelihoods": float(LIKELIHOOD.sum()),
        "posterior": posterior,
        "posterior_sum": float(posterior.sum()),
    }


def main() -> None:
    np.set_printoptions(precision=4, suppress=True)
    result = entropy_example()
    print("1. Entropy")
    print(f"   H({PROBABILITIES.tolist()}) = {result['entropy_bits']:.4f} bits")
    print(
        f"   H({WITH_ZERO.tolist()}) = {result['entropy_with_zero_bits']:.4f} bits"
        "  (0 log 0 = 0: a zero entry adds nothing, no NaN)"
    )

    result = conditional_entropy_example()
    print("2. Conditional entropy H(X|Y) = -sum p(x,y) log p(x|y) needs the joint table")
    print(f"   joint {JOINT.tolist()}: H(X|Y) = {result['conditional_entropy_bits']:.4f} bits")
    print(
        "   Marginals alone do not determine it: both joints below have uniform marginals,\n"
        f"   independent [[.25,.25],[.25,.25]]: H(X|Y) = {result['independent_bits']:.4f} bits;"
        f" copy [[.5,0],[0,.5]]: H(X|Y) = {result['copied_bits']:.4f} bits"
    )

    result = mutual_information_example()
    print("3. Mutual information from the joint table")
    print(
        f"   I(X;Y) = {result['mutual_information_bits']:.6f} bits;"
        f" H(X) + H(Y) - H(X,Y) = {result['entropy_identity_bits']:.6f} bits (the same)"
    )

    result = least_squares_example()
    print("4. Gradient descent (optax.sgd) on least squares, run until |grad| < 1e-6")
    print(
        f"   after {result['steps']} steps w = {result['weights']}, loss {result['loss']:.2e};"
        f" closed form (X^T X)^-1 X^T y = {result['closed_form']}"
    )

    result = bayes_example()
    print("5. Bayes' theorem: posterior = prior * likelihood / evidence")
    print(
        f"   evidence p(d) = sum(prior * likelihood) = {result['evidence']:.4f}"
        f" (not sum(likelihood) = {result['sum_of_likelihoods']:.2f})"
    )
    print(f"   posterior = {result['posterior']}, sums to {result['posterior_sum']:.6f}")


if __name__ == "__main__":
    main()
