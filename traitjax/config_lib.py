"""Config blocks shared by the files in configs/ (each file stays one experiment), and the
checks every config passes before a run starts (`check`)."""

import hashlib
import importlib.util
import json
import os
import types

import jax
import ml_collections

from traitjax import paths
from traitjax.data import sources

# Model fields that name a file or folder, and when they are read ("" = not set); the data
# block's are the dataset's (`sources.path_fields`).
MODEL_PATH_FIELDS = {
    "model.pretrained": lambda config: True,
    "model.text_encoder": lambda config: config.model.get("trait_head") == "phrases",
    "model.trait_phrases": lambda config: True,
    "model.species_rows": lambda config: True,
}


def load_config_file(path: str | os.PathLike) -> types.ModuleType:
  """A config file as a module (what `--config=path` loads), wherever the caller runs from."""
  path = os.fspath(path)
  if not os.path.isfile(path):
    raise FileNotFoundError(f"config file not found: {path}")
  name = os.path.splitext(os.path.basename(path))[0]
  spec = importlib.util.spec_from_file_location(f"traitjax_config_{name}", path)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


def _get(config, field: str):
  node = config
  for key in field.split("."):
    if not isinstance(node, (ml_collections.ConfigDict, dict)) or key not in node:
      return None
    node = node[key]
  return node


def check(config: ml_collections.ConfigDict, training: bool = True) -> None:
  """Raises ValueError (FileNotFoundError for a path) naming the first field of `config` that
  no run can use: a non-positive length, period or batch size, a batch size the devices cannot
  split, a fraction outside [0, 1], a path that does not exist."""
  positive = ["input.batch_size"] + (
      ["train.steps", "train.log_every", "train.checkpoint_every",
       "train.max_checkpoints_to_keep"] if training else [])
  for field in positive:
    value = _get(config, field)
    if value is not None and value <= 0:
      raise ValueError(f"{field} must be positive, got {value}")
  for field in ("input.num_workers", "train.profile_start_step", "train.profile_num_steps"):
    value = _get(config, field)
    if value is not None and value < 0:
      raise ValueError(f"{field} must be >= 0, got {value}")
  devices = jax.device_count()
  if config.input.batch_size % devices:
    raise ValueError(f"input.batch_size ({config.input.batch_size}) must be divisible by the "
                     f"{devices} devices")
  fractions = [f"data.{key}" for key in config.data if key.endswith("_fraction")] + [
      "data.false_positive", "data.false_negative", "data.missing", "data.difficulty",
      "model.heldout_trait_fraction"]
  for field in fractions:
    value = _get(config, field)
    if value is not None and not 0 <= value <= 1:
      raise ValueError(f"{field} must lie in [0, 1], got {value}")
  read = dict(MODEL_PATH_FIELDS)
  if "data" in config:
    read.update({f"data.{field}": lambda config: True
                 for field in sources.path_fields(config.data)})
  for field, used in read.items():
    path = _get(config, field)
    if path and used(config) and not os.path.exists(path):
      raise FileNotFoundError(
          f"{field} not found: {os.path.abspath(path)} (set --config.{field}=, or "
          f"{paths.SHARED_ENVIRONMENT_VARIABLE} for the shared folder)")


def fingerprint(config: ml_collections.ConfigDict) -> str:
  """A short hash of the whole resolved config (16 hex digits of its sha256): equal for equal
  configs whatever order their keys were set in, different when any field differs. Values JSON
  cannot hold count by their str()."""
  text = json.dumps(config.to_dict(), sort_keys=True, default=str)
  return hashlib.sha256(text.encode()).hexdigest()[:16]


def input_config(batch_size: int, num_workers: int = 2) -> ml_collections.ConfigDict:
  """The grain pipeline: global batch size, worker processes, threads, prefetch, augmentation;
  and the feature cache of a frozen backbone (`traitjax.feature_cache`): its folder (relative:
  beside the workdir; "" = off) and the augmented views of each training photo it keeps."""
  return ml_collections.ConfigDict({
      "batch_size": batch_size, "num_workers": num_workers, "num_threads": 1, "prefetch": 4,
      "augmentation": True, "feature_cache": "feature_cache", "cached_views": 4})


def preview_config(num_images: int) -> ml_collections.ConfigDict:
  """What `python -m traitjax.preview` shows."""
  return ml_collections.ConfigDict({"split": "train", "num_images": num_images})


