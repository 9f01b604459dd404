r"""python -m traitjax.main --config=configs/cub.py --config.data.root=../shared/data/cub25 --workdir=workdirs/cub

A joint concept-bottleneck model on CUB-200-2011 (official layout, official train/test split) at 224
px from ImageNet EfficientNet-Lite0; species-level traits from the continuous attribute table.
`data.root` is the extracted tarball folder. Variants: `configs/cub.py:smoke` (tiny, for tests),
`configs/cub.py:unseen` (species 21-25 held out, their photos scored by the trust) and `:seeds` (a
sweep over three seeds); the black box is `--config.model.mode=blackbox`, the whole photo
`--config.data.crop_to_bbox=False`.

Why: the photo is cropped to the annotated bird box (CUB ships one for every photo, test photos
included); the backbone stays frozen, batch norm included, and only the heads train, since on a
few hundred photos fine-tuning lowered test accuracy (docs/training.md, "CUB").
"""

import ml_collections

from traitjax import config_lib
from traitjax import paths


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()
  config.seed = 0

  config.data = ml_collections.ConfigDict()
  config.data.name = "cub"
  config.data.root = paths.shared_path("data", "cub25")
  config.data.image_size = 224
  config.data.crop_to_bbox = True
  config.data.bbox_margin = 0.1
  # Official class ids, or positions "A:B" among the species under root; empty: all of them.
  config.data.species = ()
  # Class ids with no training images (zero-shot), or positions "A:B" among data.species.
  config.data.heldout_species = ()
  config.data.trait_threshold = ml_collections.config_dict.placeholder(float)
  # A fifth of each species' training photos (6 of 30 on cub25, 150 in all) is the val split the
  # trust evaluators fit on, the share Koh et al. (2020) hold out of CUB's training set; one
  # temperature and one threshold need no more, and the heads train on the other 600.
  config.data.val_fraction = 0.2
  config.data.seed = 0
  # A table (CSV) whose rows become the trait labels of the train and val photos instead of the
  # attribute table's, e.g. parsed from descriptions by traitjax.describe ("" = the attribute
  # table); test photos are still scored against the attribute table.
  config.data.label_table = ""

  config.task = "concepts"
  config.model = config_lib.model_config(
      "efficientnet_lite0", mode="joint",
      pretrained=paths.shared_path("weights", "efficientnet_lite0_imagenet.safetensors"))
  config.model.trait_weight = 5.0
  config.model.frozen_batch_norm = True
  config.optim = config_lib.optim_config(learning_rate=3e-3)
  config.optim.frozen = ("backbone",)
  config.optim.warmup_steps = 20
  config.train = config_lib.train_config(steps=600)
  config.train.log_every = 20
  config.train.checkpoint_every = 100
  config.input = config_lib.input_config(batch_size=32)
  config.preview = config_lib.preview_config(num_images=16)
  config.trust = config_lib.trust_config(fit_split="val")
  config.evals = ml_collections.ConfigDict()
  # The test split's report is the top level of metrics.json.
  config.evals.test = config_lib.eval_config("classification", "test", section="")
  # Test-time intervention against the oracle: each photo's own species row, i.e. its label
  # (312 = every trait; this CUB layout has no per-photo truth).
  config.evals.intervention = config_lib.eval_config(
      "intervention", "test", ks=(0, 4, 16, 64, 312), truth="species_row")
  # Trust, fitted on val (config.trust): calibration, scores of trust and decisions with a
  # reason (seen vs unseen species where some are held out: configs/cub.py:unseen), conformal
  # species sets; explanations measured (deletion, pointing game against the keypoints); the
  # test photos blurred, darkened and partly out of view at three strengths (nine more passes
  # over every second test photo, 326 on cub25), with the trust fitted on clean val photos.
  config_lib.add_trust_evals(config.evals, "test", degraded_examples=326)
  # Faithfulness in the image: each cited trait's part hidden against a square elsewhere, on
  # every second test photo (up to three cited traits each: about 2,000 more photos to read).
  config.evals.occlusion = config_lib.eval_config("occlusion", "test", max_examples=326)

  if arg == "smoke":
    config.data.image_size = 64
    # The first four species of any root, the fourth never trained.
    del config.data.species, config.data.heldout_species  # Class ids above; positions here.
    config.data.species = "0:4"
    config.data.heldout_species = "3:4"
    config.input.batch_size = 8
    config.input.num_workers = 0
    config.preview.num_images = 8
    config.evals.degradation.strengths = (0.5,)
    config.evals.occlusion.max_examples = 8
    config.train.steps = 4
    config.train.log_every = 2
    config.train.checkpoint_every = 2
    config.optim.warmup_steps = 1
  elif arg == "unseen":
    # Species 21-25 of cub25 never trained: do the scores of trust rank their photos (the
    # zeroshot split) below test photos of the 20 trained species?
    del config.data.heldout_species  # Class ids above; positions here.
    config.data.heldout_species = "20:25"
    config.evals.selective.unseen_split = "zeroshot"
  elif arg == "seeds":
    # The same run with three seeds (initialisation, shuffling, the views read):
    # `python -m traitjax.sweep --config=configs/cub.py:seeds` reports each metric's mean and
    # its 95% interval over them.
    config.sweep = ml_collections.ConfigDict({
        "name": "cub_seeds", "axes": (("seed", (0, 1, 2)),),
        "metrics": ("species_top1", "species_top5", "trait_auc_table", "calibration.ece_before",
                    "calibration.ece_after", "conformal.coverage", "conformal.mean_set_size",
                    "explanations.pointing_game")})
  elif arg:
    raise ValueError(f"unknown variant {arg!r} of configs/cub.py; known: smoke, unseen, seeds")
  return config
