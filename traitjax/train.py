"""The one trainer: `train_and_evaluate(config, workdir)` for every task.

Data flows one way: config -> grain source -> pipeline -> host batch -> global sharded batch ->
jit(train_step) -> clu metrics -> writers / checkpoints. The trainer knows nothing about the
model it trains: it calls the task's pure functions (see traitjax/tasks).

Checkpoints (orbax, async, `max_to_keep`) hold the train state, the grain iterator state and the
config; a restart with the same command resumes from the newest readable checkpoint and sees
exactly the examples the interrupted run would have seen. A non-finite loss (or a step that
leaves the train state non-finite) stops the run with a diagnostic before anything non-finite is
saved.
"""

from __future__ import annotations

import collections
import functools
import json
import os
import shutil
import time
from typing import Any

from absl import logging
from clu import parameter_overview
import flax
import grain
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import orbax.checkpoint as ocp

from traitjax import metrics
from traitjax import sharding
from traitjax import tasks
from traitjax import writers
from traitjax.data import pipeline
from traitjax.data import schema
from traitjax.data import sources

# Batch fields gathered next to the predictions for evaluation (images are not).
EVAL_FIELDS = (schema.SPECIES, schema.TRAITS, schema.TRAITS_VISIBLE, schema.DEGRADATION,
               schema.VALID, schema.INDEX)


class TrainingDiverged(RuntimeError):
  """The loss became NaN or Inf; the last good checkpoint is kept."""


@flax.struct.dataclass
class TrainState:
  step: jax.Array
  params: Any
  model_state: Any  # Non-trainable collections, e.g. batch_stats.
  opt_state: Any
  rng: jax.Array


def make_optimizer(config: ml_collections.ConfigDict, total_steps: int,
                   params) -> optax.GradientTransformation:
  """Warm-up + cosine (or constant) schedule, clipping, AdamW or SGD. Parameters under a
  `frozen` path prefix (e.g. "backbone/stem") get no updates (and do not count in the clipped
  norm); `lr_multipliers` pairs (prefix, factor) scale the learning rate of the parameters
  under a prefix (the first matching pair wins), e.g. (("backbone", 0.1),) to fine-tune a
  pretrained backbone gently."""
  warmup = min(config.warmup_steps, max(total_steps - 1, 0))
  if config.schedule == "cosine":
    schedule = optax.warmup_cosine_decay_schedule(
        0.0, config.learning_rate, warmup, max(total_steps, warmup + 1),
        end_value=config.learning_rate * config.final_lr_fraction)
  elif config.schedule == "constant":
    schedule = optax.join_schedules(
        [optax.linear_schedule(0.0, config.learning_rate, max(warmup, 1)),
         optax.constant_schedule(config.learning_rate)], [warmup])
  else:
    raise ValueError(f"unknown schedule {config.schedule!r}; known: cosine, constant")
  if config.name == "adamw":
    update = optax.adamw(schedule, weight_decay=config.weight_decay)
  elif config.name == "sgd":
    update = optax.chain(optax.add_decayed_weights(config.weight_decay),
                         optax.sgd(schedule, momentum=0.9, nesterov=True))
  else:
    raise ValueError(f"unknown optimizer {config.name!r}; known: adamw, sgd")
  tx = optax.chain(optax.clip_by_global_norm(config.grad_clip_norm), update)

  paths = _parameter_paths(params)
  multipliers = tuple((prefix, float(factor)) for prefix, factor in config.lr_multipliers)
  _check_prefixes("optim.lr_multipliers", [prefix for prefix, _ in multipliers], paths)
  frozen = frozen_mask(config, params)
  if any(jax.tree.leaves(frozen)):
    labels = jax.tree.map(lambda is_frozen: "frozen" if is_frozen else "trained", frozen)
    tx = optax.multi_transform({"trained": tx, "frozen": optax.set_to_zero()}, labels)
  if multipliers:
    # Both optimizers' updates are linear in the learning rate, so scaling an update scales
    # its learning rate (and, as in AdamW, its weight decay).
    factors = jax.tree.map(
        lambda path: next((f for prefix, f in multipliers if path.startswith(prefix)), 1.0),
        paths)
    tx = optax.chain(tx, optax.stateless(
        lambda updates, params=None: jax.tree.map(lambda u, f: u * f, updates, factors)))
  return tx


def frozen_mask(config: ml_collections.ConfigDict, params):
  """The tree of `params` with True for each leaf under an `optim.frozen` path prefix."""
  paths = _parameter_paths(params)
  frozen = tuple(config.frozen)
  _check_prefixes("optim.frozen", frozen, paths)
  return jax.tree.map(lambda path: path.startswith(frozen), paths)


def _parameter_paths(params):
  """The tree of `params` with each leaf replaced by its path, e.g. "backbone/stem/kernel"."""
  return jax.tree_util.tree_map_with_path(
      lambda path, _: "/".join(str(getattr(k, "key", k)) for k in path), params)


