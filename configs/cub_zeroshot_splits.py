r"""python -m traitjax.sweep --config=configs/cub_zeroshot_splits.py --workdir=workdirs/cub_zeroshot_splits

Zero-shot CUB within ../shared/data/cub25: configs/cub.py with the centred-cosine species head
(species rows and trait probabilities compared about the mean row) trained on 20 species and
asked to name photos of the other 5 from their attribute rows alone, for 5 random 20/5 splits
(chosen once with numpy's default_rng(0)). Writes `cub_zeroshot_splits` into
WORKDIR/metrics.json: per split and averaged, zero-shot top-1 among the 5 unseen species (chance
20%) and top-1 on the test photos of the 20 seen ones. Variants: `:smoke`.
"""

import os

import ml_collections

from traitjax import config_lib

HELDOUT_SPLITS = ((7, 8, 12, 15, 18), (13, 15, 16, 18, 21), (7, 12, 17, 20, 21),
                  (1, 5, 17, 21, 23), (2, 7, 11, 12, 25))


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  cub = config_lib.load_config_file(os.path.join(os.path.dirname(__file__), "cub.py"))
  config = cub.get_config(arg)
  config.train.steps = 300
  # Zero-shot naming is what this sweep measures: every official training photo trains, nothing
  # is fitted on val, degraded or explained.
  config_lib.make_zeroshot_sweep(config, "cub_zeroshot_splits", HELDOUT_SPLITS)
  if arg == "smoke":
    config.train.steps = 4
    config.sweep.axes = (("data.heldout_species", ("2:3", "3:4")),)
  return config
