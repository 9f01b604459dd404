r"""python -m traitjax.main --config=configs/cub_slots.py --config.data.root=../shared/data/cub25 --workdir=workdirs/cub_slots

Slot-attention part discovery (configs/slots.py) on CUB-200-2011 cropped to the bird box at
224 px: the frozen ImageNet EfficientNet-Lite0 of configs/cub.py up to its stage 5 (stride 16,
a 14 x 14 map; the full network's 7 x 7 is too coarse for parts), K = 8 slots and a background
slot; the parts are scored against CUB's 15 keypoints. `--config.model.num_slots=4` or `16`
changes K. Every training photo trains (no val split), so nothing here may be chosen by these
numbers, which are test's: to choose K, add `--config.data.val_fraction=0.2` and the val
evaluators of configs/slots.py. Variants: `configs/cub_slots.py:smoke`.
"""

import os

import ml_collections

from traitjax import config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  here = os.path.dirname(__file__)
  config = config_lib.load_config_file(os.path.join(here, "slots.py")).get_config(arg)
  cub = config_lib.load_config_file(os.path.join(here, "cub.py")).get_config(arg)
  config.data = cub.data
  # No val split: every training photo trains. Without one, the slot names are chosen and
  # scored on the same test photos (optimistic: `chosen_on` says so), and nothing is evaluated
  # on val.
  config.data.val_fraction = 0.0
  del config.evals["val"], config.evals["val_parts"]
  config.evals.slot_names.choose_split = ""
  config.model.update({
      "backbone": "efficientnet_lite0", "num_stages": 5, "pretrained": cub.model.pretrained,
      "frozen_batch_norm": True})
  config.optim = cub.optim
  config.train = cub.train
  config.input = cub.input
  return config
