"""The Leafsnap field guide (photos of trees of the north-eastern United States, each showing one
organ on a black background) from its layout, as a grain random-access source.

`root` holds ``images.csv`` (``path,species,organ`` for every photo: its file relative to
`root`, e.g. ``images/Acer_rubrum/<file>.jpg``, its species' scientific name and the organ as
the guide names it) and the photos; the guide's texts (``species.json``) are what tables are
parsed from, and this reader does not read them. The species are those images.csv names, in
name order. Photos are 256 px on the longer side; an example shows the whole photo, its aspect
kept, in the middle of a black square of `image_size` (`images.decode_region`'s
`pad_to_square`: black as the guide's background).

Organs: a guide name ("Flowers pistillate (♀)", "Cluster of needles") is the organ
(`traitjax.data.organs`) that the organ map (``data/traits/leafsnap_organs.json`` unless told
otherwise: ``names``, organ -> the guide's names, and ``groups``, organ -> the trait groups,
without ``has_``, that a photo of it can show) gives it, matched by `organs.organ_key` (case,
a trailing sex mark and extra spaces aside). A name the map does not give is organ "other" (one
warning, with its count). Examples hold it as ``organ`` (`ORGAN_KEY`), int32, an index into
`organs.PHOTO_ORGANS`.

The species x trait table is a CSV (`schema.TraitTable.to_csv`'s layout) with a row for every
used species, named by its scientific name ("Acer rubrum"), and a column for every trait of the
vocabulary (`VOCABULARY`, plant traits, unless told otherwise; CUB's attributes.txt format), in
any order; empty cells are NaN. A photo's trait labels are its species' row with NaN for every
trait its organ cannot show (`organ_trait_mask`; all of them for "other"), or the whole row
without the organ mask. The guide has no per-photo trait truth, so ``traits_visible`` is all
NaN, and no keypoints (``part_names`` is empty).

Splits: the guide has no official split. The photos under `root` of each seen species and organ
are shuffled by (`seed`, species, organ) alone; the first `test_fraction` of them are ``test``,
`val_fraction` of the rest ``val`` and the others ``train``. Where a share is not a whole
number of photos (one bark photo a species: a fifth of it), the species' organs share its
whole photos by systematic sampling from a start drawn by (`seed`, species): each organ gets
the share rounded down or up, on average exactly it, and the species its own share rounded
down or up; so a species' split depends on its photos alone. With `test_root` (a folder of the
same layout, e.g. more photos of the same species), its photos of the seen species are ``test``
instead and every photo under `root` is ``train`` or ``val``; a photo of `test_root` that
`root` also holds (same species and file name) is left out. ``zeroshot`` holds every photo of
the held-out species. Examples follow the species, so each split keeps a species' photos
together.

A photo that images.csv lists but that is missing, or that does not decode, stays an example:
it is read as invalid (``valid`` False), so evaluations count it among ``num_skipped``; the
missing ones are also counted (`LeafsnapGuideDataset.num_missing`) and warned of once.
"""

from __future__ import annotations

import collections
import csv
import dataclasses
import functools
import operator
import os
from typing import ClassVar, Sequence
import zlib

from absl import logging
import numpy as np

from traitjax import paths
from traitjax.data import folders
from traitjax.data import organs as plant_organs
from traitjax.data import schema
from traitjax.data import settings

SPLITS = folders.SPLITS
# The example key of a photo's organ: int32, an index into `plant_organs.PHOTO_ORGANS`.
ORGAN_KEY = schema.ORGAN
# The photo list of a root, and its columns.
IMAGE_LIST = "images.csv"
COLUMNS = ("path", "species", "organ")
# The plant traits of the species (CUB's attributes.txt format).
VOCABULARY = paths.repo_path("data", "traits", "leafsnap.txt")
# The trait groups each organ can show, and the guide's names of each organ.
ORGAN_MAP = paths.repo_path("data", "traits", "leafsnap_organs.json")


@dataclasses.dataclass(frozen=True)
class Config(folders.FolderConfig):
  """The Leafsnap guide settings a config's `data` block may hold (`folders.FolderConfig`), with
  their defaults: species by scientific name; `organs`: the organ map; `organ_mask`: whether a
  photo's trait labels leave out (NaN) the traits its organ cannot show. The test and val
  shares are drawn per species and organ."""

  traits: str = VOCABULARY
  organs: str = ORGAN_MAP
  organ_mask: bool = True

  PATH_FIELDS: ClassVar[tuple[str, ...]] = folders.FolderConfig.PATH_FIELDS + ("organs",)
  WHAT: ClassVar[str] = "Leafsnap guide"
  ROOT_HELP: ClassVar[str] = "the folder of images.csv and images/ (leafsnap_guide)"
  TABLE_HELP: ClassVar[str] = (
      "a species x trait CSV with rows named by scientific name (e.g. parsed from the "
      "descriptions of species.json by python -m traitjax.describe)")


