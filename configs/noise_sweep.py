r"""python -m traitjax.sweep --config=configs/noise_sweep.py --workdir=workdirs/noise_sweep

Trait-label noise x trait loss on synthetic flora: the joint CBM of configs/default.py trained
on species-level tables whose cells are flipped at 0, 10, 20 and 30% (false positives and false
negatives alike) with 20% of the cells missing, under BCE, generalized cross-entropy, soft
bootstrapping and the trait-group noise model (`losses.trait_group_noise_likelihood`). Writes
`noise_sweep` (trait AUC against per-photo visible truth, species top-1) into
WORKDIR/metrics.json and WORKDIR/noise_sweep.png. Variants: `:smoke`; `:seeds`, the cells
docs/reasoning.md compares (BCE and the noise model at 30% flips) again with seeds 1 and 2, the
same noisy table (`data.seed`) trained from other initialisations and batch orders, so that with
the full sweep's seed 0 each of those numbers rests on three runs.
"""

import os

import ml_collections

from traitjax import config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  default = config_lib.load_config_file(os.path.join(os.path.dirname(__file__), "default.py"))
  config = default.get_config("smoke" if arg == "smoke" else None)
  config.data.missing = 0.2
  # The sweep measures the trait detector under label noise: no trust or explanation evaluators.
  for name in ("calibration", "selective", "conformal", "explanations"):
    del config.evals[name]
  config.sweep = ml_collections.ConfigDict()
  config.sweep.name = "noise_sweep"
  config.sweep.axes = (("data.false_positive,data.false_negative", (0.0, 0.1, 0.2, 0.3)),
                       ("model.trait_loss.name", ("bce", "gce", "bootstrap", "group_noise")))
  config.sweep.metrics = ("trait_auc_visible", "trait_auc_table", "species_top1")
  if arg == "smoke":
    config.sweep.axes = (("data.false_positive,data.false_negative", (0.0, 0.3)),
                         ("model.trait_loss.name", ("bce", "group_noise")))
  elif arg == "seeds":
    config.sweep.axes = (("data.false_positive,data.false_negative", (0.3,)),
                         ("model.trait_loss.name", ("bce", "group_noise")),
                         ("seed", (1, 2)))
  elif arg:
    raise ValueError(f"unknown variant {arg!r} of configs/noise_sweep.py; known: smoke, seeds")
  return config
