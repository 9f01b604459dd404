r"""Concept-bottleneck train-step throughput; prints one JSON line.

  python benchmarks/train_step.py --backbone=resnet50 --batch=256 --image_size=224 --dtype=bfloat16

Measures, in one process: the jitted train step of the shared trainer on an in-memory batch
already on the devices (the model's speed), then the same step fed by the full input pipeline
(synthetic flora rendered at `--image_size`, augmentation, worker processes; the system's
speed), and reports both in images/s with their ratio.

  python benchmarks/train_step.py --backbone=efficientnet_lite0 --batch=32 --image_size=224 \
      --frozen=backbone

With `--frozen` (parameter-path prefixes, as `optim.frozen`), it also times the in-memory step
with the frozen parameters differentiated and their gradients dropped, the baseline for the
trainer's treatment of them as constants, and reports the speed-up.
"""

import json
import os
import time

from absl import flags
import jax

from traitjax import cli
from traitjax import config_lib
from traitjax import optim
from traitjax import sharding
from traitjax import tasks
from traitjax import train
from traitjax.data import pipeline
from traitjax.data import sources

_BACKBONE = flags.DEFINE_string("backbone", "resnet_small", "Backbone name.")
_BATCH = flags.DEFINE_integer("batch", 64, "Global batch size.", lower_bound=1)
_SIZE = flags.DEFINE_integer("image_size", 64, "Image side in pixels.", lower_bound=1)
_DTYPE = flags.DEFINE_string("dtype", "float32", "Compute dtype (bfloat16 on accelerators).")
_STEPS = flags.DEFINE_integer("steps", 20, "Timed steps per measurement.", lower_bound=1)
_WORKERS = flags.DEFINE_integer("workers", 2, "Input worker processes (0: in this process).",
                                lower_bound=0)
_FROZEN = flags.DEFINE_list("frozen", [], "Parameter-path prefixes not trained.")


def _time_steps(step_fn, state, batches, steps: int):
  state, _ = step_fn(state, next(batches))  # compile
  jax.block_until_ready(state)
  start = time.perf_counter()
  for _ in range(steps):
    state, _ = step_fn(state, next(batches))
  jax.block_until_ready(state)
  return time.perf_counter() - start, state


def main(argv):
  del argv
  default = os.path.join(os.path.dirname(__file__), os.pardir, "configs", "default.py")
  config = config_lib.load_config_file(default).get_config()
  config.data.image_size = _SIZE.value
  config.model.backbone = _BACKBONE.value
  config.model.dtype = _DTYPE.value
  config.input.batch_size = _BATCH.value
  config.train.steps = 10 * _STEPS.value
  config.optim.frozen = tuple(_FROZEN.value)
  mesh = sharding.make_mesh()
  source = sources.make_source(config.data, "train")
  task = tasks.make_task(config, source)
  state, tx = optim.initial_state(task, source, config, mesh)
  step_fn = train.compiled_train_step(task, tx, mesh,
                                        optim.frozen_mask(config.optim, state.params))

  dataset = pipeline.train_dataset(source, _BATCH.value, config.seed,
                                   num_workers=_WORKERS.value)
  iterator = iter(dataset)
  fixed = sharding.global_batch(next(iterator), mesh)
  model_seconds, state = _time_steps(step_fn, state, iter(lambda: fixed, None), _STEPS.value)
  extra = {}
  if _FROZEN.value:
    differentiated = train.compiled_train_step(task, tx, mesh)
    baseline_seconds, state = _time_steps(differentiated, state, iter(lambda: fixed, None),
                                          _STEPS.value)
    extra = {"frozen": _FROZEN.value,
             "frozen_as_constants_speedup": round(baseline_seconds / model_seconds, 2)}
  fed = (sharding.global_batch(b, mesh) for b in iterator)
  system_seconds, state = _time_steps(step_fn, state, fed, _STEPS.value)
  iterator.close()
  images = _STEPS.value * _BATCH.value
  print(json.dumps({
      "framework": "jax", "backbone": _BACKBONE.value, "batch": _BATCH.value,
      "image_size": _SIZE.value, "dtype": _DTYPE.value, "devices": jax.device_count(),
      "device": jax.devices()[0].device_kind,
      "step_images_per_s": round(images / model_seconds, 1),
      "pipeline_images_per_s": round(images / system_seconds, 1),
      "pipeline_over_step": round(model_seconds / system_seconds, 3),
      "heads": "42 traits, 200 species (synthetic flora)", **extra}))


if __name__ == "__main__":
  cli.run(main)