def source(config: Config, split: str) -> LeafsnapGuideSource:
  """The grain source of `split`; the photos are listed once per setting (`_dataset`)."""
  dataset = _dataset(
      os.path.abspath(config.root), os.path.abspath(config.table),
      os.path.abspath(config.traits), os.path.abspath(config.organs),
      config.test_root and os.path.abspath(config.test_root), config.species,
      config.heldout_species, config.val_fraction, config.test_fraction, config.seed)
  return LeafsnapGuideSource(dataset, split, image_size=config.image_size,
                             organ_mask=config.organ_mask)


@functools.lru_cache(maxsize=4)
def _dataset(root: str, table: str, traits: str, organ_map: str, test_root: str,
             species: tuple, heldout_species: tuple, val_fraction: float,
             test_fraction: float, seed: int) -> LeafsnapGuideDataset:
  """Listed once per setting: every split and every periodic eval shares it."""
  return LeafsnapGuideDataset(
      root, table, traits=traits, organ_map=organ_map, test_root=test_root, species=species,
      heldout_species=heldout_species, val_fraction=val_fraction, test_fraction=test_fraction,
      seed=seed)


class LeafsnapGuideDataset(folders.FolderDataset):
  """The used species' photos, listed once.

  Examples are the photos of each used species in species order, those under `root` (by path)
  before those under `test_root`; an example id indexes the arrays below.

  Attributes:
    root: the folder of images.csv.
    test_root: that of `test_root`, or None.
    species_names: S scientific names, in name order.
    seen_species: bool [S], False for held-out (zero-shot) species.
    trait_table: TraitTable [S, T], traits in the vocabulary's order.
    organ_classes: `organs.PHOTO_ORGANS`, the organs ``organ`` numbers.
    organ_trait_mask: bool [len(organ_classes), T], whether a photo of each organ can show
      each trait.
    part_names: () (no keypoints).
    image_paths: N photo files.
    labels: int32 [N] species row of each example.
    organs: int32 [N] each example's organ, an index into `organ_classes`.
    organ_names: N organ names as the guide writes them.
    from_test_root: bool [N], whether the photo is under `test_root`.
    num_missing: how many listed photos are not on disk (their examples are invalid).
    species_train_counts: int64 [S] training photos per species.
  """

  organ_classes = plant_organs.PHOTO_ORGANS

  def __init__(self, root: str | os.PathLike, table: str | os.PathLike,
               traits: str | os.PathLike = VOCABULARY, organ_map: str | os.PathLike = ORGAN_MAP,
               test_root: str | os.PathLike = "", species: Sequence[str] | str = (),
               heldout_species: Sequence[str] | str = (), val_fraction: float = 0.0,
               test_fraction: float = 0.2, seed: int = 0):
    folders.check_fractions(val_fraction, test_fraction)
    self.root = os.fspath(root)
    photos = _read_image_list(self.root)
    where = os.path.join(self.root, IMAGE_LIST)
    self.species_names = settings.select(species, tuple(photos), where)
    heldout = settings.heldout(heldout_species, self.species_names, tuple(photos), where)
    self.seen_species = np.array([name not in heldout for name in self.species_names])
    self.trait_table = settings.table_rows(os.fspath(table), os.fspath(traits),
                                           self.species_names)
    organ_map = plant_organs.OrganMap.from_json(organ_map)
    self.organ_trait_mask = plant_organs.organ_trait_mask(self.trait_table.traits, organ_map)

    test_photos = {}
    self.test_root = None
    if test_root:
      self.test_root = os.fspath(test_root)
      test_photos = _read_image_list(self.test_root)
      unknown = sorted(set(test_photos) - set(photos))
      if unknown:
        raise ValueError(f"test_root species {unknown} have no photos in {where}")
    rows, self.labels, self.from_test_root, repeated = folders.merge_test_root(
        self.species_names, photos, test_photos, file=operator.itemgetter(0))
    if repeated:
      logging.info("Leafsnap guide: %d photos of %s are also under %s: left out of the test "
                   "split", repeated, self.test_root, self.root)
    self.image_paths = [path for path, _ in rows]
    self.organ_names = [organ for _, organ in rows]
    self.organs = np.array([plant_organs.PHOTO_ORGANS.index(organ_map.organ(name))
                            for name in self.organ_names],
                           np.int32)
    self._warn_of_unknown_organs()
    self.num_missing = self._count_missing()
    self._split(val_fraction, test_fraction, seed, with_test_root=bool(self.test_root))

  def __repr__(self) -> str:
    return (f"LeafsnapGuideDataset({self.root!r}, test_root={self.test_root!r}, "
            f"species={self.num_species}, photos={len(self)})")

  def _warn_of_unknown_organs(self) -> None:
    unknown = collections.Counter(
        name for name, organ in zip(self.organ_names, self.organs)
        if plant_organs.PHOTO_ORGANS[organ] == plant_organs.OTHER)
    if unknown:
      logging.warning("Leafsnap guide: photos of organs the organ map does not name are organ "
                      "'other', with no trait label (photos of each: %s)",
                      ", ".join(f"{name!r}: {count}" for name, count in sorted(unknown.items())))

  def _count_missing(self) -> int:
    missing = [path for path in self.image_paths if not os.path.isfile(path)]
    if missing:
      logging.warning("Leafsnap guide: %d of the %d photos listed are missing (counted as "
                      "skipped), e.g. %s", len(missing), len(self), missing[0])
    return len(missing)

  def _shuffled_shares(self, name: str, photos: np.ndarray, val_fraction: float,
                       test_fraction: float, seed: int) -> list[tuple[np.ndarray, int, int]]:
    shuffled = [
        np.random.default_rng([seed, _crc(name), _crc(organ)]).permutation(
            photos[self.organs[photos] == number])
        for number, organ in enumerate(plant_organs.PHOTO_ORGANS)]
    starts = np.random.default_rng([seed, _crc(name)]).random(2)
    num_test = _shares(test_fraction, [len(p) for p in shuffled], starts[0])
    num_val = _shares(val_fraction, [len(p) - n for p, n in zip(shuffled, num_test)], starts[1])
    return list(zip(shuffled, num_test, num_val))


