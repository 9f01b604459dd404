r"""python -m traitjax.main --config=configs/eurosat.py --workdir=workdirs/eurosat

Habitats from space: a joint concept-bottleneck model on EuroSAT RGB (Sentinel-2 tiles, 64 x 64
px at 10 m, ../shared/data/eurosat) through the 58 landscape characteristics of
data/traits/eurosat.txt, from ImageNet EfficientNet-Lite0, with the class table parsed from the
class descriptions (`TABLE`). The centred-cosine species head reads classes as table rows, so an
untrained class is named from its row (configs/eurosat_zeroshot.py). Variants: `:smoke` (tiny,
for tests); the black box is `--config.model.mode=blackbox`.

Why: a seeded split stratified by class (EuroSAT has no official one); 128 px gives 4 x 4
evidence maps at about a quarter of 224 px's cost; the last stage and head conv train
(`FROZEN_BACKBONE`) because frozen features cap a linear read-out below the aim. Measured:
docs/habitats.md.
"""

import os

import ml_collections

from traitjax import config_lib
from traitjax import paths

# The class x characteristic table, as parsed from the descriptions by
#   python -m traitjax.describe --descriptions=data/descriptions/eurosat.json \
#       --traits=data/traits/eurosat.txt --out=data/tables/eurosat.csv
# Rerun that command to regenerate the file after a change to the parser (traitjax.language);
# how it scores against the hand-filled table, and cells it gets wrong: docs/habitats.md.
TABLE = "data/tables/eurosat.csv"
# 5.6 passes over the training tiles (timings: docs/habitats.md, "Why these settings").
STEPS = 1500
# The backbone's frozen modules (EfficientNet-Lite0's stem and stages; stage7 and head train).
FROZEN_BACKBONE = ("stem", "stage1", "stage2", "stage3", "stage4", "stage5", "stage6")
# The checkout: the table and the vocabulary are found wherever the command runs from.
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()
  config.seed = 0

  config.data = ml_collections.ConfigDict()
  config.data.name = "eurosat"
  config.data.root = paths.shared_path("data", "eurosat")
  config.data.test_root = ""
  config.data.table = os.path.join(REPO, TABLE)
  config.data.traits = os.path.join(REPO, "data", "traits", "eurosat.txt")
  config.data.image_size = 128
  # Class names (folder names), or positions "A:B" among them; empty: all ten.
  config.data.species = ()
  # Class names with no training tiles (zero-shot): configs/eurosat_zeroshot.py.
  config.data.heldout_species = ()
  config.data.test_fraction = 0.2
  # A tenth of each class's non-test tiles (96 of 960) is the val split the trust is fitted on:
  # one temperature, a threshold and a conformal quantile need no more than these 960 tiles.
  config.data.val_fraction = 0.1
  config.data.seed = 0

  config.task = "concepts"
  config.model = config_lib.model_config(
      "efficientnet_lite0", mode="joint",
      pretrained=paths.shared_path("weights", "efficientnet_lite0_imagenet.safetensors"))
  config.model.species_head = "cosine"
  # How explanations name the characteristics ("dense buildings", "no water").
  config.model.trait_phrases = os.path.join(REPO, "data", "traits", "eurosat_phrases.json")
  config.model.trait_weight = 5.0
  config.model.frozen_batch_norm = True
  config.optim = config_lib.optim_config(learning_rate=3e-3)
  # The last MBConv stage and the 1x1 head conv adapt to tiles (at a tenth of the heads' rate);
  # the stem and the first six stages stay as on ImageNet.
  config.optim.frozen = tuple(f"backbone/{name}" for name in FROZEN_BACKBONE)
  config.optim.lr_multipliers = (("backbone", 0.1),)
  config.optim.warmup_steps = 20
  config.train = config_lib.train_config(steps=STEPS)
  config.train.log_every = 20
  config.train.checkpoint_every = 200
  config.input = config_lib.input_config(batch_size=32)
  config.preview = config_lib.preview_config(num_images=16)
  config.trust = config_lib.trust_config(fit_split="val")
  config.evals = ml_collections.ConfigDict()
  # The test split's report is the top level of metrics.json.
  config.evals.test = config_lib.eval_config("classification", "test", section="")
  # Test-time intervention against the oracle: each tile's own class row, i.e. its label (58 =
  # every trait; EuroSAT has no per-tile truth), so the top-1 at k = 58 is leakage, not skill.
  config.evals.intervention = config_lib.eval_config(
      "intervention", "test", ks=(0, 4, 16, 58), truth="species_row")
  # Trust, fitted on val: calibration, scores of trust and decisions with a reason, conformal
  # class sets; explanations measured by deletion and simulatability (no keypoints, so no
  # pointing game); blurred, darkened and partly out-of-view tiles at three strengths on every
  # fifth test tile (480), under the trust fitted on clean val tiles.
  config_lib.add_trust_evals(config.evals, "test", degraded_examples=480)

  if arg == "smoke":
    config_lib.shrink_folder_config(config)
  elif arg:
    raise ValueError(f"unknown variant {arg!r} of configs/eurosat.py; known: smoke")
  return config
