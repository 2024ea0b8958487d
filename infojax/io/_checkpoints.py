"""Orbax checkpoints of a run's state, restored with each array's sharding."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jax


def _orbax():
    # Imported on first use: `import infojax` loads no checkpointing library.
    import orbax.checkpoint as ocp

    return ocp


def _is_key(leaf: Any) -> bool:
    return jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key)


class CheckpointStore:
    """Saves and restores one pytree of arrays plus a small JSON record, by step.

    The pytree is stored leaf by leaf (its structure comes from the caller's template
    on restore), so any JAX pytree works, including ``nnx.State``, Optax states and
    typed PRNG key arrays (``jax.random.key``; stored as their key data). Saves are
    atomic: a run killed while saving leaves the previous checkpoint as the latest one.

    Args:
      directory: where the checkpoints live (created when absent).
      max_to_keep: how many recent checkpoints to keep.
    """

    def __init__(self, directory: str | os.PathLike, *, max_to_keep: int = 2):
        ocp = _orbax()
        self.directory = Path(directory).absolute()
        self._manager = ocp.CheckpointManager(
            self.directory,
            options=ocp.CheckpointManagerOptions(max_to_keep=max_to_keep, create=True),
        )

    def latest_step(self) -> int | None:
        """The step of the newest complete checkpoint, or None."""
        return self._manager.latest_step()

    def steps(self) -> list[int]:
        """The steps of the complete checkpoints, in increasing order."""
        return sorted(self._manager.all_steps())

    def delete(self, step: int) -> None:
        """Deletes the checkpoint of ``step``."""
        self._manager.delete(step)

    def save(self, step: int, tree: Any, record: dict[str, Any]) -> None:
        """Saves ``tree`` and the JSON-serialisable ``record`` as ``step``; waits for it."""
        ocp = _orbax()
        leaves = {
            f"{index:05d}": jax.random.key_data(leaf) if _is_key(leaf) else leaf
            for index, leaf in enumerate(jax.tree.leaves(tree))
        }
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
          template: a pytree of arrays with the saved tree's structure (its values are
            not used).

        Returns:
          ``(tree, record)``.
        """
        ocp = _orbax()
        leaves, treedef = jax.tree.flatten(template)
        abstract = {}
        for index, leaf in enumerate(leaves):
            stored = jax.random.key_data(leaf) if _is_key(leaf) else leaf
            abstract[f"{index:05d}"] = jax.ShapeDtypeStruct(
                stored.shape, stored.dtype, sharding=stored.sharding
            )
        restored = self._manager.restore(
            step,
            args=ocp.args.Composite(
                arrays=ocp.args.StandardRestore(abstract), record=ocp.args.JsonRestore()
            ),
        )
        arrays = restored["arrays"]
        values = []
        for index, leaf in enumerate(leaves):
            value = arrays[f"{index:05d}"]
            if _is_key(leaf):
                value = jax.random.wrap_key_data(value, impl=jax.random.key_impl(leaf))
            values.append(value)
        return jax.tree.unflatten(treedef, values), dict(restored["record"])

    def close(self) -> None:
        """Waits for pending saves and releases the manager."""
        self._manager.close()
