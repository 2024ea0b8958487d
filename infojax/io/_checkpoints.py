"""Orbax checkpoints of a run's state, restored with each array's sharding."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jax
import orbax.checkpoint as ocp


class CheckpointStore:
    """Saves and restores one pytree of arrays plus a small JSON record, by step.

    The pytree is stored leaf by leaf (its structure comes from the caller's template
    on restore), so any JAX pytree works, including ``nnx.State`` and Optax states.
    Saves are atomic: a run killed while saving leaves the previous checkpoint as the
    latest one.

    Args:
      directory: where the checkpoints live (created when absent).
      max_to_keep: how many recent checkpoints to keep.
    """

    def __init__(self, directory: str | os.PathLike, *, max_to_keep: int = 2):
        self.directory = Path(directory).absolute()
        self._manager = ocp.CheckpointManager(
            self.directory,
            options=ocp.CheckpointManagerOptions(max_to_keep=max_to_keep, create=True),
        )

    def latest_step(self) -> int | None:
        """The step of the newest complete checkpoint, or None."""
        return self._manager.latest_step()

    def save(self, step: int, tree: Any, record: dict[str, Any]) -> None:
        """Saves ``tree`` and the JSON-serialisable ``record`` as ``step``; waits for it."""
        leaves = {f"{index:05d}": leaf for index, leaf in enumerate(jax.tree.leaves(tree))}
        self._manager.save(
            step,
            args=ocp.args.Composite(
                arrays=ocp.args.StandardSave(leaves), record=ocp.args.JsonSave(record)
            ),
        )
        self._manager.wait_until_finished()

    def restore(self, step: int, template: Any) -> tuple[Any, dict[str, Any]]:
        """The tree saved at ``step``, shaped, typed and sharded like ``template``.

        Args:
          step: a saved step.
          template: a pytree of arrays or ``jax.ShapeDtypeStruct`` (with shardings)
            with the saved tree's structure.

        Returns:
          ``(tree, record)``.
        """
        leaves, treedef = jax.tree.flatten(template)
        abstract = {
            f"{index:05d}": jax.ShapeDtypeStruct(leaf.shape, leaf.dtype, sharding=leaf.sharding)
            for index, leaf in enumerate(leaves)
        }
        restored = self._manager.restore(
            step,
            args=ocp.args.Composite(
                arrays=ocp.args.StandardRestore(abstract), record=ocp.args.JsonRestore()
            ),
        )
        arrays = restored["arrays"]
        tree = jax.tree.unflatten(treedef, [arrays[f"{i:05d}"] for i in range(len(leaves))])
        return tree, dict(restored["record"])

    def close(self) -> None:
        """Waits for pending saves and releases the manager."""
        self._manager.close()
