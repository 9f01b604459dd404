r"""python -m traitjax.main --config=configs/trait_to_species.py --workdir=workdirs/trait_to_species

configs/default.py with trait-to-species inference as the species head: species are rows of the
(noisy) species x trait table, read through learned per-trait reliabilities, so the 40 species
never trained are predicted from their rows alone. Evaluates the test split and, as
`test+zeroshot` in metrics.json, the seen test photos with the zero-shot photos: its `zeroshot`
section has zero-shot top-1 among the unseen species, generalized zero-shot top-1 among all 200,
and their harmonic mean with the seen top-1, and `few_shot`: the same after each unseen
species' row is refined by 1 or 5 of its photos. Variants: `:smoke`.
"""

import os

import ml_collections

from traitjax import config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  default = config_lib.load_config_file(os.path.join(os.path.dirname(__file__), "default.py"))
  config = default.get_config(arg)
  config.model.species_head = "table"
  # The seen test photos with the zero-shot photos, as `test+zeroshot` in metrics.json.
  config.evals.seen_and_unseen = config_lib.eval_config(
      "classification", "test+zeroshot", section="test+zeroshot")
  config.evals.zeroshot = config_lib.eval_config(
      "zeroshot", "test+zeroshot", section="test+zeroshot.zeroshot")
  config_lib.add_open_world_eval(config)
  config.evals.few_shot = config_lib.eval_config(
      "few_shot", "test+zeroshot", shots=(1, 5), prior_strength=2.0,
      section="test+zeroshot.zeroshot.few_shot")
  return config
