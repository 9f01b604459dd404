"""Train-step timing of a config with the shared trainer, for the benchmarks beside this file
(which Python runs with this folder on its path)."""

import time

import jax

from traitjax import optim
from traitjax import sharding
from traitjax import tasks
from traitjax import train
from traitjax.data import pipeline
from traitjax.data import sources


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


def train_step_rates(config, steps: int, workers: int, frozen_baseline: bool = False) -> dict:
  """Images/s of `config`'s jitted train step (its `optim.frozen` parameters as constants) on one
  in-memory batch already on the devices (the model's speed), then fed by the full input
  pipeline of its train split with `workers` worker processes (the system's speed), each over
  `steps` steps; with `frozen_baseline`, also the speed-up over the same step with the frozen
  parameters differentiated and their gradients dropped."""
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
  fed = (sharding.global_batch(b, mesh) for b in iterator)
  system_seconds, state = time_steps(step_fn, state, fed, steps)
  iterator.close()
  images = steps * batch_size
  return {"step_images_per_s": round(images / model_seconds, 1),
          "pipeline_images_per_s": round(images / system_seconds, 1),
          "pipeline_over_step": round(model_seconds / system_seconds, 3), **extra}
