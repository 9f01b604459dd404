"""Config blocks shared by the files in configs/ (each file stays one experiment)."""

import importlib.util
import os
import types

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


def eval_config(kind: str, split: str, **fields) -> ml_collections.ConfigDict:
  """One entry of `config.evals`: an evaluator `type` (`traitjax.evaluators.EVALUATORS`), the
  split it reads and its own fields, e.g. `eval_config("intervention", "test", ks=(0, 4))`;
  `section` places its report in metrics.json (dotted keys, "" = the top level; default: its
  name in config.evals) and `every` also runs it during training."""
  return ml_collections.ConfigDict({"type": kind, "split": split, **fields})


def train_config(steps: int) -> ml_collections.ConfigDict:
  """Loop length, logging and checkpoint intervals, and an optional profiler trace of
  `profile_num_steps` steps after step `profile_start_step` (0 = none) into WORKDIR/profile."""
  return ml_collections.ConfigDict({
      "steps": steps, "log_every": 50, "checkpoint_every": 200, "max_checkpoints_to_keep": 2,
      "async_checkpoints": True, "profile_start_step": 0, "profile_num_steps": 5})
