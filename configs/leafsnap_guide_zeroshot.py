r"""python -m traitjax.sweep --config=configs/leafsnap_guide_zeroshot.py --workdir=workdirs/leafsnap_guide_zeroshot

Zero-shot trees: configs/leafsnap_guide.py (centred-cosine species head over the 98 plant
traits, organ-masked labels) trained on 130 of the 150 species and asked to name every photo of
the other 20 (`data.heldout_species`; the `zeroshot` split) from their rows of the species x
trait table alone, the rows parsed from the species' descriptions (the config's table,
data/tables/leafsnap_written.csv, from the written paragraphs). Five random 130/20 splits
(`heldout_splits`), each trained in its own workdir. Writes `leafsnap_guide_zeroshot` into
WORKDIR/metrics.json: per split and averaged (`mean`), zero-shot top-1 among the 20 unseen
species (chance 5%), the generalised harmonic mean and top-1 on the 130 seen species' test
photos among all 150 rows. `--config.data.table=data/tables/leafsnap.csv` runs the same sweep,
on the same splits, on the table parsed from the guide's own texts. Variants: `:smoke`.
"""

import csv
import os

import ml_collections
import numpy as np

from traitjax import config_lib

_CONFIGS = os.path.dirname(os.path.abspath(__file__))


def heldout_splits(table: str, num_splits: int = 5, num_heldout: int = 20,
                   seed: int = 0) -> tuple[tuple[str, ...], ...]:
  """`num_splits` distinct random draws of `num_heldout` species (sorted names) from the rows of
  the table CSV, by numpy's default_rng(`seed`)."""
  with open(table, newline="") as f:
    species = sorted(row[0] for row in list(csv.reader(f))[1:])
  rng, splits = np.random.default_rng(seed), []
  while len(splits) < num_splits:
    split = tuple(sorted(rng.choice(species, num_heldout, replace=False).tolist()))
    splits += [split] * (split not in splits)
  return tuple(splits)


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  leafsnap = config_lib.load_config_file(os.path.join(_CONFIGS, "leafsnap_guide.py"))
  config = leafsnap.get_config(arg)
  # Drawn from the default table's 150 species: every table's sweep holds out the same ones.
  splits = heldout_splits(config.data.table)
  config_lib.make_zeroshot_sweep(config, "leafsnap_guide_zeroshot", splits)
  del config.evals.multi_photo  # Naming the unseen is what this sweep measures.
  if arg == "smoke":
    # Positions among the smoke config's three species (any root): one held out per point.
    del config.data.heldout_species  # Species names above; positions here.
    config.data.heldout_species = "2:3"
    config.sweep.axes = (("data.heldout_species", ("1:2", "2:3")),)
  elif arg:
    raise ValueError(f"unknown variant {arg!r} of configs/leafsnap_guide_zeroshot.py; "
                     "known: smoke")
  return config
