"""The batch contract and the species x trait table.

Every data source yields *examples* and every pipeline yields *batches*: dicts of numpy arrays.
An example has the keys below without the leading batch axis; a batch stacks B of them.

- ``image``: an example holds uint8 [H, W, 3]; a batch holds float32 [B, H, W, 3] in [-1, 1]
  (``image_to_float``). Pipelines do that conversion once per batch.
- ``species``: int32 [B], the row of the dataset's ``TraitTable``; -1 where unknown.
- ``traits``: float32 [B, T], the (noisy) species-level labels of the image's species, in [0, 1];
  NaN where the table has no value.
- ``traits_visible``: float32 [B, T], per-image truth where the dataset has it (1 present and
  visible, 0 absent, NaN where the part carrying the trait is not visible or the dataset has no
  per-image truth).
- ``parts``: float32 [B, P, 3] keypoints (x, y, visible) with x, y in [0, 1] of the output image
  (x to the right, y down).
- ``valid``: bool [B]. False for padding in the last eval batch and for examples whose file
  could not be decoded (those are counted, never silently dropped).
- ``index``: int32 [B], the example's index in its source; -1 for padding.
- ``degradation``: int32 [B], an index into ``DEGRADATIONS`` (0 = none; -1 where unknown) and
  ``degradation_strength`` float32 [B] in [0, 1].
- ``organ`` (only where photos each show one organ of the organism, e.g. the Leafsnap guide):
  int32 [B], an index into the source's ``organ_classes``; its ``organ_trait_mask`` [organs, T]
  says which traits a photo of each organ can show.
- ``feature_map`` (in place of ``image``, in the examples of a feature cache,
  `traitjax.feature_cache`): float [B, h, w, C], what the frozen backbone makes of the photo.

A source of photo files also says what an example holds without reading its pixels
(``annotations(index)``: every key but ``image``, ``parts`` and ``valid``) and what decides its
pixels (``photo_key(index)``: the file, its size and time, and how it is cropped and sized).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
from typing import Mapping, Sequence

import numpy as np

IMAGE = "image"
SPECIES = "species"
TRAITS = "traits"
TRAITS_VISIBLE = "traits_visible"
PARTS = "parts"
VALID = "valid"
INDEX = "index"
DEGRADATION = "degradation"
DEGRADATION_STRENGTH = "degradation_strength"
ORGAN = "organ"
FEATURE_MAP = "feature_map"

DEGRADATIONS = ("none", "blur", "dark", "partial")

EXAMPLE_DTYPES = {
    IMAGE: np.uint8,
    SPECIES: np.int32,
    TRAITS: np.float32,
    TRAITS_VISIBLE: np.float32,
    PARTS: np.float32,
    VALID: np.bool_,
    INDEX: np.int32,
    DEGRADATION: np.int32,
    DEGRADATION_STRENGTH: np.float32,
}

GROUP_SEPARATOR = "::"


def image_to_float(image: np.ndarray) -> np.ndarray:
  """uint8 [..., H, W, 3] -> float32 in [-1, 1]."""
  return image.astype(np.float32) * np.float32(2.0 / 255.0) - np.float32(1.0)


def check_example(example: Mapping[str, np.ndarray], num_traits: int, num_parts: int) -> None:
  """Raises ValueError naming the first key whose dtype or shape breaks the contract."""
  missing = set(EXAMPLE_DTYPES) - set(example)
  if missing:
    raise ValueError(f"example lacks keys {sorted(missing)}")
  for key, dtype in EXAMPLE_DTYPES.items():
    value = np.asarray(example[key])
    if value.dtype != dtype:
      raise ValueError(f"example[{key!r}] has dtype {value.dtype}, expected {np.dtype(dtype)}")
  expected_shapes = {
      TRAITS: (num_traits,), TRAITS_VISIBLE: (num_traits,), PARTS: (num_parts, 3)}
  for key, shape in expected_shapes.items():
    if example[key].shape != shape:
      raise ValueError(f"example[{key!r}] has shape {example[key].shape}, expected {shape}")
  image = example[IMAGE]
  if image.ndim != 3 or image.shape[-1] != 3:
    raise ValueError(f"example['image'] has shape {image.shape}, expected [H, W, 3]")


def species_annotations(species: int, table: TraitTable, index: int) -> dict[str, np.ndarray]:
  """What an example labelled by its species' row of `table` alone holds without its pixels:
  no per-photo trait truth (`traits_visible` is NaN), not degraded."""
  return {
      SPECIES: np.int32(species),
      TRAITS: table.values[species],
      TRAITS_VISIBLE: np.full(table.num_traits, np.nan, np.float32),
      INDEX: np.int32(index),
      DEGRADATION: np.int32(-1),
      DEGRADATION_STRENGTH: np.float32(np.nan),
  }


def species_example(image: np.ndarray, species: int, table: TraitTable, parts: np.ndarray,
                    valid: bool, index: int) -> dict[str, np.ndarray]:
  """`species_annotations` with the photo: `parts` float32 [P, 3] as the contract has them."""
  return {IMAGE: image, PARTS: parts, VALID: np.bool_(valid),
          **species_annotations(species, table, index)}


@dataclasses.dataclass(frozen=True)
class TraitTable:
  """A species x trait matrix with names.

  Attributes:
    values: float32 [S, T] in [0, 1]; NaN where nothing is known.
    species: S species names.
    traits: T trait names, ``group::value`` (e.g. ``leaf_shape::ovate``).
    groups: T group names (the part of each trait name before ``::``, or the name itself).
  """

  values: np.ndarray
  species: tuple[str, ...]
  traits: tuple[str, ...]
  groups: tuple[str, ...] = ()

  def __post_init__(self):
    values = np.asarray(self.values, np.float32)
    object.__setattr__(self, "values", values)
    object.__setattr__(self, "species", tuple(self.species))
    object.__setattr__(self, "traits", tuple(self.traits))
    if not self.groups:
      object.__setattr__(self, "groups", tuple(group_of(t) for t in self.traits))
    object.__setattr__(self, "groups", tuple(self.groups))
    if values.shape != (len(self.species), len(self.traits)):
      raise ValueError(
          f"TraitTable values have shape {values.shape}, expected "
          f"({len(self.species)} species, {len(self.traits)} traits)")
    if len(self.groups) != len(self.traits):
      raise ValueError(f"{len(self.groups)} groups for {len(self.traits)} traits")
    known = values[~np.isnan(values)]
    if known.size and (known.min() < 0 or known.max() > 1):
      raise ValueError("TraitTable values must lie in [0, 1] (or be NaN)")

  @property
  def num_species(self) -> int:
    return len(self.species)

  @property
  def num_traits(self) -> int:
    return len(self.traits)

  def group_names(self) -> tuple[str, ...]:
    """Distinct groups in first-seen order."""
    return tuple(dict.fromkeys(self.groups))

  def group_indices(self) -> np.ndarray:
    """int [T]: each trait's group, numbered as in `group_names`."""
    numbers = {name: i for i, name in enumerate(self.group_names())}
    return np.array([numbers[g] for g in self.groups], np.int32)

  def rows(self, species: Sequence[int]) -> TraitTable:
    """The table restricted to the given species rows, in that order."""
    index = np.asarray(species, np.int64)
    return dataclasses.replace(
        self, values=self.values[index], species=tuple(self.species[i] for i in index))

  def with_rows(self, replacement: TraitTable) -> TraitTable:
    """This table with the rows of the species `replacement` names replaced by its rows
    (e.g. rows parsed from descriptions), matched by trait name and by species name as
    ``species_key`` writes it ("Eastern Towhee" is "021.Eastern_Towhee")."""
    keys = {species_key(name) for name in self.species}
    unknown = [name for name in replacement.species if species_key(name) not in keys]
    if unknown:
      raise ValueError(f"{len(unknown)} species of the replacement rows are not in the table, "
                       f"e.g. {unknown[:3]}")
    return self.with_species(replacement)

  def with_species(self, rows: TraitTable) -> TraitTable:
    """This table with the species of `rows` (e.g. parsed from descriptions), traits matched
    by name: a species already in the table (matched by ``species_key``) has its row replaced,
    a new one is appended after the others (in the order of `rows`), so the existing species
    keep their row numbers and names."""
    if sorted(rows.traits) != sorted(self.traits):
      missing = sorted(set(self.traits) - set(rows.traits))
      extra = sorted(set(rows.traits) - set(self.traits))
      raise ValueError(f"the new rows' traits differ from the table's: missing "
                       f"{missing[:3]} ({len(missing)}), unknown {extra[:3]} ({len(extra)})")
    columns = [rows.traits.index(name) for name in self.traits]
    values, species = self.values.copy(), list(self.species)
    keys = [species_key(name) for name in species]
    for row, name in zip(rows.values[:, columns], rows.species):
      if species_key(name) in keys:
        values[keys.index(species_key(name))] = row
      else:
        values = np.concatenate([values, row[None]])
        species.append(name)
        keys.append(species_key(name))
    return dataclasses.replace(self, values=values, species=tuple(species))

  def threshold(self, level: float = 0.5) -> TraitTable:
    """Binary table: 1 where value >= level, 0 below, NaN kept."""
    binary = np.where(np.isnan(self.values), np.nan, (self.values >= level).astype(np.float32))
    return dataclasses.replace(self, values=binary)

  def add_noise(self, rng: np.random.Generator, false_positive: float = 0.0,
                false_negative: float = 0.0, missing: float = 0.0,
                graded: bool = False) -> TraitTable:
    """Imitates a table text-mined from descriptions.

    Each known cell first goes missing (NaN) with probability ``missing``; of the cells left,
    absent traits (value < 0.5) become 1 with probability ``false_positive`` and present traits
    become 0 with probability ``false_negative``. The result is binary; with ``graded`` the
    cells keep their frequencies (a description that says "usually yellow, sometimes white")
    and a flip turns a value v into 1 - v.
    """
    for name, rate in (("false_positive", false_positive), ("false_negative", false_negative),
                       ("missing", missing)):
      if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{name} rate must lie in [0, 1], got {rate}")
    clean = self.threshold(0.5).values
    u_missing, u_flip = rng.random((2,) + clean.shape)
    flip = np.where(clean == 1, u_flip < false_negative, u_flip < false_positive)
    kept = self.values if graded else clean
    noisy = np.where(flip, 1.0 - kept, kept)
    noisy = np.where(u_missing < missing, np.nan, noisy).astype(np.float32)
    return dataclasses.replace(self, values=noisy)

  # ---- files -------------------------------------------------------------------------------

  def to_csv(self, path: str | os.PathLike) -> None:
    """Header ``species,<trait 1>,...``; one row per species; empty cells for NaN.

    Groups are not stored: reading back derives them from the ``group::value`` names (JSON
    keeps them).
    """
    with open(path, "w", newline="") as f:
      writer = csv.writer(f)
      writer.writerow(("species",) + self.traits)
      for name, row in zip(self.species, self.values):
        writer.writerow([name] + ["" if np.isnan(v) else f"{v:.6g}" for v in row])

  @classmethod
  def from_csv(cls, path: str | os.PathLike) -> TraitTable:
    path = os.fspath(path)
    if not os.path.isfile(path):
      raise FileNotFoundError(f"trait table not found: {path}")
    with open(path, newline="") as f:
      rows = list(csv.reader(f))
    if not rows or rows[0][:1] != ["species"]:
      raise ValueError(f"{path}: the header must start with 'species'")
    traits = rows[0][1:]
    values = []
    body = [(line, row) for line, row in enumerate(rows[1:], start=2) if row]
    for line, row in body:
      if len(row) != len(traits) + 1:
        raise ValueError(f"{path}:{line}: {len(row) - 1} values for {len(traits)} traits")
      try:
        values.append([float(v) if v.strip() else np.nan for v in row[1:]])
      except ValueError as e:
        raise ValueError(f"{path}:{line}: {e}") from None
    return cls(np.asarray(values, np.float32).reshape(len(values), len(traits)),
               species=[row[0] for _, row in body], traits=traits)

  def to_json(self, path: str | os.PathLike) -> None:
    payload = {
        "species": list(self.species),
        "traits": list(self.traits),
        "groups": list(self.groups),
        "values": [[None if np.isnan(v) else float(v) for v in row] for row in self.values],
    }
    with open(path, "w") as f:
      json.dump(payload, f)

  @classmethod
  def from_json(cls, path: str | os.PathLike) -> TraitTable:
    path = os.fspath(path)
    if not os.path.isfile(path):
      raise FileNotFoundError(f"trait table not found: {path}")
    with open(path) as f:
      payload = json.load(f)
    try:
      values = np.array([[np.nan if v is None else v for v in row] for row in payload["values"]],
                        np.float32).reshape(len(payload["species"]), len(payload["traits"]))
      return cls(values, species=payload["species"], traits=payload["traits"],
                 groups=payload.get("groups", ()))
    except KeyError as e:
      raise ValueError(f"{path}: missing field {e}") from None


def species_key(name: str) -> str:
  """A species name as matched across files: ``001.Black_footed_Albatross`` and
  ``Black-footed albatross`` are both ``black footed albatross``."""
  name = re.sub(r"^\s*\d+\s*[.)]\s*", "", name)
  return " ".join(re.sub(r"[_\-]", " ", name.lower()).split())


def group_of(trait_name: str) -> str:
  """``leaf_shape::ovate`` -> ``leaf_shape``; a name without ``::`` is its own group."""
  return trait_name.split(GROUP_SEPARATOR, 1)[0]
