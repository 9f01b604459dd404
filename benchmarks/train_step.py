r"""Concept-bottleneck train-step throughput; prints one JSON line.

  python benchmarks/train_step.py --backbone=resnet50 --batch=256 --image_size=224 --dtype=bfloat16

Measures, in one process: the jitted train step of the shared trainer on an in-memory batch
already on the devices (the model's speed), then the same step fed by the full input pipeline
(`--config`'s train split: synthetic flora rendered at `--image_size` by default, CUB's JPEG
files with `--config=configs/cub.py`; augmentation, worker processes; the system's speed), and
reports both in images/s with their ratio.

  python benchmarks/train_step.py --backbone=efficientnet_lite0 --batch=32 --image_size=224 \
      --frozen=backbone

With `--frozen` (parameter-path prefixes, as `optim.frozen`), it also times the in-memory step
with the frozen parameters differentiated and their gradients dropped, the baseline for the
trainer's treatment of them as constants, and reports the speed-up. With `--bare`, it times the
trainer's step (every parameter trained) against a bare jitted loss-gradient-update step on the
same batch (`step_over_bare_jax`: what the trainer's measurements and sharding cost).
`benchmarks/accelerator.sh` runs it beside the PyTorch peer.
"""

import json
import os

from absl import flags
import jax
from ml_collections import config_flags

from traitjax import cli

import step_timing  # pylint: disable=g-bad-import-order

_CONFIG = config_flags.DEFINE_config_file(
    "config", os.path.join(os.path.dirname(__file__), os.pardir, "configs", "default.py"),
    "The config whose model, optimizer and data are timed (its fields overridable).")
_BACKBONE = flags.DEFINE_string("backbone", "resnet_small", "Backbone name.")
_BATCH = flags.DEFINE_integer("batch", 64, "Global batch size.", lower_bound=1)
_SIZE = flags.DEFINE_integer("image_size", 64, "Image side in pixels.", lower_bound=1)
_DTYPE = flags.DEFINE_string("dtype", "float32", "Compute dtype (bfloat16 on accelerators).")
_STEPS = flags.DEFINE_integer("steps", 20, "Timed steps per measurement.", lower_bound=1)
_WORKERS = flags.DEFINE_integer("workers", 2, "Input worker processes (0: in this process).",
                                lower_bound=0)
_FROZEN = flags.DEFINE_list("frozen", [], "Parameter-path prefixes not trained.")
_BARE = flags.DEFINE_bool("bare", False, "Also time a bare jitted step as the baseline.")


def main(argv):
  del argv
  config = _CONFIG.value
  config.data.image_size = _SIZE.value
  if config.model.backbone != _BACKBONE.value:  # Timing needs no pretrained weights.
    config.model.backbone, config.model.pretrained = _BACKBONE.value, ""
  config.model.dtype = _DTYPE.value
  config.input.batch_size = _BATCH.value
  config.train.steps = 10 * _STEPS.value
  config.optim.frozen = tuple(_FROZEN.value)
  config.model.frozen_batch_norm = False
  rates = step_timing.train_step_rates(config, _STEPS.value, _WORKERS.value,
                                       frozen_baseline=bool(_FROZEN.value),
                                       bare_baseline=_BARE.value)
  speedup = rates.pop("frozen_as_constants_speedup", None)
  extra = ({"frozen": _FROZEN.value, "frozen_as_constants_speedup": speedup}
           if _FROZEN.value else {})
  print(json.dumps({
      "framework": "jax", "backbone": _BACKBONE.value, "batch": _BATCH.value,
      "image_size": _SIZE.value, "dtype": _DTYPE.value, "devices": jax.device_count(),
      "device": jax.devices()[0].device_kind,
      **rates,
      "data": config.data.name, **extra}))


if __name__ == "__main__":
  cli.run(main)
