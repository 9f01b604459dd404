r"""python -m traitjax.main --mode=eval --config=configs/leafsnap_guide_new_species.py --config.data.root=DIR --config.data.table=ROWS.csv --workdir=W

New trees: evaluates the checkpoint in W, trained with configs/leafsnap_guide.py (its
centred-cosine species head reads species rows), on every photo of another folder in the
guide's layout (`images.csv`: path, species, organ) whose species were never trained. Each
photo is named among that folder's species from their rows in ROWS.csv (parsed from their
descriptions by `python -m traitjax.describe --traits=data/traits/leafsnap.txt`); a species
the training table lacks is simply a row of ROWS.csv. metrics.json (W/eval/
leafsnap_guide_new_species/) gets the test report of those photos, by organ, and `zeroshot`
(unseen_top1). Variants: `:smoke`.
"""

import os

import ml_collections

from traitjax import config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  guide = config_lib.load_config_file(os.path.join(os.path.dirname(__file__),
                                                   "leafsnap_guide.py"))
  config = guide.get_config(arg)
  del config.data.heldout_species  # Names in configs/leafsnap_guide.py; here a word.
  config.data.heldout_species = "all"  # Every species under data.root is unseen.
  del config.data.species  # Names or positions in the base config; all of them here.
  config.data.species = ()
  # Its fit split, val, has no photo when every species is unseen: no trust evaluators.
  config.trust.fit_split = ""
  for name in config_lib.TRUST_EVALUATORS:
    del config.evals[name]
  for evaluator in config.evals.values():
    evaluator.split = "zeroshot"
  config.evals.zeroshot = config_lib.eval_config("zeroshot", "zeroshot")
  return config
