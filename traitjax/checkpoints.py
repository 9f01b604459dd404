"""Checkpoints of a workdir: orbax over train state + grain iterator + config.

`Checkpoints` saves (async, `max_to_keep`) and restores the newest readable checkpoint, setting
an unreadable one aside; `restore_for_eval` is what every command that reads a trained workdir
calls.
"""

from __future__ import annotations

import os
import shutil

from absl import logging
import grain
import jax
import ml_collections
import orbax.checkpoint as ocp

from traitjax import optim
from traitjax import sharding
from traitjax import tasks
from traitjax.data import sources


class Checkpoints:
  """orbax CheckpointManager over state + grain iterator + config, with fallback past
  unreadable checkpoints (they are moved to `checkpoints/unreadable_<step>`)."""

  def __init__(self, workdir: str, config: ml_collections.ConfigDict):
    self.directory = os.path.abspath(os.path.join(workdir, "checkpoints"))
    self.config = config
    self.manager = self._open()

  def _open(self) -> ocp.CheckpointManager:
    options = ocp.CheckpointManagerOptions(
        max_to_keep=self.config.train.max_checkpoints_to_keep, create=True,
        enable_async_checkpointing=self.config.train.async_checkpoints)
    return ocp.CheckpointManager(self.directory, options=options)

  def save(self, step: int, state: optim.TrainState, iterator) -> None:
    self.manager.save(step, args=ocp.args.Composite(
        state=ocp.args.StandardSave(state),
        data=grain.checkpoint.CheckpointSave(iterator),
        config=ocp.args.JsonSave(self.config.to_dict())))

  def restore_latest(self, state: optim.TrainState, iterator=None) -> optim.TrainState | None:
    """The newest readable checkpoint's state (the iterator, if given, is restored in place),
    or None (the iterator left at its start). Without an iterator (evaluation) the data state
    is not read, so any number of hosts can restore a checkpoint, and an unreadable checkpoint
    is left where it is (a config that does not match it must not cost the run)."""
    abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, state)
    items = {"state": ocp.args.StandardRestore(abstract)}
    if iterator is not None:
      items["data"] = grain.checkpoint.CheckpointRestore(iterator)
      # An unreadable checkpoint may fail after its iterator state was already applied.
      initial_data_state = iterator.get_state()
    for step in sorted(self.manager.all_steps(), reverse=True):
      try:
        restored = self.manager.restore(step, args=ocp.args.Composite(**items))
        logging.info("resumed from checkpoint %d in %s", step, self.directory)
        return restored.state
      except Exception as e:  # pylint: disable=broad-except
        logging.warning("checkpoint %d is unreadable (%s: %s); falling back to the one before",
                        step, type(e).__name__, e)
        if iterator is not None:
          self._set_aside(step)
    if iterator is not None:
      iterator.set_state(initial_data_state)
    return None

  def _set_aside(self, step: int) -> None:
    if jax.process_index() == 0:
      shutil.move(os.path.join(self.directory, str(step)),
                  os.path.join(self.directory, f"unreadable_{step}"))
    self.manager.close()
    self.manager = self._open()

  def close(self) -> None:
    self.manager.wait_until_finished()
    self.manager.close()


def restore_for_eval(config: ml_collections.ConfigDict, workdir: str, split: str, mesh=None):
  """(task, state, source): the task of `config` sized by the source of `split` (its data may
  hold no training split, e.g. a root of species never trained) and the newest checkpoint of
  `workdir` it can read. Raises FileNotFoundError when none can be read."""
  mesh = mesh if mesh is not None else sharding.make_mesh()
  source = sources.make_source(config.data, split)
  task = tasks.make_task(config, source)
  state, _ = optim.initial_state(task, source, config, mesh)
  checkpoints = Checkpoints(workdir, config)
  restored = checkpoints.restore_latest(state)
  checkpoints.close()
  if restored is None:
    raise FileNotFoundError(
        f"no checkpoint in {checkpoints.directory} could be read with this config (the log "
        f"says why; a model or data setting that differs from training's changes the shapes)")
  return task, restored, source


def saved_config(workdir: str) -> ml_collections.ConfigDict:
  """The config saved with the newest checkpoint of `workdir`."""
  directory = os.path.abspath(os.path.join(workdir, "checkpoints"))
  manager = ocp.CheckpointManager(directory)
  step = manager.latest_step()
  if step is None:
    manager.close()
    raise FileNotFoundError(f"no checkpoint in {directory}")
  saved = manager.restore(step, args=ocp.args.Composite(config=ocp.args.JsonRestore())).config
  manager.close()
  return ml_collections.ConfigDict(saved)
