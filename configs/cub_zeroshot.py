r"""python -m traitjax.main --mode=eval --config=configs/cub_zeroshot.py --config.data.root=OTHER --workdir=W

Zero-shot CUB: evaluates the checkpoint in W, trained with the centred-cosine species head
(`python -m traitjax.main --config=configs/cub.py --config.model.species_head=cosine
--workdir=W`), on every photo of another CUB root whose species were never trained. Species are
predicted among that root's species from their attribute rows; metrics.json gets `zeroshot`
(unseen_top1 and, where the root also holds trained species, seen_top1 and harmonic_mean).
Variants: `:smoke`.
"""

import os

import ml_collections

from traitjax import config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  cub = config_lib.load_config_file(os.path.join(os.path.dirname(__file__), "cub.py"))
  config = cub.get_config(arg)
  config.model.species_head = "cosine"
  del config.data.heldout_species  # A field of class ids in configs/cub.py; here a word.
  config.data.heldout_species = "all"  # Every species under data.root is unseen.
  if arg != "smoke":
    config.data.species = ()
  # Its fit split, val, has no photo when every species is unseen: no trust evaluators.
  config.trust.fit_split = ""
  for name in ("calibration", "selective", "conformal", "degradation"):
    del config.evals[name]
  for evaluator in config.evals.values():
    evaluator.split = "zeroshot"
  config.evals.zeroshot = config_lib.eval_config("zeroshot", "zeroshot")
  if arg == "smoke":
    config.data.species = "4:7"  # Species configs/cub.py:smoke never trains.
  return config
