r"""python -m traitjax.main --config=configs/default.py --workdir=workdirs/default

A joint concept-bottleneck model (small ResNet) on synthetic flora at 64 px: 200 species (40
held out for zero-shot), a 100x long tail, 30% of photos degraded. Preview the data with
`python -m traitjax.preview --config=configs/default.py --out=DIR`.
Variants: `configs/default.py:smoke` (tiny and fast, for tests).
"""

import ml_collections

from traitjax import config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()
  config.seed = 0

  config.data = ml_collections.ConfigDict()
  config.data.name = "synthetic_flora"
  config.data.seed = 0
  config.data.image_size = 64
  config.data.num_species = 200
  config.data.zeroshot_fraction = 0.2
  config.data.max_train_per_species = 300
  config.data.imbalance = 100.0
  config.data.val_per_species = 5
  config.data.test_per_species = 10
  config.data.zeroshot_per_species = 10
  config.data.difficulty = 0.5
  config.data.variable_group_fraction = 0.3
  config.data.degraded_fraction = 0.3
  config.data.false_positive = 0.0
  config.data.false_negative = 0.0
  config.data.missing = 0.0
  config.data.graded_table = False  # True: table cells are trait frequencies, not yes/no

  config.task = "concepts"
  config.model = config_lib.model_config("resnet_small", mode="joint")
  # Species-level trait labels are weak per photo; a heavier trait loss (Koh et al.'s lambda)
  # makes the bottleneck learn them (measured: docs/training.md, "Why these settings").
  config.model.trait_weight = 5.0
  config.optim = config_lib.optim_config(learning_rate=3e-3)
  config.train = config_lib.train_config(steps=1200)
  config.input = config_lib.input_config(batch_size=64)
  config.preview = config_lib.preview_config(num_images=24)
  config.trust = config_lib.trust_config(fit_split="val")
  config.evals = ml_collections.ConfigDict()
  # The test split's report is the top level of metrics.json.
  config.evals.test = config_lib.eval_config("classification", "test", section="")
  # Test-time intervention: species top-1 with the k most uncertain traits of each photo set
  # to the photo's own visible truth, not its species' row (the oracle; 42 = every trait).
  config.evals.intervention = config_lib.eval_config(
      "intervention", "test", ks=(0, 1, 2, 4, 8, 16, 42), truth="traits_visible")
  # Trust in the predictions, fitted on config.trust.fit_split: calibration (temperature and
  # per-trait scaling), selective prediction (scores of trust, decisions with a reason; seen vs
  # zero-shot species) and conformal species sets (randomised APS, 1 - alpha coverage).
  config.evals.calibration = config_lib.eval_config("calibration", "test")
  config.evals.selective = config_lib.eval_config("selective", "test", unseen_split="zeroshot")
  config.evals.conformal = config_lib.eval_config("conformal", "test")
  # Explanations as measured claims: removing the traits each photo's explanation cites
  # (deletion), where their evidence maps point (pointing game against the keypoints) and
  # whether a reader of the cited traits picks the same species (simulatability).
  config.evals.explanations = config_lib.eval_config("explanations", "test", num_cited=3)
  # No `degradation` evaluator: 30% of these photos come degraded (data.degraded_fraction), and
  # the test and selective reports break them down `by_degradation`; degrading them again would
  # stack two degradations. It is for real photos (configs/cub.py).

  if arg == "smoke":
    config.data.num_species = 20
    config.data.max_train_per_species = 40
    config.data.imbalance = 10.0
    config.data.val_per_species = 2
    config.data.test_per_species = 3
    config.data.zeroshot_per_species = 3
    config.input.batch_size = 8
    config.input.num_workers = 0
    config.preview.num_images = 8
    config.train.steps = 6
    config.train.log_every = 2
    config.train.checkpoint_every = 3
    config.optim.warmup_steps = 2
  elif arg:
    raise ValueError(f"unknown variant {arg!r} of configs/default.py; known: smoke")
  return config
