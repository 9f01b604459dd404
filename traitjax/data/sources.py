"""Config -> data source: the one place that knows every dataset by name."""

from __future__ import annotations

import functools
import os

import numpy as np

from traitjax.data import cub
from traitjax.data import eurosat
from traitjax.data import leafsnap_guide
from traitjax.data import pipeline
from traitjax.data import schema
from traitjax.data import synthetic

DATASETS = ("synthetic_flora", "cub", "eurosat", "leafsnap_guide")


@functools.lru_cache(maxsize=4)
def _flora(config: synthetic.FloraConfig) -> synthetic.Flora:
  return synthetic.Flora(config)


@functools.lru_cache(maxsize=4)
def _cub(root: str, species: tuple, heldout_species: tuple, trait_threshold, val_fraction: float,
         seed: int) -> cub.CubDataset:
  """Parsed once per setting: every split and every periodic eval shares it."""
  return cub.CubDataset(root, species=species, heldout_species=heldout_species,
                        trait_threshold=trait_threshold, val_fraction=val_fraction, seed=seed)


@functools.lru_cache(maxsize=4)
def _eurosat(root: str, table: str, traits: str, test_root: str, species: tuple,
             heldout_species: tuple, val_fraction: float, test_fraction: float,
             seed: int) -> eurosat.EurosatDataset:
  """Listed once per setting, as `_cub`."""
  return eurosat.EurosatDataset(root, table, traits=traits, test_root=test_root, species=species,
                                heldout_species=heldout_species, val_fraction=val_fraction,
                                test_fraction=test_fraction, seed=seed)


@functools.lru_cache(maxsize=4)
def _leafsnap_guide(root: str, table: str, traits: str, organs: str, test_root: str,
                    species: tuple, heldout_species: tuple, val_fraction: float,
                    test_fraction: float, seed: int) -> leafsnap_guide.LeafsnapGuideDataset:
  """Listed once per setting, as `_cub`."""
  return leafsnap_guide.LeafsnapGuideDataset(
      root, table, traits=traits, organs=organs, test_root=test_root, species=species,
      heldout_species=heldout_species, val_fraction=val_fraction, test_fraction=test_fraction,
      seed=seed)


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
    index = int(index)
    if not 0 <= index < len(self):
      raise IndexError(f"index {index} out of range for {self!r}")
    part = int(np.searchsorted(self._starts, index, side="right")) - 1
    example = self.parts[part][index - self._starts[part]]
    return {**example, schema.INDEX: np.int32(index)}


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
    index = int(index)
    if not 0 <= index < len(self):
      raise IndexError(f"index {index} out of range for {self!r}")
    return {**self.source[self.indices[index]], schema.INDEX: np.int32(index)}


def make_source(data_config, split: str) -> pipeline.Source:
  """The `split` of the dataset that `data_config.name` names (a ConfigDict or mapping);
  splits joined by "+" (e.g. "test+zeroshot") read as one source."""
  if "+" in split:
    return ConcatenatedSource([make_source(data_config, part) for part in split.split("+")])
  settings = dict(data_config.items())
  name = settings.pop("name", None)
  if name == "synthetic_flora":
    return synthetic.FloraSource(_flora(synthetic.FloraConfig.from_config(settings)), split)
  if name == "cub":
    c = cub.CubConfig.from_config(settings)
    dataset = _cub(os.path.abspath(c.root), c.species, c.heldout_species, c.trait_threshold,
                   c.val_fraction, c.seed)
    source = cub.CubSource(dataset, split, image_size=c.image_size,
                           crop_to_bbox=c.crop_to_bbox, bbox_margin=c.bbox_margin)
    if c.label_table and split in cub.LABELLED_SPLITS:
      source.trait_table = cub.with_label_rows(source.trait_table, c.label_table)
    return source
  if name == "eurosat":
    c = eurosat.EurosatConfig.from_config(settings)
    dataset = _eurosat(os.path.abspath(c.root), os.path.abspath(c.table),
                       os.path.abspath(c.traits), c.test_root and os.path.abspath(c.test_root),
                       c.species, c.heldout_species, c.val_fraction, c.test_fraction, c.seed)
    return eurosat.EurosatSource(dataset, split, image_size=c.image_size)
  if name == "leafsnap_guide":
    c = leafsnap_guide.LeafsnapGuideConfig.from_config(settings)
    dataset = _leafsnap_guide(
        os.path.abspath(c.root), os.path.abspath(c.table), os.path.abspath(c.traits),
        os.path.abspath(c.organs), c.test_root and os.path.abspath(c.test_root), c.species,
        c.heldout_species, c.val_fraction, c.test_fraction, c.seed)
    return leafsnap_guide.LeafsnapGuideSource(dataset, split, image_size=c.image_size,
                                              organ_mask=c.organ_mask)
  raise ValueError(f"unknown dataset {name!r}; known: {DATASETS}")


# The fields of a dataset's `data` block that name a file or folder it reads.
_PATH_FIELDS = {"synthetic_flora": (), "cub": ("root", "label_table"),
                "eurosat": ("root", "test_root", "table", "traits"),
                "leafsnap_guide": ("root", "test_root", "table", "traits", "organs")}
# The datasets whose test split is a share of each species' photos (or a test_root).
_TEST_FRACTION_CONFIGS = {"eurosat": eurosat.EurosatConfig,
                          "leafsnap_guide": leafsnap_guide.LeafsnapGuideConfig}


def path_fields(data_config) -> tuple[str, ...]:
  """The `data` fields naming a file or folder that the dataset of `data_config` reads."""
  return _PATH_FIELDS.get(data_config.get("name"), ())


def splits(data_config) -> tuple[str, ...]:
  """The splits a dataset offers under this config."""
  if data_config.name == "synthetic_flora":
    return synthetic.SPLITS
  has = {"train": True, "val": data_config.get("val_fraction", 0.0) > 0, "test": True,
         "zeroshot": bool(data_config.get("heldout_species", ()))}
  if data_config.name in _TEST_FRACTION_CONFIGS:  # No test split without either.
    c = _TEST_FRACTION_CONFIGS[data_config.name].from_config(data_config)
    has["test"] = c.test_fraction > 0 or bool(c.test_root)
  return tuple(split for split, present in has.items() if present)