def _check_prefixes(name: str, prefixes, paths) -> None:
  unknown = [prefix for prefix in prefixes
             if not any(path.startswith(prefix) for path in jax.tree.leaves(paths))]
  if unknown:
    raise ValueError(f"{name} prefixes match no parameter: {unknown}")


def _train_step(state: TrainState, batch, task, tx, frozen=None):
  rng = jax.random.fold_in(state.rng, state.step)

  def loss(params, *args):
    # Frozen parameters enter as constants, so no backward pass runs through the layers that
    # only they feed (e.g. a frozen backbone).
    if frozen is not None:
      params = jax.tree.map(lambda p, f: jax.lax.stop_gradient(p) if f else p, params, frozen)
    return task.loss(params, *args)

  grad_fn = jax.value_and_grad(loss, has_aux=True)
  (loss, (model_state, outputs)), grads = grad_fn(state.params, state.model_state, batch, rng)
  updates, opt_state = tx.update(grads, state.opt_state, state.params)
  params = optax.apply_updates(state.params, updates)
  new_state = state.replace(step=state.step + 1, params=params, model_state=model_state,
                            opt_state=opt_state)
  # A finite loss can still come with a non-finite gradient (or batch statistics) that makes
  # the new state non-finite: that step counts as diverged too, so it is never checkpointed.
  finite = jnp.isfinite(loss)
  for leaf in jax.tree.leaves((params, model_state, opt_state)):
    if jnp.issubdtype(leaf.dtype, jnp.inexact):
      finite &= jnp.all(jnp.isfinite(leaf))
  outputs = {**outputs, "grad_norm": optax.tree.norm(grads),
             "nonfinite": (~finite).astype(jnp.float32)}
  return new_state, metrics.TrainMetrics.single_from_model_output(**outputs)


def compiled_train_step(task, tx, mesh, frozen=None):
  """jit(train_step): state replicated, batch split over the data axis, state donated;
  `frozen` (a bool tree like the params, see `frozen_mask`) marks parameters not trained."""
  return jax.jit(
      functools.partial(_train_step, task=task, tx=tx, frozen=frozen),
      in_shardings=(sharding.replicated(mesh), sharding.batch_sharded(mesh)),
      out_shardings=(sharding.replicated(mesh), sharding.replicated(mesh)),
      donate_argnums=(0,))


def _example_batch(source) -> dict[str, np.ndarray]:
  """One example as a batch of one, for initialisation (does not touch the iterator)."""
  example = source[0]
  return pipeline.finish_batch({k: np.asarray(v)[None] for k, v in example.items()})


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

  def save(self, step: int, state: TrainState, iterator) -> None:
    self.manager.save(step, args=ocp.args.Composite(
        state=ocp.args.StandardSave(state),
        data=grain.checkpoint.CheckpointSave(iterator),
        config=ocp.args.JsonSave(self.config.to_dict())))

  def restore_latest(self, state: TrainState, iterator=None) -> TrainState | None:
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


def initial_state(task, source, config, mesh) -> tuple[TrainState, optax.GradientTransformation]:
  """Freshly initialised, replicated train state and the optimizer."""
  # RBG keys for initialisation only: with threefry, compiling `init` of a many-layer network
  # takes seconds on a CPU. Steps use the threefry key in the state.
  init_rng = jax.random.key(config.seed, impl="rbg")
  state_rng = jax.random.PRNGKey(config.seed)
  variables = dict(task.init(init_rng, _example_batch(source)))
  params = variables.pop("params")
  tx = make_optimizer(config.optim, config.train.steps, params)
  state = TrainState(step=jnp.zeros((), jnp.int32), params=params, model_state=variables,
                     opt_state=tx.init(params), rng=state_rng)
  return jax.device_put(state, sharding.replicated(mesh)), tx


