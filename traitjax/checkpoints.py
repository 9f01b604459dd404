"""Checkpoints of a workdir: orbax over train state + grain iterator + config.

`Checkpoints` saves (async, `max_to_keep`) and restores the newest readable checkpoint, setting
an unreadable one aside; `restore_for_eval` is what every command that reads a trained workdir
calls. A workdir remembers the config it was trained with (`saved_config`): training another
config in it stops at start (`check_same_run`) unless the old run is moved aside
(`move_aside`), and only the keys in `RESUMABLE` may change on resume.
"""

from __future__ import annotations

import datetime
import json
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

# Config keys (dotted prefixes) that may change when a run resumes: its length, how often it
# logs and saves, its input workers, and what is evaluated. Any other difference is another run.
RESUMABLE = ("train.steps", "train.log_every", "train.checkpoint_every",
             "train.max_checkpoints_to_keep", "train.async_checkpoints",
             "train.profile_start_step", "train.profile_num_steps", "input.num_workers",
             "input.num_threads", "input.prefetch", "evals", "preview")


class WorkdirInUse(ValueError):
  """The workdir holds a run of another config."""


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
        data=grain.checkpoint.CheckpointSave(_TakenState(iterator)),
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


class _TakenState:
  """An iterator's state read when the save is asked for, on the thread that iterates.

  orbax writes an asynchronous checkpoint's items in a background thread, and grain's iterators
  are not thread-safe: a state read there races the next steps (with input workers it left
  shared memory behind at exit). grain's handler writes this as it writes a DataLoader's state
  (the same JSON file per process), so restoring is unchanged.
  """

  def __init__(self, iterator):
    self._state = json.dumps(iterator.get_state(), indent=4).encode()

  def get_state(self) -> bytes:
    return self._state


def restore_for_eval(config: ml_collections.ConfigDict, workdir: str, split: str, mesh=None):
  """(task, state, source): the task of `config` sized by the source of `split` (its data may
  hold no training split, e.g. a root of species never trained) and the newest checkpoint of
  `workdir` it can read. Raises FileNotFoundError when none can be read."""
  mesh = mesh if mesh is not None else sharding.make_mesh()
  trained_directory(workdir)
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


def trained_directory(workdir: str) -> str:
  """The checkpoint folder of `workdir`; FileNotFoundError in one line when it holds no
  checkpoint (nothing has been trained there), leaving nothing behind."""
  directory = os.path.abspath(os.path.join(workdir, "checkpoints"))
  steps = ([name for name in os.listdir(directory) if name.isdigit()]
           if os.path.isdir(directory) else [])
  if not steps:
    raise FileNotFoundError(f"no checkpoint in {directory}: {workdir} holds no trained run "
                            f"(python -m traitjax.main --config=... --workdir={workdir} trains "
                            f"one)")
  return directory


def saved_config(workdir: str) -> ml_collections.ConfigDict:
  """The config saved with the newest checkpoint of `workdir`."""
  directory = trained_directory(workdir)
  manager = ocp.CheckpointManager(directory)
  step = manager.latest_step()
  if step is None:
    manager.close()
    raise FileNotFoundError(f"no checkpoint in {directory}")
  saved = manager.restore(step, args=ocp.args.Composite(config=ocp.args.JsonRestore())).config
  manager.close()
  return ml_collections.ConfigDict(saved)


def _flatten(tree: dict, prefix: str = "") -> dict:
  flat = {}
  for key, value in tree.items():
    name = f"{prefix}{key}"
    if isinstance(value, dict) and value:
      flat.update(_flatten(value, f"{name}."))
    else:
      flat[name] = list(value) if isinstance(value, tuple) else value
  return flat


def config_differences(saved: dict, config: dict) -> list[str]:
  """The dotted keys whose values differ between two configs (as dicts), leaving out
  `RESUMABLE` keys."""
  old, new = _flatten(saved), _flatten(config)
  return sorted(key for key in set(old) | set(new)
                if old.get(key, "<absent>") != new.get(key, "<absent>")
                and not any(key == p or key.startswith(p + ".") for p in RESUMABLE))


def check_same_run(workdir: str, config: ml_collections.ConfigDict) -> None:
  """Raises WorkdirInUse when `workdir` has checkpoints of a config that differs from `config`
  beyond `RESUMABLE` keys, naming the keys and the two ways on."""
  if not os.path.isdir(os.path.join(workdir, "checkpoints")):
    return
  try:
    saved = saved_config(workdir)
  except FileNotFoundError:
    return
  differing = config_differences(saved.to_dict(), json.loads(config.to_json()))
  if differing:
    shown = ", ".join(differing[:6]) + (f" and {len(differing) - 6} more"
                                        if len(differing) > 6 else "")
    raise WorkdirInUse(
        f"{workdir} holds a run of another config (it differs in {shown}); train in a new "
        f"--workdir, or pass --force_new_run to move the old run aside")


def move_aside(workdir: str) -> str | None:
  """Renames an existing `workdir` to `<workdir>.<date-time>` (nothing is deleted) and returns
  the new name; None when there was nothing to move."""
  workdir = os.path.abspath(workdir)
  if not os.path.exists(workdir) or not os.listdir(workdir):
    return None
  stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
  aside = f"{workdir}.{stamp}"
  suffix = 1
  while os.path.exists(aside):
    aside, suffix = f"{workdir}.{stamp}-{suffix}", suffix + 1
  if jax.process_index() == 0:
    os.rename(workdir, aside)
    logging.warning("moved the old run in %s aside to %s", workdir, aside)
  return aside
