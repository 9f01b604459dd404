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

from absl import flags
import jax

from traitjax import cli
from traitjax import config_lib

import step_timing  # pylint: disable=g-bad-import-order

_BACKBONE = flags.DEFINE_string("backbone", "resnet_small", "Backbone name.")
_BATCH = flags.DEFINE_integer("batch", 64, "Global batch size.", lower_bound=1)
_SIZE = flags.DEFINE_integer("image_size", 64, "Image side in pixels.", lower_bound=1)
_DTYPE = flags.DEFINE_string("dtype", "float32", "Compute dtype (bfloat16 on accelerators).")
_STEPS = flags.DEFINE_integer("steps", 20, "Timed steps per measurement.", lower_bound=1)
_WORKERS = flags.DEFINE_integer("workers", 2, "Input worker processes (0: in this process).",
                                lower_bound=0)
_FROZEN = flags.DEFINE_list("frozen", [], "Parameter-path prefixes not trained.")


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
  rates = step_timing.train_step_rates(config, _STEPS.value, _WORKERS.value,
                                       frozen_baseline=bool(_FROZEN.value))
  speedup = rates.pop("frozen_as_constants_speedup", None)
  extra = ({"frozen": _FROZEN.value, "frozen_as_constants_speedup": speedup}
           if _FROZEN.value else {})
  print(json.dumps({
      "framework": "jax", "backbone": _BACKBONE.value, "batch": _BATCH.value,
      "image_size": _SIZE.value, "dtype": _DTYPE.value, "devices": jax.device_count(),
      "device": jax.devices()[0].device_kind,
      **rates,
      "heads": "42 traits, 200 species (synthetic flora)", **extra}))


if __name__ == "__main__":
  cli.run(main)
