r"""python -m traitjax.main --config=configs/leafsnap_guide.py --workdir=workdirs/leafsnap_guide

Trees by their organs: a joint concept-bottleneck model on the Leafsnap field guide's photos
(150 species, each photo of one organ, ../shared/data/leafsnap_guide) through the 98 plant
traits of data/traits/leafsnap.txt, from frozen ImageNet EfficientNet-Lite0, with the table
data/tables/leafsnap_written.csv (`TABLE`); the centred-cosine species head reads species as
rows, so an untrained species is named from its row. Variants: `:smoke` (tiny, for tests); the
black box is `--config.model.mode=blackbox`.

Why: a photo is labelled only with the traits its organ can show (`data.organ_mask`), so a bark
photo does not teach the leaf shape; 128 px (`IMAGE_SIZE`) keeps CPU runs short; with about
1,340 training photos only the heads train. Split, sizes and timings: docs/plants.md.
"""

import os

import ml_collections

from traitjax import config_lib
from traitjax import paths

# The species x trait table, rows named by scientific name ("Acer rubrum"): parsed from the
# written field-botanist paragraphs, every character of the vocabulary for every species, with
#   python -m traitjax.describe --descriptions=data/descriptions/leafsnap_written.json \
#       --traits=data/traits/leafsnap.txt --out=data/tables/leafsnap_written.csv --prior=none
# data/tables/leafsnap.csv is parsed the same way from the guide's own short texts
# (species.json's `description` and `growth`; far sparser, see docs/plants.md); pass it, or
# another, with --config.data.table=.
TABLE = "data/tables/leafsnap_written.csv"
# About 7 passes over the training photos (docs/plants.md, "Why these settings").
STEPS = 300
IMAGE_SIZE = 128
# The checkout: the table, the vocabulary and the organ map are found wherever the command runs
# from.
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()
  config.seed = 0

  config.data = ml_collections.ConfigDict()
  config.data.name = "leafsnap_guide"
  config.data.root = paths.shared_path("data", "leafsnap_guide")
  config.data.test_root = ""
  config.data.table = os.path.join(REPO, TABLE)
  config.data.traits = os.path.join(REPO, "data", "traits", "leafsnap.txt")
  config.data.organs = os.path.join(REPO, "data", "traits", "leafsnap_organs.json")
  # A photo's trait labels leave out what its organ cannot show.
  config.data.organ_mask = True
  config.data.image_size = IMAGE_SIZE
  # Scientific names, or positions "A:B" among them; empty: all 150.
  config.data.species = ()
  # Scientific names with no training photos (zero-shot).
  config.data.heldout_species = ()
  config.data.test_fraction = 0.2
  # A tenth of each species' non-test photos of each organ is the val split the trust is
  # fitted on.
  config.data.val_fraction = 0.1
  config.data.seed = 0

  config.task = "concepts"
  config.model = config_lib.model_config(
      "efficientnet_lite0", mode="joint",
      pretrained=paths.shared_path("weights", "efficientnet_lite0_imagenet.safetensors"))
  config.model.species_head = "cosine"
  config.model.trait_weight = 5.0  # As configs/eurosat.py.
  config.model.frozen_batch_norm = True
  config.optim = config_lib.optim_config(learning_rate=3e-3)
  config.optim.frozen = ("backbone",)  # The whole backbone keeps ImageNet's weights.
  config.optim.warmup_steps = 20
  config.train = config_lib.train_config(steps=STEPS)
  config.train.log_every = 20
  config.train.checkpoint_every = 200
  config.input = config_lib.input_config(batch_size=32)
  config.preview = config_lib.preview_config(num_images=16)
  config.trust = config_lib.trust_config(fit_split="val")
  config.evals = ml_collections.ConfigDict()
  # The test split's report is the top level of metrics.json; its by_organ scores the photos of
  # each organ apart (trait AUCs over the traits that organ can show), and
  # species_top1_organ_gated has the species head read only those traits.
  config.evals.test = config_lib.eval_config("classification", "test", section="")
  # A tree named from 1 to 3 photos at once, of organs as different as its test photos allow,
  # every count on the same species: those with at least 3 test photos (about 69 of 150; a
  # species has 2 or 3 test photos, and only about 7 have 4, too few to compare on). Their
  # trait evidence pooled per trait (the CBM) or their species probabilities averaged (the CBM
  # and the black box), each with and without organ gating where the species head reads traits.
  config.evals.multi_photo = config_lib.eval_config(
      "multi_photo", "test", counts=(1, 2, 3), queries_per_species=20)
  # Test-time intervention against the oracle: each photo's own species row (as far as the
  # organ shows it), i.e. its label (98 = every trait; the guide has no per-photo truth).
  config.evals.intervention = config_lib.eval_config(
      "intervention", "test", ks=(0, 4, 16, 98), truth="species_row")
  # Trust, fitted on val: calibration, scores of trust and decisions with a reason, conformal
  # species sets; explanations measured by deletion and simulatability (no keypoints, so no
  # pointing game); blurred, darkened and partly out-of-view photos at three strengths on every
  # second test photo (187), under the trust fitted on clean val photos.
  config_lib.add_trust_evals(config.evals, "test", degraded_examples=187)

  if arg == "smoke":
    config_lib.shrink_folder_config(config)
  elif arg:
    raise ValueError(f"unknown variant {arg!r} of configs/leafsnap_guide.py; known: smoke")
  return config
