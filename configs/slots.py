r"""python -m traitjax.main --config=configs/slots.py --workdir=workdirs/slots

Slot-attention part discovery on synthetic flora (the data and schedule of configs/default.py):
K = 8 slots and a background slot over the stride-8 feature map of the small ResNet's first
three stages (8 x 8 at 64 px; the full network's stride 16 leaves 4 x 4), trained from species
labels alone. Part losses (a zero weight switches one off): PDiscoNet's concentration,
orthogonality, equivariance and presence, and presence in every photo. The trait head is a
probe unless `--config.model.trait_supervision=True` aligns the slots with the table's traits.
metrics.json gets `parts` (NMI, ARI and keypoint error against the keypoints) and `slot_names`
on test, and `val` with `val.parts` on the val split, on which ablations (part-loss weights,
K) are to be chosen, never on test; the mask figure: `python -m traitjax.plot_metrics
--plot=slots --workdirs=workdirs/slots --out=workdirs/slots/slots.png`. Variants:
`configs/slots.py:smoke`, and `:part_losses`, the part-loss weights this config takes, 300 steps
each: `python -m traitjax.sweep --config=configs/slots.py:part_losses --workdir=W`.
"""

import os

import ml_collections

from traitjax import config_lib


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
  if arg not in (None, "", "smoke", "part_losses"):
    raise ValueError(f"unknown variant {arg!r} of configs/slots.py; known: smoke, part_losses")
  default = config_lib.load_config_file(os.path.join(os.path.dirname(__file__), "default.py"))
  flora = default.get_config("smoke" if arg == "smoke" else None)

  config = ml_collections.ConfigDict()
  config.seed = 0
  config.data = flora.data
  config.task = "slots"
  config.model = ml_collections.ConfigDict({
      "backbone": "resnet_small", "num_stages": 3, "pretrained": "",
      "frozen_batch_norm": False, "dtype": "float32",
      "num_slots": 8, "background_slot": True, "slot_size": 64, "num_iterations": 3,
      "position_embedding": True,
      # False: the trait head is a probe on the slots (species labels alone train them).
      "trait_supervision": False, "trait_weight": 1.0})
  # The weights the `part_losses` sweep chose on val (docs/discovery.md, "What each choice
  # bought"; `tables.chosen_slot_point`): the highest val NMI among the weights whose
  # background slot still takes some val keypoints.
  config.part_losses = ml_collections.ConfigDict({
      "concentration": 1.0, "orthogonality": 1.0, "equivariance": 1.0, "presence": 1.0,
      "presence_per_photo": 2.0})
  # The second view of each photo, for the equivariance loss.
  config.second_view = ml_collections.ConfigDict({
      "flip": True, "max_rotation_degrees": 15.0, "min_zoom": 0.8})
  config.evals = ml_collections.ConfigDict()
  config.evals.test = config_lib.eval_config("classification", "test", section="")
  config.evals.parts = config_lib.eval_config("parts", "test")
  # The same on val: what an ablation (part-loss weights, K) is chosen by, so that test only
  # reports the choice.
  config.evals.val = config_lib.eval_config("classification", "val", section="val")
  config.evals.val_parts = config_lib.eval_config("parts", "val", section="val.parts")
  # A known trait names the slot that predicts it best (by AUC on val), if that reaches the
  # threshold; the AUCs reported are test's, not the best of K on test.
  config.evals.slot_names = config_lib.eval_config(
      "slot_names", "test", auc_threshold=0.75, top=3, choose_split="val")
  config.optim = flora.optim
  config.train = flora.train
  config.input = flora.input
  if arg == "part_losses":
    # PDiscoNet's four losses (presence_per_photo 0, concentration 1) and what was added to
    # them; each point also writes val and val.parts, the numbers the choice reads.
    config.train.steps = 300
    config.sweep = ml_collections.ConfigDict({
        "name": "part_losses",
        "axes": (("part_losses.presence_per_photo", (0.0, 1.0, 2.0, 4.0)),
                 ("part_losses.concentration", (1.0, 10.0))),
        "metrics": ("val.parts.nmi", "val.parts.ari", "val.parts.keypoint_error",
                    "val.parts.background_share", "val.species_top1", "parts.nmi", "parts.ari",
                    "parts.keypoint_error", "parts.background_share", "species_top1")})
  return config
