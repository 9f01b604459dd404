"""Explains photos with a trained workdir and writes what `python -m traitjax.explain` promises:
per photo NAME.json (its explanation record) and NAME.png (`figures.photo_figure`), and over
all photos index.json and index.html (`gallery.page`).

The photos are files (read whole at the model's size: a user's photo has no box) or photos of
a split of the workdir's dataset (as its evaluation reads them, crop included). They pass
through the model in batches of the config's size under one compiled program; a photo that
cannot be read gets its own entry saying why, and the others go on. Probabilities, decisions
and conformal sets come from the workdir's `trust.json` (`traitjax.trust`); a workdir without
one has trust fitted on its config's `trust.fit_split` first.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import os
import re

from absl import logging
import jax
import numpy as np

from traitjax import checkpoints
from traitjax import evaluators
from traitjax import sharding
from traitjax import trust
from traitjax import writers
from traitjax.data import images
from traitjax.data import photo_files
from traitjax.data import pipeline
from traitjax.data import schema
from traitjax.data import sources
from traitjax.explanations import figures
from traitjax.explanations import gallery
from traitjax.explanations import prototypes

# The split whose photos are the prototypes.
PROTOTYPE_SPLIT = "train"
THUMBNAIL_SIZE = 96
SHARED_TRAITS = 5
# Names an explained photo may not take (the files written beside them).
RESERVED_NAMES = ("index",)
FIGURE_DPI = 80


@dataclasses.dataclass(frozen=True)
class Photo:
  """One photo to explain: the name of its files, where it came from (a path, or split and
  index), and its example (schema.py), or None with the reason it could not be read."""

  name: str
  origin: str
  example: dict | None
  error: str = ""


def explain(workdir: str, out: str, photos_from: list[str] | None = None, split: str = "",
            num: int = 8, species_rows: str = "", top_k: int = 5, per_species: int = 8,
            num_prototypes: int = 4) -> dict:
  """Explains the photos of `photos_from` (files or folders) or `num` photos spread over
  `split`, and writes NAME.json and NAME.png of each and index.json and index.html to `out`.
  Returns the index (what index.json holds).

  Args:
    workdir: a trained workdir (its newest readable checkpoint and the config saved with it).
    out: the folder written (created if needed).
    photos_from: photo files or folders of them; else `split` is read.
    split: a split of the workdir's dataset (e.g. "test").
    num: photos of `split`, spread evenly over it.
    species_rows: a CSV of species rows (`TraitTable.from_csv`, what `traitjax.describe`
      writes): species not in the training table are added, known ones have their rows
      replaced. Only species heads that read the table (table, cosine) can use them.
    top_k: species listed per photo.
    per_species: training photos per species searched for prototypes.
    num_prototypes: prototypes shown per photo.
  """
  if bool(photos_from) == bool(split):
    raise ValueError("give photo files (--images) or a split (--split), one of the two")
  config = checkpoints.saved_config(workdir)
  mesh = sharding.make_mesh()
  task, state, train_source = checkpoints.restore_for_eval(config, workdir, PROTOTYPE_SPLIT,
                                                           mesh)
  table = _species_table(task, train_source.trait_table)
  if species_rows:
    task, table = _with_species_rows(task, table, species_rows)
  if photos_from:
    photos = _file_photos(photo_files.find(photos_from), train_source)
  else:
    photos = _split_photos(sources.make_source(config.data, split), num)
  trusted = _trust(workdir, config, task, state, table, mesh)
  predict = jax.jit(functools.partial(task.predict, with_maps=True))
  readable = [photo for photo in photos if photo.example is not None]
  outputs = _predict(predict, state, [photo.example for photo in readable],
                     config.input.batch_size, mesh, unit="photo")
  ...


def _species_table(task, labels_table: schema.TraitTable) -> schema.TraitTable:
  """The species rows the task's head reads, named (the dataset's table with the rows of
  `config.model.species_rows`, if any, as the task holds them)."""
  values = getattr(task, "species_table", None)
  if values is None:
    return labels_table
  return dataclasses.replace(labels_table, values=np.asarray(values))


def _with_species_rows(task, table: schema.TraitTable, path: str):
  """(task, table) with the rows of the CSV at `path` (`TraitTable.with_species`). Raises
  ValueError for a model whose species head does not read table rows."""
  if getattr(task, "species_table", None) is None:
    raise ValueError(
        f"--species_rows: this model's species head has one trained weight row per species "
        f"and reads no table rows, so it cannot score species from their rows; train with "
        f"--config.model.species_head=table or cosine")
  table = table.with_species(schema.TraitTable.from_csv(path))
  return dataclasses.replace(task, species_table=table.values), table


def _unique_name(stem: str, taken: set[str]) -> str:
  """`stem` made a safe file name not in `taken` (a number appended if needed), and taken."""
  name = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "photo"
  candidate, number = name, 1
  while candidate in taken or candidate in RESERVED_NAMES:
    number += 1
    candidate = f"{name}_{number}"
  taken.add(candidate)
  return candidate


def _file_photos(paths: list[str], source) -> list[Photo]:
  """The photos of `paths`, each read whole at `source`'s image size (an unreadable one with
  its error, logged)."""
  photos, taken = [], set()
  for index, path in enumerate(paths):
    name = _unique_name(os.path.splitext(os.path.basename(path))[0], taken)
    try:
      example = photo_files.read(path, source.image_size, source.trait_table.num_traits,
                                 len(source.part_names), index)
      photos.append(Photo(name, path, example))
    except images.ImageDecodeError as e:
      logging.warning("photo not explained: %s", e)
      photos.append(Photo(name, path, None, str(e)))
  return photos


def _split_photos(source, num: int) -> list[Photo]:
  """`num` photos spread evenly over `source` (an unreadable one with its error)."""
  if len(source) == 0:
    raise ValueError(f"split {source.split!r} has no photos")
  indices = np.unique(np.linspace(0, len(source) - 1, min(num, len(source))).astype(int))
  photos = []
  for index in indices:
    name = f"{source.split}_{index:05d}"
    path_of = getattr(source, "image_path", None)
    origin = path_of(index) if path_of else f"{source.split} photo {index}"
    example = source[int(index)]
    if example[schema.VALID]:
      photos.append(Photo(name, origin, example))
    else:
      logging.warning("photo not explained: %s could not be read", origin)
      photos.append(Photo(name, origin, None, f"cannot decode image {origin}"))
  return photos


def _predict(predict, state, examples: list[dict], batch_size: int, mesh,
             unit: str) -> dict[str, np.ndarray]:
  """`predict(params, model_state, batch)` on `examples` in batches of `batch_size` (the last
  padded, so one program serves all), as numpy arrays [len(examples), ...]; progress logged
  per batch."""
  progress = writers.Progress(len(examples), 0, unit=unit)
  gathered = []
  for start in range(0, len(examples), batch_size):
    chunk = examples[start:start + batch_size]
    chunk = chunk + [pipeline.padding_like(chunk[0])] * (batch_size - len(chunk))
    batch = pipeline.finish_batch({k: np.stack([e[k] for e in chunk]) for k in chunk[0]})
    outputs = predict(state.params, state.model_state, sharding.global_batch(batch, mesh))
    gathered.append(sharding.to_host(outputs))
    progress.report(min(start + batch_size, len(examples)), {})
  return {k: np.concatenate([g[k] for g in gathered])[:len(examples)] for k in gathered[0]}


def _trust(workdir: str, config, task, state, table: schema.TraitTable, mesh) -> trust.Trust:
  """The workdir's trust.json, or (with a warning) trust fitted on `config.trust.fit_split`."""
  path = os.path.join(workdir, trust.FILE_NAME)
  if os.path.isfile(path):
    return trust.Trust.load(path)
  split = config.get("trust", {}).get("fit_split", "")
  if not split:
    raise FileNotFoundError(f"no {path} and no config.trust.fit_split to fit trust on")
  logging.warning("no %s: fitting trust on split %s first", path, split)
  predictions, _ = evaluators.predict_split(task, state, config.data, split,
                                            config.input.batch_size, mesh,
                                            pipeline.HostShard())
  return trust.fit(predictions, table, config.trust.target_accuracy, config.trust.alpha)
