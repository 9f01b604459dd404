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


def make_source(data_config, split: str) -> pipeline.Source:
  """The `split` of the dataset that `data_config.name` names (a ConfigDict or mapping);
  splits joined by "+" (e.g. "test+zeroshot") read as one source."""
  if "+" in split:
    return ConcatenatedSource([make_source(data_config, part) for part in split.split("+")])
  module = dataset_module(data_config.get("name"))
  return module.source(module.Config.from_config(data_config), split)


def path_fields(data_config) -> tuple[str, ...]:
  """The `data` fields naming a file or folder that the dataset of `data_config` reads."""
  return dataset_module(data_config.get("name")).Config.PATH_FIELDS


def splits(data_config) -> tuple[str, ...]:
  """The splits a dataset offers under this config."""
  return dataset_config(data_config).splits()
