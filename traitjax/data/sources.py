"""Config -> data source: datasets found by name, and sources made of other sources.

A dataset is one module that exposes two names:

  Config               a frozen dataclass of the fields its `data` block may hold, with
                       `Config.from_config(data_block)` (unknown fields refused in one line),
                       `Config.PATH_FIELDS` (the fields naming a file or folder it reads) and
                       `config.splits()` (the splits it offers under those settings);
  source(config, split)  the grain random-access source of one split (`pipeline.Source`).

`data.name` names it: a module of this package (`cub` is `traitjax.data.cub`), or any module by
its dotted path (a dataset kept outside traitjax). Adding a dataset is its module and a config.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import types

import numpy as np

from traitjax.data import pipeline
from traitjax.data import schema

# What a dataset module exposes.
DATASET_NAMES = ("Config", "source")


def dataset_module(name: str) -> types.ModuleType:
  """The module of the dataset `name` (a module of this package, or a dotted module path);
  ValueError names the datasets there are when it is none."""
  module = None
  if name and isinstance(name, str):
    path = name if "." in name else f"{__package__}.{name}"
    try:
      module = importlib.import_module(path)
    except ModuleNotFoundError as e:
      if e.name is None or not path.startswith(e.name):
        raise  # The module exists but imports one that does not.
  if module is None or not all(hasattr(module, attribute) for attribute in DATASET_NAMES):
    raise ValueError(f"unknown dataset {name!r}; known: {', '.join(known_datasets())} (or a "
                     f"module path exposing {' and '.join(DATASET_NAMES)})")
  return module


def known_datasets() -> tuple[str, ...]:
  """The dataset modules of this package, by name."""
  names = []
  for info in pkgutil.iter_modules(importlib.import_module(__package__).__path__):
    module = importlib.import_module(f"{__package__}.{info.name}")
    if all(hasattr(module, attribute) for attribute in DATASET_NAMES):
      names.append(info.name)
  return tuple(sorted(names))


def dataset_config(data_config):
  """The settings of `data_config` (a ConfigDict or mapping with `name`) as its dataset's
  `Config`."""
  return dataset_module(data_config.get("name")).Config.from_config(data_config)


class ConcatenatedSource:
  """Splits of one dataset read as one (e.g. "test+zeroshot" for generalized zero-shot
  evaluation): examples in order, `index` counting across all of them."""

  def __init__(self, parts: list[pipeline.Source]):
    first = parts[0]
    self.parts = parts
    self.split = "+".join(part.split for part in parts)
    pipeline.take_dataset_attributes(self, first)
    self.labels = np.concatenate([part.labels for part in parts])
    self._starts = np.cumsum([0] + [len(part) for part in parts])

  def __len__(self) -> int:
    return int(self._starts[-1])

  def __repr__(self) -> str:
    return f"ConcatenatedSource({self.parts!r})"

  def __getitem__(self, index: int) -> dict[str, np.ndarray]:
    part, position = self._locate(index)
    return {**self.parts[part][position], schema.INDEX: np.int32(index)}

  def annotations(self, index: int) -> dict[str, np.ndarray]:
    part, position = self._locate(index)
    return {**self.parts[part].annotations(position), schema.INDEX: np.int32(index)}

  def photo_key(self, index: int) -> str:
    part, position = self._locate(index)
    return self.parts[part].photo_key(position)

  def _locate(self, index: int) -> tuple[int, int]:
    """(the part, the position in it) of example `index`."""
    index = int(index)
    if not 0 <= index < len(self):
      raise IndexError(f"index {index} out of range for {self!r}")
    part = int(np.searchsorted(self._starts, index, side="right")) - 1
    return part, index - int(self._starts[part])


class Subset:
  """The examples `indices` of `source`, in that order, `index` counting them from 0 (e.g. a
  bounded sample of a split to evaluate many times)."""

  def __init__(self, source: pipeline.Source, indices):
    self.source = source
    self.indices = np.asarray(indices, np.int64)
    if len(self.indices) and not 0 <= self.indices.min() <= self.indices.max() < len(source):
      raise ValueError(f"subset indices must lie in [0, {len(source)}) for {source!r}")
    pipeline.take_dataset_attributes(self, source)
    self.split = source.split
    self.labels = np.asarray(source.labels)[self.indices]

  @classmethod
  def evenly_spaced(cls, source: pipeline.Source, count: int) -> Subset:
    """`count` examples spread evenly over `source` (every one when count is 0 or at least its
    length): sources keep a species' photos together, so this takes each species' share."""
    if count <= 0 or count >= len(source):
      return cls(source, np.arange(len(source)))
    return cls(source, np.arange(count) * len(source) // count)

  def __len__(self) -> int:
    return len(self.indices)

  def __repr__(self) -> str:
    return f"Subset({self.source!r}, n={len(self)})"

  def __getitem__(self, index: int) -> dict[str, np.ndarray]:
    return {**self.source[self._position(index)], schema.INDEX: np.int32(index)}

  def annotations(self, index: int) -> dict[str, np.ndarray]:
    return {**self.source.annotations(self._position(index)), schema.INDEX: np.int32(index)}

  def photo_key(self, index: int) -> str:
    return self.source.photo_key(self._position(index))

  def _position(self, index: int) -> int:
    """The position in the wrapped source of example `index`."""
    index = int(index)
    if not 0 <= index < len(self):
      raise IndexError(f"index {index} out of range for {self!r}")
    return int(self.indices[index])


# The `data` fields of an open-world evaluation, read here rather than by a dataset: another
# root in the dataset's layout whose species are added (none trained), and, for a dataset that
# reads a table, the CSV of their rows.
NEW_SPECIES_FIELDS = ("new_root", "new_table")


class WithAddedSpecies:
  """A source read with species appended to its table: those of another root, added from their
  rows alone (never trained). Its examples keep their order; `offset` is added to their species
  (0 for the trained root's photos, the trained root's species count for the added root's)."""

  def __init__(self, source: pipeline.Source, table: schema.TraitTable, seen: np.ndarray,
               train_counts: np.ndarray, offset: int = 0):
    self.source = source
    self.offset = int(offset)
    pipeline.take_dataset_attributes(self, source)
    self.trait_table, self.seen_species = table, np.asarray(seen, bool)
    self.species_train_counts = np.asarray(train_counts)
    self.split = source.split
    self.labels = np.asarray(source.labels) + self.offset

  def __len__(self) -> int:
    return len(self.source)

  def __repr__(self) -> str:
    return f"WithAddedSpecies({self.source!r}, offset={self.offset})"

  def __getattr__(self, name):  # Whatever else the dataset offers, e.g. its organs.
    if name == "source":
      raise AttributeError(name)
    return getattr(self.source, name)

  def __getitem__(self, index: int) -> dict[str, np.ndarray]:
    return self._offset(self.source[index])

  def annotations(self, index: int) -> dict[str, np.ndarray]:
    return self._offset(self.source.annotations(index))

  def photo_key(self, index: int) -> str:
    return self.source.photo_key(index)

  def _offset(self, example: dict) -> dict:
    return {**example, schema.SPECIES: np.int32(example[schema.SPECIES] + self.offset)}


def _open_world_configs(data_config) -> tuple[dict, dict | None]:
  """The dataset settings of `data_config` without `NEW_SPECIES_FIELDS`, and those of its
  `new_root` (None without one): every species there held out, its own rows (`new_table`'s for
  a dataset that reads a table)."""
  items = dict(data_config.items() if hasattr(data_config, "items") else data_config)
  if isinstance(items.get("heldout_species"), (list, tuple)) and list(
      items["heldout_species"]) == ["all"]:
    raise ValueError(
        "data.heldout_species=all: to name the photos of a folder of new species among the "
        "trained ones, use --mode=eval --config=configs/<dataset>_open_world.py "
        "--config.data.new_root=DIR --config.model.species_rows=CSV")
  new_root, new_table = (items.pop(field, "") for field in NEW_SPECIES_FIELDS)
  if not new_root:
    if new_table:
      raise ValueError("data.new_table names the rows of the species under data.new_root, "
                       "which is not set")
    return items, None
  fields = {f.name for f in dataclasses.fields(dataset_module(items.get("name")).Config)}
  new = {**items, "root": new_root, "heldout_species": "all", "species": ()}
  for field, value in (("test_root", ""), ("val_fraction", 0.0)):
    if field in fields:
      new[field] = value
  if "table" in fields:
    if not new_table:
      raise ValueError("data.new_root needs data.new_table: the CSV of its species' rows "
                       "(e.g. written by python -m traitjax.describe)")
    new["table"] = new_table
  elif new_table:
    raise ValueError(f"data.new_table: dataset {items.get('name')!r} reads the rows of "
                     "data.new_root's species from that root itself; leave it empty")
  return items, new


def make_source(data_config, split: str) -> pipeline.Source:
  """The `split` of the dataset that `data_config.name` names (a ConfigDict or mapping);
  splits joined by "+" (e.g. "test+zeroshot") read as one source. With `data.new_root`, the
  species under it are appended to the table, never trained, and their photos join the
  `zeroshot` split."""
  if "+" in split:
    return ConcatenatedSource([make_source(data_config, part) for part in split.split("+")])
  items, new = _open_world_configs(data_config)
  module = dataset_module(items.get("name"))
  if new is None:
    return module.source(module.Config.from_config(items), split)
  trained = module.Config.from_config(items)
  added = module.source(module.Config.from_config(new), "zeroshot")
  first = module.source(trained, "train")
  clash = set(map(schema.species_key, first.trait_table.species)) & set(
      map(schema.species_key, added.trait_table.species))
  if clash:
    raise ValueError(f"data.new_root holds {len(clash)} species data.root has too, e.g. "
                     f"{sorted(clash)[:3]}; an added species must be new")
  table = first.trait_table.with_species(added.trait_table)
  seen = np.concatenate([first.seen_species, np.zeros(len(added.seen_species), bool)])
  counts = np.concatenate([first.species_train_counts,
                           np.zeros(len(added.seen_species), np.int64)])
  offset = first.trait_table.num_species

  def appended(source, shift=0):
    return WithAddedSpecies(source, table, seen, counts, shift)

  if split != "zeroshot":
    return appended(module.source(trained, split))
  parts = [appended(added, offset)]
  if "zeroshot" in trained.splits():
    parts.insert(0, appended(module.source(trained, "zeroshot")))
  return parts[0] if len(parts) == 1 else ConcatenatedSource(parts)


def path_fields(data_config) -> tuple[str, ...]:
  """The `data` fields naming a file or folder that the dataset of `data_config` reads."""
  return (dataset_module(data_config.get("name")).Config.PATH_FIELDS
          + tuple(f for f in NEW_SPECIES_FIELDS if f in data_config))


def splits(data_config) -> tuple[str, ...]:
  """The splits a dataset offers under this config (`zeroshot` too with `data.new_root`)."""
  items, new = _open_world_configs(data_config)
  offered = dataset_config(items).splits()
  return offered if new is None or "zeroshot" in offered else offered + ("zeroshot",)
