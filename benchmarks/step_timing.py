"""Train-step timing of a config with the shared trainer, for the benchmarks beside this file
(which Python runs with this folder on its path)."""

import functools
import time

import jax
import optax

from traitjax import optim
from traitjax import sharding
from traitjax import tasks
from traitjax import train
from traitjax.data import pipeline
from traitjax.data import sources

# Rounds of the trainer's and the bare step, alternated, for `bare_baseline`.
BARE_ROUNDS = 2


def time_steps(step_fn, state, batches, steps: int):
  """Seconds of `steps` calls of `step_fn` on `batches` after one (compiling) call, and the
  state they leave."""
  state, _ = step_fn(state, next(batches))  # compile
  jax.block_until_ready(state)
  start = time.perf_counter()
  for _ in range(steps):
    state, _ = step_fn(state, next(batches))
  jax.block_until_ready(state)
  return time.perf_counter() - start, state


def _bare_step(state, batch, task, tx):
  """The least a train step does: the task's loss and gradient and the optimizer's update (no
  measurements, no check for non-finite values, no frozen parameters, no sharding given)."""
  rng = jax.random.fold_in(state.rng, state.step)
  (_, (model_state, _)), grads = jax.value_and_grad(task.loss, has_aux=True)(
      state.params, state.model_state, batch, rng)
  updates, opt_state = tx.update(grads, state.opt_state, state.params)
  return state.replace(step=state.step + 1, params=optax.apply_updates(state.params, updates),
                       model_state=model_state, opt_state=opt_state), {}


def train_step_rates(config, steps: int, workers: int, frozen_baseline: bool = False,
                     bare_baseline: bool = False) -> dict:
  """Images/s of `config`'s jitted train step (its `optim.frozen` parameters as constants) on one
  in-memory batch already on the devices (the model's speed), then fed by the full input
  pipeline of its train split with `workers` worker processes (the system's speed), each over
  `steps` steps; with `frozen_baseline`, also the speed-up over the same step with the frozen
  parameters differentiated and their gradients dropped; with `bare_baseline`, the trainer's
  step against a bare jitted step (`_bare_step`), both with every parameter trained, on the same
  batch, each the best of `BARE_ROUNDS` alternated rounds."""
  mesh = sharding.make_mesh()
  source = sources.make_source(config.data, "train")
  task = tasks.make_task(config, source)
  state, tx = optim.initial_state(task, source, config, mesh)
  step_fn = train.compiled_train_step(task, tx, mesh,
                                      optim.frozen_mask(config.optim, state.params))
  batch_size = config.input.batch_size
  dataset = pipeline.train_dataset(source, batch_size, config.seed, num_workers=workers)
  iterator = iter(dataset)
  fixed = sharding.global_batch(next(iterator), mesh)
  model_seconds, state = time_steps(step_fn, state, iter(lambda: fixed, None), steps)
  extra = {}
  if frozen_baseline:
    differentiated = train.compiled_train_step(task, tx, mesh)
    baseline_seconds, state = time_steps(differentiated, state, iter(lambda: fixed, None),
                                         steps)
    extra = {"frozen_as_constants_speedup": round(baseline_seconds / model_seconds, 2)}
  if bare_baseline:
    steps_of = {"trainer": train.compiled_train_step(task, tx, mesh),
                "bare": jax.jit(functools.partial(_bare_step, task=task, tx=tx),
                                donate_argnums=(0,))}
    best = dict.fromkeys(steps_of, float("inf"))
    for _ in range(BARE_ROUNDS):  # Alternated, each its best: a busy machine slows both alike.
      for name, step_fn in steps_of.items():
        seconds, state = time_steps(step_fn, state, iter(lambda: fixed, None), steps)
        best[name] = min(best[name], seconds)
    images = steps * config.input.batch_size
    extra["trainer_all_images_per_s"] = round(images / best["trainer"], 1)
    extra["bare_jax_images_per_s"] = round(images / best["bare"], 1)
    extra["step_over_bare_jax"] = round(best["bare"] / best["trainer"], 3)
  fed = (sharding.global_batch(b, mesh) for b in iterator)
  system_seconds, state = time_steps(step_fn, state, fed, steps)
  iterator.close()
  images = steps * batch_size
  table = source.trait_table
  return {"heads": f"{table.num_traits} traits, {table.num_species} species",
          "step_images_per_s": round(images / model_seconds, 1),
          "pipeline_images_per_s": round(images / system_seconds, 1),
          "pipeline_over_step": round(model_seconds / system_seconds, 3), **extra}
