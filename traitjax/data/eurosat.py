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
import functools
import os
from typing import ClassVar, Sequence
import zlib

from absl import logging
import numpy as np

from traitjax import paths
from traitjax.data import folders
from traitjax.data import photo_files
from traitjax.data import settings

SPLITS = folders.SPLITS
# The folder of the class folders in the official zip, and in the older release.
BASE_DIRS = ("EuroSAT_RGB", "2750")
# The landscape characteristics of the habitat classes (CUB's attributes.txt format).
VOCABULARY = paths.repo_path("data", "traits", "eurosat.txt")


@dataclasses.dataclass(frozen=True)
class Config(folders.FolderConfig):
  """The EuroSAT settings a config's `data` block may hold (`folders.FolderConfig`), with their
  defaults; the species are the classes (folder names)."""

  traits: str = VOCABULARY
  image_size: int = 64

  WHAT: ClassVar[str] = "EuroSAT"
  ROOT_HELP: ClassVar[str] = "the folder of the class folders (EuroSAT_RGB)"
  TABLE_HELP: ClassVar[str] = ("a class x characteristic CSV (e.g. parsed from "
                               "data/descriptions/eurosat.json by python -m traitjax.describe)")


def source(config: Config, split: str) -> EurosatSource:
  """The grain source of `split`; the tiles are listed once per setting (`_dataset`)."""
  dataset = _dataset(os.path.abspath(config.root), os.path.abspath(config.table),
                     os.path.abspath(config.traits),
                     config.test_root and os.path.abspath(config.test_root), config.species,
                     config.heldout_species, config.val_fraction, config.test_fraction,
                     config.seed)
  return EurosatSource(dataset, split, image_size=config.image_size)


@functools.lru_cache(maxsize=4)
def _dataset(root: str, table: str, traits: str, test_root: str, species: tuple,
             heldout_species: tuple, val_fraction: float, test_fraction: float,
             seed: int) -> EurosatDataset:
  """Listed once per setting: every split and every periodic eval shares it."""
  return EurosatDataset(root, table, traits=traits, test_root=test_root, species=species,
                        heldout_species=heldout_species, val_fraction=val_fraction,
                        test_fraction=test_fraction, seed=seed)


class EurosatDataset(folders.FolderDataset):
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

  def __init__(self, root: str | os.PathLike, table: str | os.PathLike,
               traits: str | os.PathLike = VOCABULARY, test_root: str | os.PathLike = "",
               species: Sequence[str] | str = (), heldout_species: Sequence[str] | str = (),
               val_fraction: float = 0.0, test_fraction: float = 0.2, seed: int = 0):
    folders.check_fractions(val_fraction, test_fraction)
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
    self.image_paths, self.labels, self.from_test_root, repeated = folders.merge_test_root(
        self.species_names, tiles, test_tiles)
    if repeated:
      logging.info("EuroSAT: %d tiles of %s are also under %s: left out of the test split",
                   repeated, self.test_dir, self.base_dir)
    self._split(val_fraction, test_fraction, seed, with_test_root=bool(self.test_dir))

  def __repr__(self) -> str:
    return (f"EurosatDataset({self.base_dir!r}, test_root={self.test_dir!r}, "
            f"classes={self.num_species}, tiles={len(self)})")

  def _shuffled_shares(self, name: str, tiles: np.ndarray, val_fraction: float,
                       test_fraction: float, seed: int) -> list[tuple[np.ndarray, int, int]]:
    order = np.random.default_rng([seed, zlib.crc32(name.encode())]).permutation(tiles)
    num_test = int(round(test_fraction * len(order)))
    num_val = int(round(val_fraction * (len(order) - num_test)))
    return [(order, num_test, num_val)]


class EurosatSource(folders.FolderSource):
  """Grain random-access source of one split; examples follow schema.py (no keypoints).

  A file that cannot be decoded gives an example with a zero image and ``valid`` False (logged
  once per file).
  """

  def __init__(self, dataset: EurosatDataset, split: str,
               image_size: int = Config.image_size):
    super().__init__(dataset, split, image_size, "EuroSAT tile")


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
