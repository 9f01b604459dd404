"""The one training loop: `train_and_evaluate(config, workdir)` for every task.

Data flows one way: config -> grain source -> pipeline -> host batch -> global sharded batch ->
jit(train_step) -> measurements -> periodic actions. The loop knows nothing about the model it
trains: the task (traitjax/tasks) gives it pure functions, and `task.loss` returns a free dict
of named scalars (every loss term, accuracies, ...) that the loop averages and logs as it gets
them. After every step the loop calls its periodic actions in order: log the measurements (and
stop on a non-finite step), save a checkpoint, run the periodic evaluators, profile; callers
(and tests) add their own. When training ends, the evaluators of `config.evals` write
`workdir/metrics.json`.

A non-finite loss (or a step that leaves the train state non-finite) stops the run with a
diagnostic before anything non-finite is saved: the log action runs at every checkpoint step,
before the checkpoint action.
"""

from __future__ import annotations

import functools
import json
import logging as std_logging
import os
import time
from typing import Sequence

from absl import logging
from clu import parameter_overview
import jax
import jax.numpy as jnp
import ml_collections
import optax

from traitjax import checkpoints as checkpoints_lib
from traitjax import config_lib
from traitjax import evaluators as evaluators_lib
from traitjax import feature_cache
from traitjax import optim
from traitjax import periodic_actions
from traitjax import plots
from traitjax import sharding
from traitjax import tasks
from traitjax import trust as trust_lib
from traitjax import writers
from traitjax.data import pipeline
from traitjax.data import schema
from traitjax.data import sources

# What a run logs only with --verbose (commands show traitjax's debug lines then): the parameter
# table and the whole metrics report, which the workdir's files hold anyway.
_DETAILS = std_logging.getLogger(__name__)

def _train_step(state: optim.TrainState, batch, task, tx, frozen=None, schedule=None):
  rng = jax.random.fold_in(state.rng, state.step)

  def loss(params, *args):
    # Frozen parameters enter as constants, so no backward pass runs through the layers that
    # only they feed (e.g. a frozen backbone).
    if frozen is not None:
      params = jax.tree.map(lambda p, f: jax.lax.stop_gradient(p) if f else p, params, frozen)
    return task.loss(params, *args)

  grad_fn = jax.value_and_grad(loss, has_aux=True)
  (loss, (model_state, measurements)), grads = grad_fn(
      state.params, state.model_state, batch, rng)
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
  measurements = {**measurements, "grad_norm": optax.tree.norm(grads),
                  "nonfinite_steps": (~finite).astype(jnp.float32)}
  if schedule is not None:
    measurements["learning_rate"] = schedule(state.step)
  return new_state, measurements


def compiled_train_step(task, tx, mesh, frozen=None, schedule=None):
  """jit(train_step): state replicated, batch split over the data axis, state donated;
  `frozen` (a bool tree like the params, see `optim.frozen_mask`) marks parameters not trained;
  `schedule` (the learning rate's) adds `learning_rate` to the measurements."""
  return jax.jit(
      functools.partial(_train_step, task=task, tx=tx, frozen=frozen, schedule=schedule),
      in_shardings=(sharding.replicated(mesh), sharding.batch_sharded(mesh)),
      out_shardings=(sharding.replicated(mesh), sharding.replicated(mesh)),
      donate_argnums=(0,))


