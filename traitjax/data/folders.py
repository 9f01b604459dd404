"""What the datasets listed from folders of photos by species share (EuroSAT's class folders,
the Leafsnap guide's images.csv): their settings (`FolderConfig`) and the splits they offer,
the photos of a `test_root` merged into those of `root`, the seeded split of each seen
species' photos under `root` into train, val and test (the photos of `test_root` are the test
split instead), a split's example ids, and the grain source of one split.

Each dataset lists its own photos and draws its own shares of each species (`FolderDataset.
_shuffled_shares`); examples follow the species, those under `root` before those under
`test_root`.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Callable, ClassVar, Mapping, Sequence

import numpy as np

from traitjax.data import images
from traitjax.data import schema
from traitjax.data import settings

SPLITS = ("train", "val", "test", "zeroshot", "all")


@dataclasses.dataclass(frozen=True)
class FolderConfig:
  """The settings a folder dataset's `data` block may hold, with their defaults. `root`: the
  photos split into train, val and test; `test_root`: photos that are the test split instead
  ("" = none); `table`: the species x trait CSV; `traits`: its vocabulary; `species`: names, or
  positions "A:B" among the species under `root` in name order (empty: all of them);
  `heldout_species`: names with no training photos (zero-shot), positions "A:B" among the used
  species, or "all"; `test_fraction`: each species' photos taken as `test` (unused with
  `test_root`); `val_fraction`: the other photos carved off per species as `val`.

  A dataset's subclass gives `traits` and `image_size` their defaults and says how a missing
  `root` or `table` is explained (`WHAT`, `ROOT_HELP`, `TABLE_HELP`)."""

  root: str = ""
  test_root: str = ""
  table: str = ""
  traits: str = ""
  species: tuple[str, ...] | str = ()
  heldout_species: tuple[str, ...] | str = ()
  val_fraction: float = 0.0
  test_fraction: float = 0.2
  seed: int = 0
  image_size: int = 224

  # The fields that name a file or folder the dataset reads.
  PATH_FIELDS: ClassVar[tuple[str, ...]] = ("root", "test_root", "table", "traits")
  WHAT: ClassVar[str] = "the dataset"
  ROOT_HELP: ClassVar[str] = "its folder of photos"
  TABLE_HELP: ClassVar[str] = "a species x trait CSV"

  @classmethod
  def from_config(cls, config) -> FolderConfig:
    """From a mapping or ConfigDict with (a subset of) these fields and `name`; other keys are
    refused, and `root` and `table` are required."""
    items = settings.config_items(config, cls, cls.WHAT)
    if not items.get("root"):
      raise ValueError(f"{cls.WHAT} needs data.root: {cls.ROOT_HELP}")
    if not items.get("table"):
      raise ValueError(f"{cls.WHAT} needs data.table: {cls.TABLE_HELP}")
    return cls(**items)

  def splits(self) -> tuple[str, ...]:
    """The splits offered: no val without `val_fraction`, no test without `test_fraction` or
    `test_root`, no zeroshot without held-out species."""
    return settings.offered_splits(
        val=self.val_fraction > 0, test=self.test_fraction > 0 or bool(self.test_root),
        zeroshot=bool(self.heldout_species))


def check_fractions(val_fraction: float, test_fraction: float) -> None:
  """ValueError naming a fraction outside [0, 1)."""
  for name, fraction in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
    if not 0.0 <= fraction < 1.0:
      raise ValueError(f"{name} must lie in [0, 1), got {fraction}")


def merge_test_root(species_names: Sequence[str], listed: Mapping[str, list],
                    test_listed: Mapping[str, list], file: Callable[[Any], str] = lambda item: item
                    ) -> tuple[list, np.ndarray, np.ndarray, int]:
  """Each species' items `listed` under `root`, then those `test_listed` under `test_root` whose
  file name (of `file(item)`) none of the former has: (the items; int32 [N] the species row of
  each; bool [N] whether it is `test_root`'s; how many items of `test_root` were left out)."""
  items, labels, from_test_root, repeated = [], [], [], 0
  for row, name in enumerate(species_names):
    in_root = {os.path.basename(file(item)) for item in listed[name]}
    extra = [item for item in test_listed.get(name, [])
             if os.path.basename(file(item)) not in in_root]
    repeated += len(test_listed.get(name, [])) - len(extra)
    items += listed[name] + extra
    labels += [row] * (len(listed[name]) + len(extra))
    from_test_root += [False] * len(listed[name]) + [True] * len(extra)
  return items, np.array(labels, np.int32), np.array(from_test_root, bool), repeated


class FolderDataset:
  """The used species' photos, listed once; a subclass lists them (setting the attributes
  below) and then calls `_split`.

  Attributes:
    species_names: S species names, in name order.
    seen_species: bool [S], False for held-out (zero-shot) species.
    trait_table: TraitTable [S, T], traits in the vocabulary's order.
    part_names: () (no keypoints).
    image_paths: N photo files.
    labels: int32 [N] species row of each example.
    from_test_root: bool [N], whether the photo is under `test_root`.
    species_train_counts: int64 [S] training photos per species (set by `_split`).
  """

  part_names = ()

  def __len__(self) -> int:
    return len(self.image_paths)

  @property
  def num_species(self) -> int:
    return len(self.species_names)

  def split_indices(self, split: str) -> np.ndarray:
    """int64 [n] example ids of a split, ascending."""
    if split not in SPLITS:
      raise ValueError(f"unknown split {split!r}; valid splits: {', '.join(SPLITS)}")
    if split == "val" and split not in self._splits:
      raise ValueError("split 'val' is empty: the dataset was built with val_fraction=0")
    if split not in self._splits:
      raise ValueError("split 'test' is empty: the dataset was built with test_fraction=0 and "
                       "no test_root")
    return self._splits[split].copy()

  def _shuffled_shares(self, name: str, examples: np.ndarray, val_fraction: float,
                       test_fraction: float, seed: int) -> list[tuple[np.ndarray, int, int]]:
    """The photos under `root` of the seen species `name` (`examples`, ascending ids) as
    shuffled groups, each with how many of its first photos are test and how many of the next
    are val (`test_fraction` is 0 with a `test_root`)."""
    raise NotImplementedError

  def _split(self, val_fraction: float, test_fraction: float, seed: int,
             with_test_root: bool) -> None:
    """Sets the splits (each group of `_shuffled_shares`: its test photos first, then its val
    photos, the others train; with a `test_root`, its photos of the seen species are test)
    and `species_train_counts`."""
    seen = self.seen_species[self.labels]
    train, val, test = [], [], []
    for row, name in enumerate(self.species_names):
      if not self.seen_species[row]:
        continue
      in_root = np.flatnonzero((self.labels == row) & ~self.from_test_root)
      for order, num_test, num_val in self._shuffled_shares(
          name, in_root, val_fraction, 0.0 if with_test_root else test_fraction, seed):
        test.append(order[:num_test])
        val.append(order[num_test:num_test + num_val])
        train.append(order[num_test + num_val:])
    if with_test_root:
      test = [np.flatnonzero(seen & self.from_test_root)]
    self._splits = {
        "train": settings.sorted_indices(train),
        "zeroshot": np.flatnonzero(~seen),
        "all": np.arange(len(self)),
    }
    if val_fraction > 0:
      self._splits["val"] = settings.sorted_indices(val)
    if test_fraction > 0 or with_test_root:
      self._splits["test"] = settings.sorted_indices(test)
    self.species_train_counts = np.bincount(
        self.labels[self._splits["train"]], minlength=self.num_species)


class FolderSource:
  """Grain random-access source of one split of a `FolderDataset`; examples follow schema.py
  (no keypoints), each the whole photo resized to `image_size` (`pad_to_square`: kept in
  shape, in the middle of a black square). A file that is missing or cannot be decoded gives
  an example with a zero image and ``valid`` False (logged once per file, naming it `what`)."""

  pad_to_square = False

  def __init__(self, dataset: FolderDataset, split: str, image_size: int, what: str):
    examples = dataset.split_indices(split)
    self.split = split
    self.image_size = image_size
    self.trait_table = dataset.trait_table
    self.part_names = dataset.part_names
    self.seen_species = dataset.seen_species
    self.species_train_counts = dataset.species_train_counts
    self.labels = dataset.labels[examples]
    self._paths = [dataset.image_paths[e] for e in examples]
    self._decode = images.SkippingDecoder(what)

  def __len__(self) -> int:
    return len(self.labels)

  def __repr__(self) -> str:
    return f"{type(self).__name__}(split={self.split!r}, n={len(self)}, size={self.image_size})"

  def __getitem__(self, index: int) -> dict[str, np.ndarray]:
    index = int(index)
    if not 0 <= index < len(self):
      raise IndexError(f"index {index} out of range for {self!r}")
    image, region = self._decode(self._paths[index], self.image_size,
                                 pad_to_square=self.pad_to_square)
    return {schema.IMAGE: image, schema.PARTS: np.zeros((0, 3), np.float32),
            schema.VALID: np.bool_(region is not None), **self.annotations(index)}

  def annotations(self, index: int) -> dict[str, np.ndarray]:
    """Example `index` without what its pixels decide (schema.py)."""
    return schema.species_annotations(self.labels[index], self.trait_table, int(index))

  def photo_key(self, index: int) -> str:
    """What decides the pixels of example `index` (schema.py)."""
    return images.photo_key(self._paths[index], self.image_size,
                            pad_to_square=self.pad_to_square)

  def image_path(self, index: int) -> str:
    """The file example `index` of this split is read from."""
    return self._paths[index]
