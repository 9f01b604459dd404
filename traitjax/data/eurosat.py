"""EuroSAT RGB (Sentinel-2 land-use and land-cover tiles) from its official layout, as a grain
random-access source.

`root` holds one folder per class (``<Class>/<Class>_<n>.jpg``): it is the folder the official
``EuroSAT_RGB.zip`` extracts to (``EuroSAT_RGB/`` inside `root`), the older release's ``2750/``,
or the class folders' parent itself. Every folder there is a class (hidden ones aside), in name
order, and every image file in it a tile. Tiles are 64 x 64 px at 10 m a pixel; an example shows
the whole tile resized to `image_size`.

The class x characteristic table is a CSV (`schema.TraitTable.to_csv`'s layout, e.g. parsed from
``data/descriptions/eurosat.json`` by ``python -m traitjax.describe``) with a row for every used
class, named as its folder, and a column for every trait of the vocabulary (`VOCABULARY` unless
told otherwise; CUB's attributes.txt format), in any order; empty cells are NaN. EuroSAT has
no per-tile trait truth, so ``traits_visible`` is all NaN, and no keypoints (``part_names`` is
empty).

Splits: EuroSAT has no official split. Each seen class's tiles under `root` are shuffled by
(`seed`, class name) alone: the first `test_fraction` of them are ``test``, `val_fraction` of
the rest ``val`` and the others ``train``. With `test_root` (a folder of the same layout, e.g.
the whole release when `root` is a sample of it), its tiles of the seen classes are ``test``
instead and every tile under `root` is ``train`` or ``val``; a tile of `test_root` that `root`
also holds (same class and file name) is left out. ``zeroshot`` holds every tile of the
held-out classes. Examples follow the classes, so each split keeps a class's tiles together.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
from typing import Sequence
import zlib

from absl import logging
import numpy as np

from traitjax.data import images
from traitjax.data import photo_files
from traitjax.data import schema
from traitjax.data import settings

SPLITS = ("train", "val", "test", "zeroshot", "all")
# The folder of the class folders in the official zip, and in the older release.
BASE_DIRS = ("EuroSAT_RGB", "2750")
# The landscape characteristics of the habitat classes (CUB's attributes.txt format).
VOCABULARY = os.fspath(pathlib.Path(__file__).resolve().parents[2] / "data" / "traits"
                       / "eurosat.txt")


@dataclasses.dataclass(frozen=True)
class EurosatConfig:
  """The EuroSAT settings a config's `data` block may hold, with their defaults. `root`: the
  tiles split into train, val and test; `test_root`: tiles that are the test split instead
  ("" = none); `table`: the class x characteristic CSV; `traits`: its vocabulary; `species`:
  class names, or positions "A:B" among the classes under `root` in name order (empty: all of
  them); `heldout_species`: class names with no training tiles (zero-shot), positions "A:B"
  among the used classes, or "all"; `test_fraction`: each class's tiles taken as `test` (unused
  with `test_root`); `val_fraction`: the other tiles carved off per class as `val`."""

  root: str = ""
  test_root: str = ""
  table: str = ""
  traits: str = VOCABULARY
  species: tuple[str, ...] | str = ()
  heldout_species: tuple[str, ...] | str = ()
  val_fraction: float = 0.0
  test_fraction: float = 0.2
  seed: int = 0
  image_size: int = 64

  @classmethod
  def from_config(cls, config) -> EurosatConfig:
    """From a mapping or ConfigDict with (a subset of) these fields and `name`; other keys are
    refused, and `root` and `table` are required."""
    items = settings.config_items(config, cls, "EuroSAT")
    if not items.get("root"):
      raise ValueError("EuroSAT needs data.root: the folder of the class folders (EuroSAT_RGB)")
    if not items.get("table"):
      raise ValueError("EuroSAT needs data.table: a class x characteristic CSV (e.g. parsed "
                       "from data/descriptions/eurosat.json by python -m traitjax.describe)")
    return cls(**items)


class EurosatDataset:
  """The used classes' tiles, listed once.

  Examples are the tiles of each used class in class order, those under `root` (by file name)
  before those under `test_root`; an example id indexes the arrays below.

  Attributes:
    base_dir: the folder of the class folders under `root`.
    test_dir: that of `test_root`, or None.
    species_names: S class names (folder names), in name order.
    seen_species: bool [S], False for held-out (zero-shot) classes.
    trait_table: TraitTable [S, T], traits in the vocabulary's order.
    part_names: () (no keypoints).
    image_paths: N tile files.
    labels: int32 [N] class row of each example.
    from_test_root: bool [N], whether the tile is under `test_root`.
    species_train_counts: int64 [S] training tiles per class.
  """

  part_names = ()

  def __init__(self, root: str | os.PathLike, table: str | os.PathLike,
               traits: str | os.PathLike = VOCABULARY, test_root: str | os.PathLike = "",
               species: Sequence[str] | str = (), heldout_species: Sequence[str] | str = (),
               val_fraction: float = 0.0, test_fraction: float = 0.2, seed: int = 0):
    for name, fraction in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
      if not 0.0 <= fraction < 1.0:
        raise ValueError(f"{name} must lie in [0, 1), got {fraction}")
    self.base_dir = _base_dir(os.fspath(root))
    tiles = _list_tiles(self.base_dir)
    self.species_names = settings.select(species, tuple(tiles), self.base_dir, one="class",
                                         many="classes")
    heldout = settings.heldout(heldout_species, self.species_names, tuple(tiles),
                               self.base_dir, one="class", many="classes")
    self.seen_species = np.array([name not in heldout for name in self.species_names])
    self.trait_table = settings.table_rows(os.fspath(table), os.fspath(traits),
                                           self.species_names, one="class")

    test_tiles = {}
    self.test_dir = None
    if test_root:
      self.test_dir = _base_dir(os.fspath(test_root))
      test_tiles = _list_tiles(self.test_dir)
      unknown = sorted(set(test_tiles) - set(tiles))
      if unknown:
        raise ValueError(f"test_root classes {unknown} have no folder in {self.base_dir}")
    paths, labels, from_test_root, repeated = [], [], [], 0
    for row, name in enumerate(self.species_names):
      in_root = {os.path.basename(path) for path in tiles[name]}
      extra = [p for p in test_tiles.get(name, []) if os.path.basename(p) not in in_root]
      repeated += len(test_tiles.get(name, [])) - len(extra)
      paths += tiles[name] + extra
      labels += [row] * (len(tiles[name]) + len(extra))
      from_test_root += [False] * len(tiles[name]) + [True] * len(extra)
    if repeated:
      logging.info("EuroSAT: %d tiles of %s are also under %s: left out of the test split",
                   repeated, self.test_dir, self.base_dir)
    self.image_paths = paths
    self.labels = np.array(labels, np.int32)
    self.from_test_root = np.array(from_test_root, bool)

    self._splits = self._make_splits(val_fraction, test_fraction, seed)
    self.species_train_counts = np.bincount(
        self.labels[self._splits["train"]], minlength=self.num_species)

  def __len__(self) -> int:
    return len(self.image_paths)

  def __repr__(self) -> str:
    return (f"EurosatDataset({self.base_dir!r}, test_root={self.test_dir!r}, "
            f"classes={self.num_species}, tiles={len(self)})")

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

  def _make_splits(self, val_fraction: float, test_fraction: float,
                   seed: int) -> dict[str, np.ndarray]:
    seen = self.seen_species[self.labels]
    train, val, test = [], [], []
    for row, name in enumerate(self.species_names):
      if not self.seen_species[row]:
        continue
      tiles = np.flatnonzero((self.labels == row) & ~self.from_test_root)
      order = np.random.default_rng([seed, zlib.crc32(name.encode())]).permutation(tiles)
      num_test = 0 if self.test_dir else int(round(test_fraction * len(order)))
      num_val = int(round(val_fraction * (len(order) - num_test)))
      test.append(order[:num_test])
      val.append(order[num_test:num_test + num_val])
      train.append(order[num_test + num_val:])
    if self.test_dir:
      test = [np.flatnonzero(seen & self.from_test_root)]
    splits = {
        "train": settings.sorted_indices(train),
        "zeroshot": np.flatnonzero(~seen),
        "all": np.arange(len(self)),
    }
    if val_fraction > 0:
      splits["val"] = settings.sorted_indices(val)
    if test_fraction > 0 or self.test_dir:
      splits["test"] = settings.sorted_indices(test)
    return splits


class EurosatSource:
  """Grain random-access source of one split; examples follow schema.py (no keypoints).

  A file that cannot be decoded gives an example with a zero image and ``valid`` False (logged
  once per file).
  """

  def __init__(self, dataset: EurosatDataset, split: str,
               image_size: int = EurosatConfig.image_size):
    examples = dataset.split_indices(split)
    self.split = split
    self.image_size = image_size
    self.trait_table = dataset.trait_table
    self.part_names = dataset.part_names
    self.seen_species = dataset.seen_species
    self.species_train_counts = dataset.species_train_counts
    self.labels = dataset.labels[examples]
    self._paths = [dataset.image_paths[e] for e in examples]
    self._decode = images.SkippingDecoder("EuroSAT tile")

  def __len__(self) -> int:
    return len(self.labels)

  def __repr__(self) -> str:
    return f"EurosatSource(split={self.split!r}, n={len(self)}, size={self.image_size})"

  def __getitem__(self, index: int) -> dict[str, np.ndarray]:
    index = int(index)
    if not 0 <= index < len(self):
      raise IndexError(f"index {index} out of range for {self!r}")
    image, region = self._decode(self._paths[index], self.image_size)
    return schema.species_example(image, self.labels[index], self.trait_table,
                                  np.zeros((0, 3), np.float32), region is not None, index)

  def image_path(self, index: int) -> str:
    """The file example `index` of this split is read from."""
    return self._paths[index]


def _base_dir(root: str) -> str:
  """The folder of the class folders: `root`'s EuroSAT_RGB or 2750 child, or `root` itself."""
  if not os.path.isdir(root):
    raise FileNotFoundError(f"EuroSAT root not found: {root}")
  for name in BASE_DIRS:
    if os.path.isdir(os.path.join(root, name)):
      return os.path.join(root, name)
  return root


def _list_tiles(base_dir: str) -> dict[str, list[str]]:
  """Class name -> its tile files, sorted by name; classes in name order."""
  classes = sorted(name for name in os.listdir(base_dir)
                   if not name.startswith(".") and os.path.isdir(os.path.join(base_dir, name)))
  if not classes:
    raise FileNotFoundError(f"no class folders in {base_dir} (expected <Class>/<Class>_<n>.jpg "
                            f"there or under {' or '.join(BASE_DIRS)})")
  return {name: photo_files.find([os.path.join(base_dir, name)]) for name in classes}