def _parameter_table(params) -> str:
  """clu's table of parameters with an integer total (clu sums np.prod of shapes, a float when
  the first leaf is a scalar)."""
  leaves = jax.tree.leaves(params)
  table = parameter_overview.get_parameter_overview(params).rsplit("\n", 1)[0]
  return (f"{table}\ntotal: {sum(leaf.size for leaf in leaves):,} parameters, "
          f"{sum(leaf.nbytes for leaf in leaves):,} bytes")


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str,
                       actions: Sequence[periodic_actions.Action] = (),
                       force_new_run: bool = False) -> dict:
  """Trains `config.train.steps` steps (resuming if `workdir` has checkpoints of the same
  config), calling the periodic actions and then `actions` after every step, runs the
  evaluators of `config.evals` and writes `workdir/metrics.json`. Returns that report.

  A workdir that holds a run of another config is refused (checkpoints.WorkdirInUse) unless
  `force_new_run` moves it aside first. SIGINT, SIGTERM and SIGUSR1 stop the run at the next
  step with a checkpoint (periodic_actions.TrainingInterrupted)."""
  config_lib.check(config)
  evaluators = evaluators_lib.from_config(config.evals)
  evaluators_lib.check_splits(evaluators, config)
  train_source = sources.make_source(config.data, "train")
  if len(train_source) == 0:
    raise ValueError("no training photo: every species is held out or none is left "
                     "(data.species, data.heldout_species)")
  if force_new_run:
    checkpoints_lib.move_aside(workdir)
  else:
    checkpoints_lib.check_same_run(workdir, config)
  os.makedirs(workdir, exist_ok=True)
  mesh = sharding.make_mesh()
  shard = pipeline.HostShard(jax.process_index(), jax.process_count())
  task = tasks.make_task(config, train_source)
  evaluators = evaluators_lib.applicable(evaluators, task)
  state, tx = optim.initial_state(task, train_source, config, mesh)
  if jax.process_index() == 0:
    _DETAILS.debug("parameters:\n%s", _parameter_table(state.params))
  cache = feature_cache.open_for_run(config, workdir, task, state, train_source)
  read = (cache.wrap(train_source, feature_cache.training_views(config)) if cache
          else train_source)
  iterator = iter(pipeline.train_dataset(
      read, config.input.batch_size, config.seed, shard=shard,
      augmentation=config.input.augmentation, num_workers=config.input.num_workers,
      num_threads=config.input.num_threads, prefetch=config.input.prefetch))
  checkpoints = checkpoints_lib.Checkpoints(workdir, config)
  restored = checkpoints.restore_latest(state, iterator)
  if restored is not None:
    state = restored
  first_step, total, train = int(state.step), config.train.steps, config.train
  if first_step > total:
    checkpoints.close()
    raise ValueError(f"{workdir} is trained to step {first_step}, past train.steps={total}")
  train_step = compiled_train_step(
      task, tx, mesh, optim.frozen_mask(config.optim, state.params),
      optim.learning_rate_schedule(config.optim, total))

  def evaluate(chosen, state, **kwargs):
    return evaluators_lib.evaluate(chosen, task, state, config, mesh, shard, cache=cache,
                                   **kwargs)

  writer = writers.MetricWriter(workdir, resume_step=first_step)
  profile = periodic_actions.Profile(os.path.join(workdir, "profile"), train.profile_start_step,
                                     train.profile_num_steps)
  checkpoint = periodic_actions.SaveCheckpoint(checkpoints, iterator, train.checkpoint_every,
                                               total)
  stop = periodic_actions.StopOnSignal(checkpoint)
  all_actions = [
      periodic_actions.LogMeasurements(writer, total, first_step, train.log_every,
                                       train.checkpoint_every, checkpoints.directory),
      checkpoint, stop, periodic_actions.PeriodicEvaluation(evaluators, evaluate, writer, total),
      profile, *actions]
  skipped = set()  # Indices of unreadable training files met, each counted once.
  start_time = time.perf_counter()
  try:
    with stop:
      for step in range(first_step + 1, total + 1):
        local = next(iterator)
        skipped.update(local[schema.INDEX][~local[schema.VALID]].tolist())
        state, measurements = train_step(state, sharding.global_batch(local, mesh))
        for action in all_actions:
          action(step, state, measurements)
  except BaseException:
    writer.close()
    raise
  finally:
    profile.stop()
    iterator.close()
    checkpoints.close()
  evaluation = evaluate(evaluators, state, fit_trust_anyway=True)
  report = evaluation.report
  report["num_skipped_by_split"]["train"] = sharding.sum_over_processes(len(skipped))
  report["train_seconds"] = round(time.perf_counter() - start_time, 1)
  writer.write_scalars(total, writers.flatten_scalars(evaluation.reports))
  writer.close()
  _write_results(workdir, evaluators, evaluation)
  return report


def evaluate_checkpoint(config: ml_collections.ConfigDict, workdir: str,
                        name: str = "eval") -> dict:
  """Runs the evaluators of `config.evals` on the newest checkpoint in `workdir` and writes
  `workdir/eval/<name>/metrics.json` (training's metrics.json stays as it is)."""
  config_lib.check(config, training=False)
  evaluators = evaluators_lib.from_config(config.evals)
  if not evaluators:
    raise ValueError("config.evals names no evaluator")
  trust_path = os.path.join(workdir, trust_lib.FILE_NAME)
  saved_trust = trust_lib.Trust.load(trust_path) if os.path.isfile(trust_path) else None
  evaluators_lib.check_splits(evaluators, config, trust_saved=saved_trust is not None)
  mesh = sharding.make_mesh()
  shard = pipeline.HostShard(jax.process_index(), jax.process_count())
  task, state, source = checkpoints_lib.restore_for_eval(config, workdir,
                                                         evaluators[0].split, mesh)
  evaluators = evaluators_lib.applicable(evaluators, task)
  cache = feature_cache.open_for_run(config, workdir, task, state, source)
  evaluation = evaluators_lib.evaluate(evaluators, task, state, config, mesh, shard,
                                       trust=saved_trust, cache=cache)
  directory = os.path.join(workdir, "eval", name)
  os.makedirs(directory, exist_ok=True)
  _write_results(directory, evaluators, evaluation, save_trust=saved_trust is None)
  return evaluation.report


def _write_results(directory: str, evaluators, evaluation: evaluators_lib.Evaluation,
                   save_trust: bool = True) -> None:
  """metrics.json, the evaluators' figures (figures/<evaluator>_<figure>.png) and, when the
  evaluation fitted one, trust.json in `directory` (from the first process)."""
  if jax.process_index() != 0:
    return
  path = os.path.join(directory, "metrics.json")
  with open(path, "w") as f:
    json.dump(evaluation.report, f, indent=1)
  logging.info("metrics written to %s: %s", path, writers.summary(evaluation.report))
  _DETAILS.debug("metrics: %s", json.dumps(evaluation.report))
  if save_trust and evaluation.trust is not None:
    evaluation.trust.save(os.path.join(directory, trust_lib.FILE_NAME))
  for evaluator in evaluators:
    if evaluator.name in evaluation.reports:
      for figure_name, figure in evaluator.figures(evaluation.reports[evaluator.name]).items():
        os.makedirs(os.path.join(directory, "figures"), exist_ok=True)
        plots.save_figure(figure, os.path.join(directory, "figures",
                                               f"{evaluator.name}_{figure_name}.png"))
