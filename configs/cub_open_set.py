r"""python -m traitjax.main --config=configs/cub_open_set.py --workdir=workdirs/cub_open_set

The open set on cub25: configs/cub.py with the centred-cosine species head trained on 5 species
(the first five), 5 more added from their attribute rows alone and 5 in neither set (their rows
withheld), species 1-15. Every test photo of the trained species and every photo of the other
ten is named among the 10 known rows by each open-world route (`traitjax.open_world`, fitted on
the trained species' val photos); metrics.json's `open_world` reports, per route, how often
photos of the species in neither set are declined, how often photos of known species are, and
the AUROC of the decline score. Variants: `:smoke`.
"""

import os

import ml_collections

from traitjax import config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  cub = config_lib.load_config_file(os.path.join(os.path.dirname(__file__), "cub.py"))
  config = cub.get_config(arg)
  config.model.species_head = "cosine"
  del config.data.species, config.data.heldout_species  # Class ids in configs/cub.py.
  config.data.species = "0:15"
  config.data.heldout_species = "5:15"  # Positions among data.species.
  # Open-set naming is what this run measures: no other trust evaluator, no intervention.
  for name in (config_lib.TRUST_EVALUATORS + config_lib.EXPLANATION_EVALUATORS
               + ("intervention",)):
    del config.evals[name]
  config_lib.add_open_world_eval(config, unknown_species="10:15")
  if arg == "smoke":
    config.data.species = "0:6"
    config.data.heldout_species = "2:6"
    config.evals.open_world.unknown_species = "4:6"
  return config
