r"""python -m traitjax.sweep --config=configs/eurosat_zeroshot.py --workdir=workdirs/eurosat_zeroshot

Zero-shot habitats: configs/eurosat.py (centred-cosine species head over the 58 landscape
characteristics) trained on 7 of the 10 EuroSAT classes and asked to name every tile of the
other 3 (`data.heldout_species`; the `zeroshot` split) from their parsed table rows alone, for
five random 7/3 splits (`HELDOUT_SPLITS`), each in its own workdir. Writes `eurosat_zeroshot`
into WORKDIR/metrics.json: per split and `mean`, zero-shot top-1 among the 3 unseen classes
(chance 33%), the generalised harmonic mean, and the seen classes' top-1 among all 10 rows.
`--config.data.table=data/tables/eurosat_hand.csv` runs it on the hand-filled table. Variants:
`:smoke`. Why: the backbone stays frozen (configs/eurosat.py trains its last stage), so its
features cannot specialise to the 7 seen classes. Results and timings: docs/habitats.md.
"""

import os

import ml_collections

from traitjax import config_lib

# Five distinct 7/3 splits: sorted(default_rng(0).choice(10, 3, replace=False)) of the classes
# in name order, drawn until five differ (the fourth draw repeated the third and was skipped):
#   import numpy as np
#   rng, splits = np.random.default_rng(0), []
#   while len(splits) < 5:
#     split = tuple(CLASSES[i] for i in sorted(rng.choice(10, 3, replace=False)))
#     splits += [split] * (split not in splits)
CLASSES = ("AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial", "Pasture",
           "PermanentCrop", "Residential", "River", "SeaLake")
HELDOUT_SPLITS = (("Pasture", "PermanentCrop", "SeaLake"),
                  ("AnnualCrop", "River", "SeaLake"),
                  ("Pasture", "River", "SeaLake"),
                  ("HerbaceousVegetation", "PermanentCrop", "Residential"),
                  ("AnnualCrop", "Industrial", "PermanentCrop"))
STEPS = 500


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  eurosat = config_lib.load_config_file(os.path.join(os.path.dirname(__file__), "eurosat.py"))
  config = eurosat.get_config(arg)
  if arg != "smoke":
    config.train.steps = STEPS
  # The backbone stays ImageNet's whole: trained on 7 classes, its last stage would learn what
  # tells those 7 apart, not what the unseen classes look like (measured: docs/habitats.md).
  config.optim.frozen = ("backbone",)
  config.optim.lr_multipliers = ()
  # Zero-shot naming is what this sweep measures: every non-test tile of the seen classes
  # trains, nothing is fitted on val, degraded or explained.
  config_lib.make_zeroshot_sweep(config, "eurosat_zeroshot", HELDOUT_SPLITS)
  if arg == "smoke":
    # Positions among the smoke config's three classes (any root): one held out per point.
    del config.data.heldout_species  # Class names above; positions here.
    config.data.heldout_species = "2:3"
    config.sweep.axes = (("data.heldout_species", ("1:2", "2:3")),)
  elif arg:
    raise ValueError(f"unknown variant {arg!r} of configs/eurosat_zeroshot.py; known: smoke")
  return config
