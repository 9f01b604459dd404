"""A dataset kept outside traitjax, as a user adds one: this module and a config naming it
(`data.name = "tests.data.toy_dataset"`), nothing else. tests/data/test_sources.py trains on it.

Three species of solid-colour photos (red, green, blue), each labelled by a one-hot trait row.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np

from traitjax.data import schema
from traitjax.data import settings

COLOURS = {"redwing": (200, 30, 30), "greenback": (30, 200, 30), "bluebell": (30, 30, 200)}


@dataclasses.dataclass(frozen=True)
class Config:
  photos_per_species: int = 4
  image_size: int = 16
  seed: int = 0

  PATH_FIELDS: ClassVar[tuple[str, ...]] = ()

  @classmethod
  def from_config(cls, config) -> Config:
    return cls(**settings.config_items(config, cls, "toy"))

  def splits(self) -> tuple[str, ...]:
    return ("train", "test")


def source(config: Config, split: str) -> ToySource:
  return ToySource(config, split)


class ToySource:
  """Grain random-access source of one split; examples follow schema.py."""

  part_names = ()

  def __init__(self, config: Config, split: str):
    if split not in config.splits():
      raise ValueError(f"unknown split {split!r}")
    names = tuple(COLOURS)
    self.split, self.image_size, self.config = split, config.image_size, config
    self.trait_table = schema.TraitTable(np.eye(len(names), dtype=np.float32), species=names,
                                         traits=tuple(f"colour::{n}" for n in names))
    self.labels = np.repeat(np.arange(len(names)), config.photos_per_species).astype(np.int32)
    self.seen_species = np.ones(len(names), bool)
    self.species_train_counts = np.full(len(names), config.photos_per_species)

  def __len__(self) -> int:
    return len(self.labels)

  def __getitem__(self, index: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([self.config.seed, len(self.split), int(index)])
    colour = COLOURS[self.trait_table.species[self.labels[index]]]
    noise = rng.integers(-20, 21, (self.image_size, self.image_size, 3))
    image = np.clip(np.add(colour, noise), 0, 255).astype(np.uint8)
    return schema.species_example(image, self.labels[index], self.trait_table,
                                  np.zeros((0, 3), np.float32), True, int(index))
