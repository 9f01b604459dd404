r"""python -m traitjax.data.preview --config=configs/cub.py --config.data.root=../shared/data/cub25 --out=/tmp/cub_preview

CUB-200-2011 from its official layout at 224 px; species-level traits from the continuous
attribute table. `data.root` is the extracted tarball folder. Variants: `configs/cub.py:smoke`.
"""

import ml_collections

from traitjax import config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()
  config.seed = 0

  config.data = ml_collections.ConfigDict()
  config.data.name = "cub"
  config.data.root = "../shared/data/cub25"
  config.data.image_size = 224
  config.data.crop_to_bbox = False
  config.data.bbox_margin = 0.1
  config.data.species = ()  # official class ids; empty: every species under root
  config.data.heldout_species = ()  # class ids with no training images (zero-shot)
  config.data.trait_threshold = ml_collections.config_dict.placeholder(float)
  config.data.val_fraction = 0.0
  config.data.seed = 0

  config.input = config_lib.input_config(batch_size=32)
  config.preview = config_lib.preview_config(num_images=16)

  if arg == "smoke":
    config.data.image_size = 64
    config.data.species = (1, 2, 3, 4)
    config.data.heldout_species = (4,)
    config.input.batch_size = 8
    config.input.num_workers = 0
    config.preview.num_images = 8
  elif arg:
    raise ValueError(f"unknown variant {arg!r} of configs/cub.py; known: smoke")
  return config