def model_config(backbone: str, mode: str = "joint",
                 pretrained: str = "") -> ml_collections.ConfigDict:
  """The concept-bottleneck model: backbone (and its pretrained safetensors file, "" for
  random init), CBM mode, species head (`cbm.SPECIES_HEADS`; a table head reads the
  source's trait table, with the rows of the species named in the CSV `species_rows`, e.g.
  parsed from descriptions, replaced), trait head (`cbm.TRAIT_HEADS`; `phrases` reads
  the embeddings of the trait phrases, automatic or from the file `trait_phrases`, by the
  sentence encoder in the folder `text_encoder`), the fraction of traits whose labels never
  train (`heldout_trait_fraction`), trait loss (`losses.TRAIT_LOSSES`: name, `q` of gce,
  `beta` of bootstrap, the assumed flip rates of group_noise) and its weight, whether the
  backbone's batch norm keeps its running statistics in training (`frozen_batch_norm`),
  compute dtype."""
  return ml_collections.ConfigDict({
      "backbone": backbone, "pretrained": pretrained, "mode": mode, "species_head": "linear",
      "trait_weight": 1.0, "species_rows": "",
      "trait_head": "linear", "text_encoder": paths.shared_path("weights", "all-MiniLM-L6-v2"),
      "trait_phrases": "", "heldout_trait_fraction": 0.0,
      "trait_loss": {"name": "bce", "q": 0.7, "beta": 0.8, "false_positive": 0.01,
                     "false_negative": 0.01},
      "frozen_batch_norm": False, "dtype": "float32"})


def optim_config(learning_rate: float) -> ml_collections.ConfigDict:
  """AdamW with warm-up + cosine decay and gradient clipping; `frozen` path prefixes;
  `lr_multipliers` (prefix, factor) pairs."""
  return ml_collections.ConfigDict({
      "name": "adamw", "learning_rate": learning_rate, "weight_decay": 1e-4,
      "schedule": "cosine", "warmup_steps": 50, "final_lr_fraction": 0.01,
      "grad_clip_norm": 1.0, "frozen": (), "lr_multipliers": ()})


def eval_config(kind: str, split: str, **fields) -> ml_collections.ConfigDict:
  """One entry of `config.evals`: an evaluator `type` (a module of `traitjax.evaluators`), the
  split it reads and its own fields, e.g. `eval_config("intervention", "test", ks=(0, 4))`;
  `section` places its report in metrics.json (dotted keys, "" = the top level; default: its
  name in config.evals) and `every` also runs it during training."""
  return ml_collections.ConfigDict({"type": kind, "split": split, **fields})


def trust_config(fit_split: str) -> ml_collections.ConfigDict:
  """When to trust a prediction (`traitjax.trust`): the split it is fitted on ("" = none; the
  trust evaluators then cannot run), the accuracy its identify/abstain threshold aims at
  among the photos it identifies, and the miscoverage alpha of its conformal species sets."""
  return ml_collections.ConfigDict({"fit_split": fit_split, "target_accuracy": 0.95,
                                    "alpha": 0.05})


# The evaluators that read the trust (or, explanations, the photos it explains), in the order
# `add_trust_evals` adds them.
TRUST_EVALUATORS = ("calibration", "selective", "conformal", "explanations", "degradation")
# The evaluators that measure the explanations of a model, beside `explanations`: what runs
# that only name species (zero-shot sweeps, open-world evaluations) leave out.
EXPLANATION_EVALUATORS = ("occlusion",)


def add_trust_evals(evals: ml_collections.ConfigDict, split: str,
                    degraded_examples: int) -> None:
  """Adds to `evals`, on `split`: calibration, scores of trust and decisions with a reason,
  conformal species sets, explanations measured (three traits cited), and accuracy,
  calibration and abstention on `degraded_examples` of its photos blurred, darkened and partly
  out of view at three strengths, all under the trust fitted on config.trust.fit_split."""
  evals.calibration = eval_config("calibration", split)
  evals.selective = eval_config("selective", split)
  evals.conformal = eval_config("conformal", split)
  evals.explanations = eval_config("explanations", split, num_cited=3)
  evals.degradation = eval_config("degradation", split, kinds=("blur", "dark", "partial"),
                                  strengths=(0.25, 0.5, 0.75), max_examples=degraded_examples)


# `traitjax.open_world.ROUTES`, named here for the sweep's metrics (a layer below it).
OPEN_WORLD_ROUTES = ("plain", "calibrated_stacking", "gated")
# What a zero-shot sweep collects from each point's metrics.json.
ZEROSHOT_SWEEP_METRICS = tuple(
    f"zeroshot.zeroshot.{key}" for key in (
        "unseen_top1", "seen_accuracy", "unseen_accuracy", "harmonic_mean", "ausuc",
        "per_photo.unseen_top1", "per_photo.unseen_top1_generalized",
        "per_photo.harmonic_mean")) + ("species_top1",) + tuple(
    f"open_world.{key}" for key in ("closed_set_seen_accuracy", "seen_accuracy",
                                    "unseen_accuracy", "harmonic")) + tuple(
    f"open_world.routes.{route}.{key}" for route in OPEN_WORLD_ROUTES
    for key in ("seen_accuracy", "unseen_accuracy", "harmonic", "seen_declined",
                "unseen_declined"))


