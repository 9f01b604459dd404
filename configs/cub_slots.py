r"""python -m traitjax.main --config=configs/cub_slots.py --config.data.root=../shared/data/cub25 --workdir=workdirs/cub_slots

Slot-attention part discovery (configs/slots.py) on CUB-200-2011 cropped to the bird box at
224 px: the frozen ImageNet EfficientNet-Lite0 of configs/cub.py up to its stage 5 (stride 16,
a 14 x 14 map; the full network's 7 x 7 is too coarse for parts), K = 16 slots (what
`:num_slots` chose on val) and a background slot; the parts are scored against CUB's 15
keypoints. `--config.model.num_slots=K` changes K. Every training photo trains (no val split),
so nothing here may be chosen by these numbers, which are test's. Variants:
`configs/cub_slots.py:smoke`, and `:num_slots`, K = 4, 8 and 16 for 300 steps each with a fifth
of the training photos held out as val, where K is chosen (`python -m traitjax.sweep --config=configs/cub_slots.py:num_slots --workdir=W`).
"""

import os

import ml_collections

from traitjax import config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  if arg not in (None, "", "smoke", "num_slots"):
    raise ValueError(f"unknown variant {arg!r} of configs/cub_slots.py; known: smoke, num_slots")
  here = os.path.dirname(__file__)
  base = "smoke" if arg == "smoke" else None
  config = config_lib.load_config_file(os.path.join(here, "slots.py")).get_config(base)
  cub = config_lib.load_config_file(os.path.join(here, "cub.py")).get_config(base)
  config.data = cub.data
  cub_val_fraction = cub.data.val_fraction
  # No val split: every training photo trains. Without one, the slot names are chosen and
  # scored on the same test photos (optimistic: `chosen_on` says so), and nothing is evaluated
  # on val.
  config.data.val_fraction = 0.0
  del config.evals["val"], config.evals["val_parts"]
  config.evals.slot_names.choose_split = ""
  # K = 16: the highest val NMI of K = 4, 8, 16 (`:num_slots`, docs/discovery.md; the rule
  # of configs/slots.py's part losses, `tables.chosen_slot_point`).
  config.model.update({
      "backbone": "efficientnet_lite0", "num_stages": 5, "pretrained": cub.model.pretrained,
      "frozen_batch_norm": True, "num_slots": 16})
  config.optim = cub.optim
  config.train = cub.train
  config.input = cub.input
  if arg == "num_slots":
    # CUB's val split (configs/cub.py's fifth) and configs/slots.py's val evaluators: K is
    # chosen there by the rule of configs/slots.py:part_losses, test only reports.
    config.data.val_fraction = cub_val_fraction
    slots = config_lib.load_config_file(os.path.join(here, "slots.py")).get_config()
    config.evals.val, config.evals.val_parts = slots.evals.val, slots.evals.val_parts
    config.evals.slot_names.choose_split = "val"
    config.train.steps = 300
    config.sweep = ml_collections.ConfigDict({
        "name": "num_slots", "axes": (("model.num_slots", (4, 8, 16)),),
        "metrics": ("val.parts.nmi", "val.parts.ari", "val.parts.keypoint_error",
                    "val.parts.background_share", "val.species_top1", "parts.nmi", "parts.ari",
                    "parts.keypoint_error", "parts.background_share", "species_top1")})
  return config
