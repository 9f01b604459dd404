"""Config blocks shared by the files in configs/ (each file stays one experiment)."""

import importlib.util
import os
import sys
import types

from absl import flags
import ml_collections


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


def parse_flags(argv: list[str]) -> list[str]:
  """absl flag parsing; a bad flag or config override exits with one line naming it."""
  try:
    return flags.FLAGS(argv)
  except (flags.Error, AttributeError, KeyError, TypeError, ValueError) as e:
    lines = [line.strip() for line in str(e).replace("\\n", "\n").splitlines() if line.strip()]
    # A config file that raised: its traceback's last line is the message.
    message = lines[-1] if any(l.startswith("Traceback") for l in lines) else " ".join(lines)
    sys.exit(f"traitjax: bad flag or config: {message}")


def input_config(batch_size: int, num_workers: int = 2) -> ml_collections.ConfigDict:
  """The grain pipeline: global batch size, worker processes, threads, prefetch, augmentation."""
  return ml_collections.ConfigDict({
      "batch_size": batch_size, "num_workers": num_workers, "num_threads": 1, "prefetch": 4,
      "augmentation": True})


def preview_config(num_images: int) -> ml_collections.ConfigDict:
  """What `python -m traitjax.data.preview` shows."""
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
      "trait_head": "linear", "text_encoder": "../shared/weights/all-MiniLM-L6-v2",
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


def intervention_config(ks=(), truth: str = "traits_visible") -> ml_collections.ConfigDict:
  """Test-time intervention: after evaluation, species top-1 with each photo's k most
  uncertain traits set to `truth` (a batch field: per-photo `traits_visible`, or the species
  row `traits`), for each k in `ks` (() = off; k beyond the trait count corrects every trait)."""
  return ml_collections.ConfigDict({"ks": tuple(ks), "truth": truth})


def few_shot_config(shots=(), prior_strength: float = 2.0) -> ml_collections.ConfigDict:
  """Few-shot species (table species head): on a split of unseen species, each one's table row
  is refined by the detector's traits on its first n photos (`species.few_shot_row`, the row
  counting as `prior_strength` photos), for each n in `shots`, and its other photos scored."""
  return ml_collections.ConfigDict({"shots": tuple(shots), "prior_strength": prior_strength})


def train_config(steps: int) -> ml_collections.ConfigDict:
  """Loop lengths and intervals, evaluation splits (`extra_eval_splits` are evaluated at the
  end beside `final_eval_split`, each under its name in metrics.json), checkpointing."""
  return ml_collections.ConfigDict({
      "steps": steps, "log_every": 50, "eval_every": 0, "checkpoint_every": 200,
      "max_checkpoints_to_keep": 2, "async_checkpoints": True, "eval_split": "val",
      "final_eval_split": "test", "extra_eval_splits": ()})