def evaluate_split(task, state: TrainState, config, split: str, mesh,
                   shard: pipeline.HostShard) -> dict:
  """One exactly-once pass over `split`; the task's metrics plus num_examples/num_skipped."""
  source = sources.make_source(config.data, split)
  dataset = pipeline.eval_dataset(source, config.input.batch_size, shard=shard,
                                  num_workers=config.input.num_workers)
  predict = jax.jit(task.predict)
  gathered = collections.defaultdict(list)
  iterator = iter(dataset)
  for local in iterator:
    batch = sharding.global_batch(local, mesh)
    outputs = predict(state.params, state.model_state, batch)
    host = sharding.to_host({**outputs, **{k: batch[k] for k in EVAL_FIELDS}})
    for key, value in host.items():
      gathered[key].append(value)
  iterator.close()
  arrays = {k: np.concatenate(v) for k, v in gathered.items()}
  valid = arrays[schema.VALID]
  counts = {"num_examples": int(valid.sum()),
            "num_skipped": int(np.sum((arrays[schema.INDEX] >= 0) & ~valid))}
  if counts["num_examples"] != len(source) - counts["num_skipped"]:
    raise AssertionError(f"eval saw {counts} of {len(source)} examples of {split}")
  report = task.evaluate({k: v[valid] for k, v in arrays.items()}, source, state.params)
  return {**report, **counts}


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str) -> dict:
  """Trains `config.train.steps` steps (resuming if `workdir` has checkpoints), evaluates on
  `config.train.eval_split` every `eval_every` steps and on `final_eval_split` at the end, and
  writes `workdir/metrics.json`. Returns that final report."""
  os.makedirs(workdir, exist_ok=True)
  mesh = sharding.make_mesh()
  shard = pipeline.HostShard(jax.process_index(), jax.process_count())
  train_source = sources.make_source(config.data, "train")
  task = tasks.make_task(config, train_source)
  state, tx = initial_state(task, train_source, config, mesh)
  if jax.process_index() == 0:
    parameter_overview.log_parameter_overview(state.params)
  iterator = iter(pipeline.train_dataset(
      train_source, config.input.batch_size, config.seed, shard=shard,
      augmentation=config.input.augmentation, num_workers=config.input.num_workers,
      num_threads=config.input.num_threads, prefetch=config.input.prefetch))
  checkpoints = Checkpoints(workdir, config)
  restored = checkpoints.restore_latest(state, iterator)
  if restored is not None:
    state = restored
  train_step = compiled_train_step(task, tx, mesh, frozen_mask(config.optim, state.params))
  writer = writers.MetricWriter(workdir)
  first_step = int(state.step)
  total = config.train.steps
  progress = writers.Progress(total, first_step)
  window, window_start = None, first_step + 1
  start_time = time.perf_counter()
  for step in range(first_step + 1, total + 1):
    batch = sharding.global_batch(next(iterator), mesh)
    state, update = train_step(state, batch)
    window = update if window is None else window.merge(update)
    at_end = step == total
    if step % config.train.log_every == 0 or step % config.train.checkpoint_every == 0 or at_end:
      scalars = {f"train/{k}": float(v) for k, v in window.compute().items()}
      if scalars["train/nonfinite_steps"] > 0:
        checkpoints.close()
        writer.close()
        raise TrainingDiverged(
            f"non-finite loss or train state between steps {window_start} and {step}: "
            f"{json.dumps(scalars)}; the last good checkpoint is kept in {checkpoints.directory}")
      window, window_start = None, step + 1
      writer.write(step, scalars)
      progress.report(step, {k.split("/")[1]: v for k, v in scalars.items()
                             if k in ("train/loss", "train/species_accuracy")})
      if step % config.train.checkpoint_every == 0 or at_end:
        checkpoints.save(step, state, iterator)
    if config.train.eval_every and step % config.train.eval_every == 0 and not at_end:
      report = evaluate_split(task, state, config, config.train.eval_split, mesh, shard)
      writer.write(step, _scalars(report, config.train.eval_split))
  iterator.close()
  checkpoints.close()
  report = _final_report(task, state, config, mesh, shard)
  report["train_seconds"] = round(time.perf_counter() - start_time, 1)
  writer.write(total, _scalars(report, config.train.final_eval_split))
  writer.close()
  _write_report(workdir, report)
  return report


def evaluate_checkpoint(config: ml_collections.ConfigDict, workdir: str) -> dict:
  """Evaluates the newest checkpoint in `workdir` on `final_eval_split` (and
  `extra_eval_splits`) -> metrics.json."""
  mesh = sharding.make_mesh()
  shard = pipeline.HostShard(jax.process_index(), jax.process_count())
  # The evaluated split sizes the task: its data may hold no training split (e.g. a root of
  # species never trained).
  eval_source = sources.make_source(config.data, config.train.final_eval_split)
  task = tasks.make_task(config, eval_source)
  state, _ = initial_state(task, eval_source, config, mesh)
  checkpoints = Checkpoints(workdir, config)
  restored = checkpoints.restore_latest(state)
  checkpoints.close()
  if restored is None:
    raise FileNotFoundError(
        f"no checkpoint in {checkpoints.directory} could be read with this config (the log "
        f"says why; a model or data setting that differs from training's changes the shapes)")
  report = _final_report(task, restored, config, mesh, shard)
  _write_report(workdir, report)
  return report


def _final_report(task, state: TrainState, config, mesh, shard) -> dict:
  """The report on `final_eval_split`, with each of `extra_eval_splits` under its name."""
  report = evaluate_split(task, state, config, config.train.final_eval_split, mesh, shard)
  for split in config.train.extra_eval_splits:
    report[split] = evaluate_split(task, state, config, split, mesh, shard)
  return report


def _scalars(report: dict, prefix: str) -> dict[str, float]:
  """The numbers of a (nested) report as {"prefix/key/...": value}."""
  flat = {}
  for key, value in report.items():
    if isinstance(value, dict):
      flat.update(_scalars(value, f"{prefix}/{key}"))
    elif isinstance(value, (int, float)):
      flat[f"{prefix}/{key}"] = float(value)
  return flat


def _write_report(workdir: str, report: dict) -> None:
  if jax.process_index() == 0:
    with open(os.path.join(workdir, "metrics.json"), "w") as f:
      json.dump(report, f, indent=1)
    logging.info("metrics: %s", json.dumps(report))