def add_open_world_eval(config: ml_collections.ConfigDict, split: str = "test+zeroshot",
                        **fields) -> None:
  """Adds `evals.open_world` on `split` (the trained species' test photos and the added
  species' photos), its routes fitted on config.trust.fit_split: the photos of trained species
  that training never read."""
  config.evals.open_world = eval_config("open_world", split, fit_split=config.trust.fit_split,
                                        **fields)


def make_open_world_eval(config: ml_collections.ConfigDict) -> None:
  """Turns a training config into the evaluation of configs/*_open_world.py: the checkpoint
  (trained with the centred-cosine species head) names every test photo of its species and
  every photo under `data.new_root` (the dataset's layout; none trained) among all rows, its
  own and the added species' (`model.species_rows` replaces any of them, e.g. rows parsed from
  descriptions; for a dataset that reads a table it is also `data.new_table`, the added
  species' rows). metrics.json gets the test report, `zeroshot` (the added species' photos
  named among themselves, and `zeroshot.zeroshot`, the generalised scores among all rows) and
  `open_world` (every route, fitted on the trained species' val photos)."""
  config.model.species_head = "cosine"
  config.data.new_root = ""
  if "table" in config.data:
    config.data.new_table = config.model.get_ref("species_rows")
  config.trust.fit_split = "val"
  for name in TRUST_EVALUATORS + EXPLANATION_EVALUATORS + ("intervention",):
    if name in config.evals:
      del config.evals[name]
  config.evals.unseen = eval_config("classification", "zeroshot", section="zeroshot")
  config.evals.zeroshot = eval_config("zeroshot", "test+zeroshot", section="zeroshot.zeroshot")
  add_open_world_eval(config)


def make_zeroshot_sweep(config: ml_collections.ConfigDict, name: str,
                        heldout_splits) -> None:
  """Turns `config` into a sweep (`traitjax.sweep`) of zero-shot naming over `heldout_splits`
  (values of data.heldout_species): the centred-cosine species head, trained on the seen
  species' rows alone, reads the unseen species' rows at evaluation; the base config's val
  photos of seen species are held back from training for the trust and the open-world routes
  alone (no other trust evaluator runs); the held-out species' photos are classified
  (`zeroshot` in metrics.json) and named among themselves and, with the seen species' test
  photos, among all rows (`zeroshot.zeroshot`, `metrics.zeroshot`: per-class means), by every
  open-world route too (`open_world`). The sweep reports, per split: the unseen top-1 among the
  unseen, the generalised seen and unseen accuracies among all rows, their harmonic mean H, the
  area under the seen-unseen curve, the same three per photo, the seen top-1 among all, and
  each open-world route's seen and unseen accuracies, H and decline rates."""
  config.model.species_head = "cosine"
  if not config.data.get("val_fraction"):
    raise ValueError("a zero-shot sweep fits its open-world routes on val: data.val_fraction "
                     "must be > 0")
  config.trust.fit_split = "val"
  for evaluator in TRUST_EVALUATORS + EXPLANATION_EVALUATORS:
    if evaluator in config.evals:
      del config.evals[evaluator]
  config.evals.unseen = eval_config("classification", "zeroshot", section="zeroshot")
  # With the seen species' test photos too, for the generalised scores.
  config.evals.zeroshot = eval_config("zeroshot", "test+zeroshot", section="zeroshot.zeroshot")
  add_open_world_eval(config)
  config.sweep = ml_collections.ConfigDict()
  config.sweep.name = name
  config.sweep.axes = (("data.heldout_species", tuple(heldout_splits)),)
  config.sweep.metrics = ZEROSHOT_SWEEP_METRICS


def shrink_folder_config(config: ml_collections.ConfigDict) -> None:
  """The `:smoke` variant of a folder dataset's config (EuroSAT, the Leafsnap guide; any root):
  its first three species at 32 px, a quarter of the rest val, batches of 8 read in this
  process, four steps, and the evaluators of `add_trust_evals` and intervention cut short."""
  config.data.image_size = 32
  del config.data.species  # Names in the configs; positions here.
  config.data.species = "0:3"
  config.data.val_fraction = 0.25
  config.input.batch_size = 8
  config.input.num_workers = 0
  config.preview.num_images = 8
  config.evals.degradation.strengths = (0.5,)
  config.evals.degradation.max_examples = 8
  config.evals.intervention.ks = (0, 4)
  config.train.steps = 4
  config.train.log_every = 2
  config.train.checkpoint_every = 2
  config.optim.warmup_steps = 1


def train_config(steps: int) -> ml_collections.ConfigDict:
  """Loop length, logging and checkpoint intervals, and an optional profiler trace of
  `profile_num_steps` steps after step `profile_start_step` (0 = none) into WORKDIR/profile."""
  return ml_collections.ConfigDict({
      "steps": steps, "log_every": 50, "checkpoint_every": 200, "max_checkpoints_to_keep": 2,
      "async_checkpoints": True, "profile_start_step": 0, "profile_num_steps": 5})