class LeafsnapGuideSource(folders.FolderSource):
  """Grain random-access source of one split; examples follow schema.py (no keypoints), with
  the photo's organ as ``organ`` (`ORGAN_KEY`).

  With `organ_mask`, a photo's ``traits`` are NaN where its organ cannot show the trait
  (`organ_trait_mask`); without, its species' whole row. A file that is missing or cannot be
  decoded gives an example with a zero image and ``valid`` False (logged once per file).
  """

  pad_to_square = True

  def __init__(self, dataset: LeafsnapGuideDataset, split: str,
               image_size: int = Config.image_size,
               organ_mask: bool = Config.organ_mask):
    super().__init__(dataset, split, image_size, "Leafsnap guide photo")
    self.organ_mask = organ_mask
    self.organ_classes = dataset.organ_classes
    self.organ_trait_mask = dataset.organ_trait_mask
    self.organs = dataset.organs[dataset.split_indices(split)]
    self._labelled = self.organ_trait_mask if organ_mask else np.ones_like(
        self.organ_trait_mask)

  def __repr__(self) -> str:
    return (f"LeafsnapGuideSource(split={self.split!r}, n={len(self)}, size={self.image_size}, "
            f"organ_mask={self.organ_mask})")

  def annotations(self, index: int) -> dict[str, np.ndarray]:
    """Example `index` without what its pixels decide: its traits masked by its organ."""
    label, organ = self.labels[index], self.organs[index]
    traits = np.where(self._labelled[organ], self.trait_table.values[label], np.nan)
    return {**super().annotations(index), schema.TRAITS: traits.astype(np.float32),
            ORGAN_KEY: np.int32(organ)}


def _crc(name: str) -> int:
  return zlib.crc32(name.encode())


def _shares(fraction: float, counts: Sequence[int], start: float) -> np.ndarray:
  """int64 [len(counts)]: how many items of each group to take for `fraction` of them, by
  systematic sampling from `start` in [0, 1): each group its share rounded down or up, all of
  them together their share rounded down or up, each on average over `start` exactly its
  share."""
  # Rounded to 9 places so that a whole share (a fifth of 10) never gains one from float error.
  cumulative = np.round(fraction * np.cumsum([0, *counts]), 9)
  return np.diff(np.floor(cumulative + start)).astype(np.int64)


def _read_image_list(root: str) -> dict[str, list[tuple[str, str]]]:
  """Species name -> its (photo file, guide organ name) pairs, sorted by file; species in name
  order. A line repeating the header (files joined) is left out."""
  if not os.path.isdir(root):
    raise FileNotFoundError(f"Leafsnap guide root not found: {root}")
  path = os.path.join(root, IMAGE_LIST)
  if not os.path.isfile(path):
    raise FileNotFoundError(f"no {IMAGE_LIST} in {root} (expected {','.join(COLUMNS)} lines "
                            f"for the photos under images/<Genus_species>/)")
  with open(path, newline="", encoding="utf-8") as f:
    lines = list(csv.reader(f))
  if not lines or tuple(lines[0]) != COLUMNS:
    raise ValueError(f"{path}: the header must be {','.join(COLUMNS)}, got "
                     f"{','.join(lines[0]) if lines else 'an empty file'}")
  photos = collections.defaultdict(list)
  for number, line in enumerate(lines[1:], start=2):
    if not line or tuple(line) == COLUMNS:
      continue
    if len(line) != len(COLUMNS) or not line[0].strip() or not line[1].strip():
      raise ValueError(f"{path}:{number}: expected a photo file, a species and an organ, got "
                       f"{line}")
    file, name, organ = line
    photos[name.strip()].append((os.path.join(root, file.strip()), organ))
  if not photos:
    raise ValueError(f"{path}: lists no photo")
  return {name: sorted(photos[name]) for name in sorted(photos)}
