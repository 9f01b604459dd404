r"""python -m traitjax.main --config=configs/eurosat.py --workdir=workdirs/eurosat

Habitats from space: a joint concept-bottleneck model on EuroSAT RGB (Sentinel-2 tiles, 64 x 64
px at 10 m, ../shared/data/eurosat) through the 58 landscape characteristics of
data/traits/eurosat.txt, from ImageNet EfficientNet-Lite0. The class x characteristic table is
data/tables/eurosat.csv, parsed from the class descriptions (see `TABLE`). The species head is
the centred cosine (`species.CenteredCosine`): classes are rows of the table, not trained
weights, so a class never trained is named from its row (configs/eurosat_zeroshot.py). The
black box is one override away: `--config.model.mode=blackbox` (its species head reads the
features). Variants: `configs/eurosat.py:smoke` (tiny, for tests).

Split: EuroSAT has no official one. A seeded, stratified split of the tiles under data.root
(`traitjax.data.eurosat`): per class 20% test (240 tiles), of the rest 10% val (96), on which
the trust is fitted, and the other 864 train.

Image size 128: the tiles are 64 px; upsampled to 128 px, roofs, fields and roads span twice as
many pixels for ImageNet EfficientNet-Lite0's filters, and its feature map is 4 x 4 instead of
2 x 2, so an evidence map can point at a quarter of the tile. On a small sample the frozen
features did not separate the classes much better at larger sizes (`benchmarks/eurosat_probe.py
--max_tiles_per_class=50 --image_sizes=64,128,224 --steps=0`: logistic probe, 50 train and 50
test tiles a class, best L2: 87.0%, 87.4% and 87.8% test top-1, within the noise of 500 test
tiles), while a frozen-backbone train step of 32 costs more with every pixel (same benchmark
with `--steps=20`, input pipeline included, 2 CPU cores shared with other jobs: 11.1, 3.7 and
1.1 steps/s). 128 px buys the 4 x 4 evidence maps and a margin of scale at a third of 224 px's
cost.

What trains: the trait and species heads, and the backbone's last MBConv stage and its 1x1 head
conv at a tenth of the heads' learning rate (`FROZEN_BACKBONE`); the stem, the first six stages
and every batch-norm statistic keep ImageNet's values. Frozen whole, the backbone's pooled
features cap a linear read-out below the 95% this config aims at: the logistic probe on all
8,640 train tiles scores 93.6% on the 2,400 test tiles at 128 px (92.4% at 64 px) with its best
L2 chosen on test (`benchmarks/eurosat_probe.py --steps=0 --image_sizes=64,128`). Opening the
last stage costs little: the train step of 32 on one in-memory batch
(`step_timing.train_step_rates`, as the probe benchmark's `--steps` runs it, with
`--config.optim.frozen` set for each; 2 CPU cores) runs at 135 tiles/s with the backbone
frozen, 117 with stage7 and the head conv training, and 58 with stages 5-7 as well.

Length (`STEPS`): 1,500 steps of 32 (48k tiles, 5.6 passes over the 8,640 training tiles) took
612 s of training at about 3 steps/s on 2 CPU cores. The evaluation reads about 7,700 tiles
(test, val for the trust, the 9 degraded passes) in about 2.5 minutes more: about 13 minutes in
all.
"""

import os

import ml_collections

from traitjax import config_lib

# The class x characteristic table, as parsed from the descriptions by
#   python -m traitjax.describe --descriptions=data/descriptions/eurosat.json \
#       --traits=data/traits/eurosat.txt --out=data/tables/eurosat.csv
# Rerun that command to regenerate the file after a change to the parser (traitjax.language);
# `--reference=data/tables/eurosat_hand.csv` scores it against the table filled by hand from
# the same descriptions (macro AUC over classes 0.966). Read by eye, some parsed cells are wrong:
# e.g. AnnualCrop's "no vegetation" at 0.45 (from "no tree rows, no woodland"), Highway's
# dominant "pavement" at 0.80 ("paved surface covers only a small share").
TABLE = "data/tables/eurosat.csv"
# About 10 minutes of training on 2 CPU cores (see the docstring).
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
  config.data.root = config_lib.shared_path("data", "eurosat")
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
      pretrained=config_lib.shared_path("weights", "efficientnet_lite0_imagenet.safetensors"))
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
  # Test-time intervention with the classes' table rows as the truth (58 = every trait).
  config.evals.intervention = config_lib.eval_config(
      "intervention", "test", ks=(0, 4, 16, 58), truth="traits")
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
