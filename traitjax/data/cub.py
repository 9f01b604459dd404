"""CUB-200-2011 from its official layout, as a grain random-access source.

`root` is the extracted tarball folder (``CUB_200_2011/`` with ``attributes.txt`` beside it) or
``CUB_200_2011`` itself. The species-level trait table is the continuous attribute table (the
percentage of a species' images in which annotators marked each of the 312 attributes) divided
by 100. CUB has no per-image trait truth in this layout, so ``traits_visible`` is all NaN.

Splits: ``train`` and ``test`` follow ``train_test_split.txt`` for seen species (``val`` takes a
per-species share of ``train``); ``zeroshot`` holds every image of the held-out species.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from typing import ClassVar, Sequence

import numpy as np

from traitjax.data import images
from traitjax.data import schema
from traitjax.data import settings

SPLITS = ("train", "val", "test", "zeroshot", "all")
BASE_DIR = "CUB_200_2011"
ATTRIBUTE_NAMES = "attributes.txt"
_ANNOTATIONS = {
    "images": "images.txt",
    "labels": "image_class_labels.txt",
    "is_train": "train_test_split.txt",
    "boxes": "bounding_boxes.txt",
    "classes": "classes.txt",
    "parts": os.path.join("parts", "parts.txt"),
    "part_locs": os.path.join("parts", "part_locs.txt"),
    "attributes": os.path.join("attributes", "class_attribute_labels_continuous.txt"),
}


@dataclasses.dataclass(frozen=True)
class Config:
  """The CUB settings a config's `data` block may hold, with their defaults (the one place
  they are written; configs/cub.py sets the ones its experiment needs). `species`: official
  class ids, or positions "A:B" among the species under `root` in id order (empty: every
  species there); `heldout_species`: class ids with no training images (zero-shot), positions
  "A:B" among the used species, or "all"; `trait_threshold`: None keeps the attribute percentages as
  frequencies; `val_fraction`: training photos carved off per species as `val`; `label_table`:
  a CSV table (e.g. parsed from descriptions by ``traitjax.describe``) whose rows become the
  trait labels of the train and val photos, while test and zero-shot photos keep the attribute
  table, the truth they are scored against ("" = the attribute table everywhere)."""

  root: str = ""
  species: tuple[int, ...] | str = ()
  heldout_species: tuple[int, ...] | str = ()
  trait_threshold: float | None = None
  val_fraction: float = 0.0
  seed: int = 0
  image_size: int = 224
  crop_to_bbox: bool = False
  bbox_margin: float = 0.1
  label_table: str = ""

  # The fields that name a file or folder the dataset reads.
  PATH_FIELDS: ClassVar[tuple[str, ...]] = ("root", "label_table")

  @classmethod
  def from_config(cls, config) -> Config:
    """From a mapping or ConfigDict with (a subset of) these fields and `name`; other keys are
    refused."""
    items = settings.config_items(config, cls, "CUB")
    if not items.get("root"):
      raise ValueError("CUB needs data.root: the extracted CUB_200_2011 tarball folder")
    return cls(**items)

  def splits(self) -> tuple[str, ...]:
    """The splits offered: no val without `val_fraction`, no zeroshot without held-out
    species."""
    return settings.offered_splits(val=self.val_fraction > 0, test=True,
                                   zeroshot=bool(self.heldout_species))


def source(config: Config, split: str) -> CubSource:
  """The grain source of `split`; the annotations are parsed once per setting (`_dataset`)."""
  dataset = _dataset(os.path.abspath(config.root), config.species, config.heldout_species,
                     config.trait_threshold, config.val_fraction, config.seed)
  source_of_split = CubSource(dataset, split, image_size=config.image_size,
                              crop_to_bbox=config.crop_to_bbox, bbox_margin=config.bbox_margin)
  if config.label_table and split in LABELLED_SPLITS:
    source_of_split.trait_table = with_label_rows(source_of_split.trait_table,
                                                  config.label_table)
  return source_of_split


@functools.lru_cache(maxsize=4)
def _dataset(root: str, species: tuple, heldout_species: tuple, trait_threshold,
             val_fraction: float, seed: int) -> CubDataset:
  """Parsed once per setting: every split and every periodic eval shares it."""
  return CubDataset(root, species=species, heldout_species=heldout_species,
                    trait_threshold=trait_threshold, val_fraction=val_fraction, seed=seed)


class CubDataset:
  """The metadata of the used species' images, parsed once.

  Examples are the used species' images in ``images.txt`` order; an example id indexes the
  arrays below. Species rows follow the sorted official class ids.

  Attributes:
    base_dir: the ``CUB_200_2011`` folder.
    class_ids: S official 1-based class ids, sorted.
    species_names: S names from classes.txt (``001.Black_footed_Albatross``).
    seen_species: bool [S], False for held-out (zero-shot) species.
    trait_table: TraitTable [S, 312] with names from attributes.txt.
    part_names: 15 keypoint names from parts/parts.txt.
    image_ids: int64 [N] official image ids.
    image_paths: N paths relative to ``base_dir/images``.
    labels: int32 [N] species row of each example.
    is_official_train: bool [N].
    boxes: float32 [N, 4] bounding boxes (x0, y0, x1, y1) in original pixels.
    parts: float32 [N, 15, 3] keypoints (x, y, visible) in original pixels.
    species_train_counts: int64 [S] training images per species.
  """

  def __init__(self, root: str | os.PathLike, species: Sequence[int] | str = (),
               heldout_species: Sequence[int] | str = (), trait_threshold: float | None = None,
               val_fraction: float = 0.0, seed: int = 0):
    if not 0.0 <= val_fraction < 1.0:
      raise ValueError(f"val_fraction must lie in [0, 1), got {val_fraction}")
    self.base_dir = _base_dir(os.fspath(root))
    files = {k: os.path.join(self.base_dir, v) for k, v in _ANNOTATIONS.items()}
    missing = [p for p in files.values() if not os.path.isfile(p)]
    if missing:
      raise FileNotFoundError(f"CUB annotation files not found: {', '.join(missing)}")

    image_ids, image_paths = _read_names(files["images"])
    position = _positions(image_ids, files["images"])
    class_of_image = _per_image(files["labels"], 1, position)[:, 0].astype(np.int64)
    is_train = _per_image(files["is_train"], 1, position)[:, 0] == 1
    x, y, w, h = _per_image(files["boxes"], 4, position).T
    boxes = np.stack([x, y, x + w, y + h], axis=1).astype(np.float32)
    part_numbers, part_names = _read_names(files["parts"])
    _require_consecutive(part_numbers, files["parts"])
    parts = _read_part_locs(files["part_locs"], position, len(part_names))
    class_names, trait_names, percent = _read_attribute_table(self.base_dir)

    present = np.unique(class_of_image)
    if present[0] < 1 or present[-1] > len(class_names):
      raise ValueError(f"{files['labels']}: class ids must lie in 1..{len(class_names)}")
    self.class_ids = tuple(int(c) for c in _select_species(species, present, len(class_names)))
    if heldout_species == "all":
      heldout_species = self.class_ids  # A root of species none of which was trained.
    elif isinstance(heldout_species, str):
      heldout_species = settings.by_position(heldout_species, self.class_ids, "heldout_species")
    heldout = {int(c) for c in heldout_species}
    if not heldout <= set(self.class_ids):
      raise ValueError(f"held-out species {sorted(heldout - set(self.class_ids))} are not "
                       f"among the used species")
    self.species_names = tuple(class_names[c - 1] for c in self.class_ids)
    self.seen_species = np.array([c not in heldout for c in self.class_ids])
    table = schema.TraitTable(
        np.clip(percent[np.array(self.class_ids) - 1] / 100.0, 0.0, 1.0),
        species=self.species_names, traits=trait_names)
    self.trait_table = table if trait_threshold is None else _threshold(table, trait_threshold)
    self.part_names = tuple(part_names)

    used = np.isin(class_of_image, self.class_ids)
    self.image_ids = image_ids[used]
    self.image_paths = [p for p, u in zip(image_paths, used) if u]
    self.labels = np.searchsorted(self.class_ids, class_of_image[used]).astype(np.int32)
    self.is_official_train = is_train[used]
    self.boxes = boxes[used]
    self.parts = parts[used]
    self._check_images_exist()

    self._splits = self._make_splits(val_fraction, seed)
    self.species_train_counts = np.bincount(
        self.labels[self._splits["train"]], minlength=len(self.class_ids))

  def __len__(self) -> int:
    return len(self.image_ids)

  def __repr__(self) -> str:
    return f"CubDataset({self.base_dir!r}, species={len(self.class_ids)}, images={len(self)})"

  @property
  def num_species(self) -> int:
    return len(self.class_ids)

  def image_path(self, example: int) -> str:
    return os.path.join(self.base_dir, "images", self.image_paths[example])

  def split_indices(self, split: str) -> np.ndarray:
    """int64 [n] example ids of a split, ascending."""
    if split not in SPLITS:
      raise ValueError(f"unknown split {split!r}; valid splits: {', '.join(SPLITS)}")
    if split not in self._splits:
      raise ValueError("split 'val' is empty: the dataset was built with val_fraction=0")
    return self._splits[split].copy()

  def _check_images_exist(self) -> None:
    missing = [p for p in map(self.image_path, range(len(self))) if not os.path.exists(p)]
    if missing:
      raise FileNotFoundError(
          f"{len(missing)} of {len(self)} images listed in images.txt are missing; "
          f"first: {missing[0]}")

  def _make_splits(self, val_fraction: float, seed: int) -> dict[str, np.ndarray]:
    seen = self.seen_species[self.labels]
    official_train = np.flatnonzero(seen & self.is_official_train)
    val = []
    if val_fraction > 0:
      for row, class_id in enumerate(self.class_ids):
        candidates = official_train[self.labels[official_train] == row]
        count = int(round(val_fraction * len(candidates)))
        rng = np.random.default_rng([seed, class_id])
        val.append(rng.permutation(candidates)[:count])
    splits = {
        "train": official_train,
        "test": np.flatnonzero(seen & ~self.is_official_train),
        "zeroshot": np.flatnonzero(~seen),
        "all": np.arange(len(self)),
    }
    if val_fraction > 0:
      splits["val"] = np.sort(np.concatenate(val)).astype(np.int64)
      splits["train"] = np.setdiff1d(official_train, splits["val"])
    return splits


class CubSource:
  """Grain random-access source of one split; examples follow schema.py.

  With ``crop_to_bbox`` the image shows the bounding box enlarged by ``bbox_margin`` of its
  size on each side (clipped to the image). Keypoints are normalised to the output image; those
  outside it become invisible (0, 0, 0). A file that cannot be decoded gives an example with a
  zero image, no keypoints and ``valid`` False (logged once per file).
  """

  def __init__(self, dataset: CubDataset, split: str, image_size: int = Config.image_size,
               crop_to_bbox: bool = Config.crop_to_bbox,
               bbox_margin: float = Config.bbox_margin):
    if bbox_margin < 0:
      raise ValueError(f"bbox_margin must be >= 0, got {bbox_margin}")
    examples = dataset.split_indices(split)
    self.split = split
    self.image_size = image_size
    self.crop_to_bbox = crop_to_bbox
    self.bbox_margin = bbox_margin
    self.trait_table = dataset.trait_table
    self.part_names = dataset.part_names
    self.seen_species = dataset.seen_species
    self.species_train_counts = dataset.species_train_counts
    self.labels = dataset.labels[examples]
    self._paths = [dataset.image_path(e) for e in examples]
    self._boxes = dataset.boxes[examples]
    self._parts = dataset.parts[examples]
    self._decode = images.SkippingDecoder("CUB image")

  def __len__(self) -> int:
    return len(self.labels)

  def __repr__(self) -> str:
    return (f"CubSource(split={self.split!r}, n={len(self)}, size={self.image_size}, "
            f"crop_to_bbox={self.crop_to_bbox})")

  def __getitem__(self, index: int) -> dict[str, np.ndarray]:
    index = int(index)
    if not 0 <= index < len(self):
      raise IndexError(f"index {index} out of range for {self!r}")
    image, region = self._decode(self._paths[index], self.image_size, self._box(index))
    valid = region is not None
    parts = _normalise_parts(self._parts[index], region) if valid else np.zeros_like(
        self._parts[index])
    return {schema.IMAGE: image, schema.PARTS: parts, schema.VALID: np.bool_(valid),
            **self.annotations(index)}

  def annotations(self, index: int) -> dict[str, np.ndarray]:
    """Example `index` without what its pixels decide (schema.py)."""
    return schema.species_annotations(self.labels[index], self.trait_table, int(index))

  def photo_key(self, index: int) -> str:
    """What decides the pixels (and keypoints) of example `index` (schema.py)."""
    return images.photo_key(self._paths[index], self.image_size, self._box(index))

  def image_path(self, index: int) -> str:
    """The file example `index` of this split is read from."""
    return self._paths[index]

  def _box(self, index: int) -> tuple[float, ...] | None:
    if not self.crop_to_bbox:
      return None
    x0, y0, x1, y1 = self._boxes[index]
    margin_x, margin_y = self.bbox_margin * (x1 - x0), self.bbox_margin * (y1 - y0)
    return (x0 - margin_x, y0 - margin_y, x1 + margin_x, y1 + margin_y)


def _normalise_parts(parts: np.ndarray, region: tuple[float, float, float, float]) -> np.ndarray:
  """float32 [P, 3] (x, y, visible) in pixels -> in [0, 1] of `region`; outside -> (0, 0, 0)."""
  x0, y0, x1, y1 = region
  xy = (parts[:, :2] - (x0, y0)) / (x1 - x0, y1 - y0)
  inside = (parts[:, 2] > 0) & np.all((xy >= 0) & (xy <= 1), axis=1)
  out = np.concatenate([xy, np.ones_like(xy[:, :1])], axis=1)
  return np.where(inside[:, None], out, 0.0).astype(np.float32)


LABELLED_SPLITS = ("train", "val")  # The splits `label_table` gives trait labels to.


def with_label_rows(table: schema.TraitTable, path: str | os.PathLike) -> schema.TraitTable:
  """``table`` with every species' row replaced by its row in the CSV table at ``path``
  (species matched by ``schema.species_key``).

  Raises:
    FileNotFoundError for a missing file; ValueError naming species of ``table`` the CSV lacks
    or traits that differ.
  """
  labels = schema.TraitTable.from_csv(path)
  row = {schema.species_key(name): index for index, name in enumerate(labels.species)}
  missing = [name for name in table.species if schema.species_key(name) not in row]
  if missing:
    raise ValueError(f"{os.fspath(path)}: no row for {len(missing)} species, e.g. "
                     f"{missing[:3]}")
  return table.with_rows(labels.rows([row[schema.species_key(name)] for name in table.species]))


def read_species_table(root: str | os.PathLike, with_images: bool = False) -> schema.TraitTable:
  """The species x attribute table of a CUB root without reading its images: every class of
  classes.txt (``with_images``: only those image_class_labels.txt gives photos), values the
  share of a species' photos showing the attribute (percent / 100).

  Raises:
    FileNotFoundError for missing annotation files; ValueError for malformed ones.
  """
  base_dir = _base_dir(os.fspath(root))
  labels_path = os.path.join(base_dir, _ANNOTATIONS["labels"])
  if not os.path.isfile(labels_path):
    raise FileNotFoundError(f"CUB annotation files not found: {labels_path}")
  class_names, trait_names, percent = _read_attribute_table(base_dir)
  rows = np.arange(len(class_names))
  if with_images:
    labels = _read_table(labels_path)[:, 1].astype(np.int64)
    rows = np.unique(labels[(labels >= 1) & (labels <= len(class_names))]) - 1
  return schema.TraitTable(np.clip(percent[rows] / 100.0, 0.0, 1.0),
                           species=tuple(class_names[r] for r in rows), traits=trait_names)


def _read_attribute_table(base_dir: str) -> tuple[list[str], list[str], np.ndarray]:
  """(class names, attribute names, float [classes, attributes] percentages) of a CUB folder,
  each file checked: numbered 1, 2, ... and the table of their shape."""
  files = {k: os.path.join(base_dir, _ANNOTATIONS[k]) for k in ("classes", "attributes")}
  missing = [p for p in files.values() if not os.path.isfile(p)]
  if missing:
    raise FileNotFoundError(f"CUB annotation files not found: {', '.join(missing)}")
  names_path = _attribute_names_path(base_dir)
  class_numbers, class_names = _read_names(files["classes"])
  _require_consecutive(class_numbers, files["classes"])
  trait_numbers, trait_names = _read_names(names_path)
  _require_consecutive(trait_numbers, names_path)
  percent = _read_table(files["attributes"])
  if percent.shape != (len(class_names), len(trait_names)):
    raise ValueError(f"{files['attributes']}: shape {percent.shape}, expected "
                     f"({len(class_names)} classes, {len(trait_names)} attributes)")
  return class_names, trait_names, percent


def _base_dir(root: str) -> str:
  """The CUB_200_2011 folder: `root` itself or its CUB_200_2011 child."""
  if not os.path.isdir(root):
    raise FileNotFoundError(f"CUB root not found: {root}")
  base = os.path.join(root, BASE_DIR)
  return base if os.path.isdir(base) else root


def _attribute_names_path(base_dir: str) -> str:
  """attributes.txt beside the CUB_200_2011 folder (as in the tarball), else inside it."""
  candidates = [os.path.join(os.path.dirname(os.path.abspath(base_dir)), ATTRIBUTE_NAMES),
                os.path.join(base_dir, ATTRIBUTE_NAMES)]
  for path in candidates:
    if os.path.isfile(path):
      return path
  raise FileNotFoundError(f"CUB attribute names not found: {' or '.join(candidates)}")


def _read_names(path: str) -> tuple[np.ndarray, list[str]]:
  """``<id> <name>`` lines -> (int64 ids, names)."""
  ids, names = [], []
  with open(path) as f:
    for line_number, line in enumerate(f, start=1):
      fields = line.split(maxsplit=1)
      if not fields:
        continue
      if len(fields) != 2 or not fields[0].isdigit():
        raise ValueError(f"{path}:{line_number}: expected '<id> <name>', got {line.strip()!r}")
      ids.append(int(fields[0]))
      names.append(fields[1].strip())
  return np.array(ids, np.int64), names


def _read_table(path: str) -> np.ndarray:
  """float64 [rows, columns] of a whitespace-separated numeric file."""
  try:
    return np.loadtxt(path, dtype=np.float64, ndmin=2)
  except ValueError as e:
    raise ValueError(f"{path}: {e}") from None


def _require_consecutive(ids: np.ndarray, path: str) -> None:
  if not np.array_equal(ids, np.arange(1, len(ids) + 1)):
    raise ValueError(f"{path}: ids must run 1, 2, ... in order")


def _positions(image_ids: np.ndarray, path: str) -> np.ndarray:
  """int64 [max id + 1]: row of each image id in images.txt, -1 where absent."""
  if not len(image_ids):
    raise ValueError(f"{path}: lists no images")
  if len(np.unique(image_ids)) != len(image_ids) or (image_ids < 1).any():
    raise ValueError(f"{path}: image ids must be distinct positive integers")
  position = np.full(image_ids.max() + 1, -1, np.int64)
  position[image_ids] = np.arange(len(image_ids))
  return position


def _rows_of(ids: np.ndarray, position: np.ndarray, path: str) -> np.ndarray:
  known = (ids >= 0) & (ids < len(position))
  rows = np.where(known, position[np.where(known, ids, 0)], -1)
  if (rows < 0).any():
    raise ValueError(f"{path}: image id {ids[rows < 0][0]} is not in images.txt")
  return rows


def _per_image(path: str, columns: int, position: np.ndarray) -> np.ndarray:
  """float64 [N, columns]: the values after the image id, in images.txt order."""
  table = _read_table(path)
  if table.shape[1] != columns + 1:
    raise ValueError(f"{path}: {table.shape[1]} columns, expected {columns + 1}")
  rows = _rows_of(table[:, 0].astype(np.int64), position, path)
  num_images = int((position >= 0).sum())
  if len(rows) != num_images or len(np.unique(rows)) != num_images:
    raise ValueError(f"{path}: expected exactly one row for each of the {num_images} images")
  values = np.empty((num_images, columns))
  values[rows] = table[:, 1:]
  return values


def _read_part_locs(path: str, position: np.ndarray, num_parts: int) -> np.ndarray:
  """float32 [N, P, 3] from ``<image id> <part id> <x> <y> <visible>`` rows."""
  table = _read_table(path)
  if table.shape[1] != 5:
    raise ValueError(f"{path}: {table.shape[1]} columns, expected 5")
  rows = _rows_of(table[:, 0].astype(np.int64), position, path)
  part = table[:, 1].astype(np.int64) - 1
  if ((part < 0) | (part >= num_parts)).any():
    raise ValueError(f"{path}: part ids must lie in 1..{num_parts}")
  num_images = int((position >= 0).sum())
  if len(np.unique(rows * num_parts + part)) != len(table) or len(table) != num_images * num_parts:
    raise ValueError(f"{path}: expected one row per image and part")
  parts = np.zeros((num_images, num_parts, 3), np.float32)
  parts[rows, part] = table[:, 2:]
  return parts


def _select_species(species: Sequence[int] | str, present: np.ndarray,
                    num_classes: int) -> np.ndarray:
  """Sorted class ids: `species` (ids validated, or positions "A:B" among the classes with
  images) or every class with images."""
  if isinstance(species, str):
    return settings.by_position(species, present, "species")
  if not len(species):
    return present
  chosen = np.unique(np.asarray(species, np.int64))
  unknown = chosen[(chosen < 1) | (chosen > num_classes)]
  if unknown.size:
    raise ValueError(f"species {unknown.tolist()} are not CUB class ids (1..{num_classes})")
  absent = np.setdiff1d(chosen, present)
  if absent.size:
    raise ValueError(f"species {absent.tolist()} have no images in images.txt")
  return chosen


def _threshold(table: schema.TraitTable, level: float) -> schema.TraitTable:
  if not 0.0 <= level <= 1.0:
    raise ValueError(f"trait_threshold must lie in [0, 1] (a fraction, not a percent), got "
                     f"{level}")
  return table.threshold(level)
