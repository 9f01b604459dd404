"""Prototypes: the training photos of a species nearest to a photo in trait space, and the
traits they share with it ("it looks like these photos of the species, which also show ...").

A `Bank` holds at most `per_species` training photos of each species (the first ones of the
split): their trait logits from one pass of the model, a thumbnail each and, where the
dataset has files (CUB), their paths. It is cached in the workdir per checkpoint step
(`load_or_build`), so a second explanation of the same checkpoint does not pass over them
again. Distances are Euclidean between calibrated trait probabilities.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Callable

import numpy as np
from PIL import Image

# Where the banks of a workdir are cached, one file per checkpoint step and photos per species.
CACHE_FOLDER = "explain_cache"
# Present in both photos: a trait whose probability is at least this in each.
SHARED_LEVEL = 0.5


@dataclasses.dataclass(frozen=True)
class Bank:
  """M training photos that stand for their species.

  Attributes:
    species: int32 [M], each photo's species row.
    indices: int32 [M], its index in the training split.
    trait_logits: float32 [M, T], what the model detected in it.
    thumbnails: uint8 [M, t, t, 3], the photo as the model saw it (the dataset's crop), small.
    paths: M file paths, "" where the dataset renders its photos (synthetic flora).
  """

  species: np.ndarray
  indices: np.ndarray
  trait_logits: np.ndarray
  thumbnails: np.ndarray
  paths: tuple[str, ...]

  @classmethod
  def empty(cls, num_traits: int, thumbnail_size: int) -> Bank:
    """A bank of no photo (a dataset without training photos)."""
    return cls(species=np.zeros(0, np.int32), indices=np.zeros(0, np.int32),
               trait_logits=np.zeros((0, num_traits), np.float32),
               thumbnails=np.zeros((0, thumbnail_size, thumbnail_size, 3), np.uint8), paths=())

  def save(self, path: str) -> None:
    np.savez_compressed(path, species=self.species, indices=self.indices,
                        trait_logits=self.trait_logits, thumbnails=self.thumbnails,
                        paths=np.asarray(self.paths, dtype=str))

  @classmethod
  def load(cls, path: str) -> Bank:
    with np.load(path) as saved:
      return cls(species=saved["species"], indices=saved["indices"],
                 trait_logits=saved["trait_logits"], thumbnails=saved["thumbnails"],
                 paths=tuple(str(p) for p in saved["paths"]))


def chosen_examples(labels: np.ndarray, per_species: int) -> np.ndarray:
  """int64 [<= S * per_species]: the indices of the first `per_species` examples of each
  species in a split whose species are `labels` [N], ascending."""
  order = np.argsort(labels, kind="stable")
  sorted_labels = labels[order]
  rank = np.arange(len(labels)) - np.searchsorted(sorted_labels, sorted_labels)
  return np.sort(order[rank < per_species])


def thumbnail(image: np.ndarray, size: int) -> np.ndarray:
  """uint8 [size, size, 3] of a uint8 [H, W, 3] image (kept as it is when not larger)."""
  if image.shape[0] <= size:
    return image
  return np.asarray(Image.fromarray(image).resize((size, size), Image.BILINEAR))


def load_or_build(workdir: str, step: int, per_species: int,
                  build: Callable[[], Bank]) -> Bank:
  """The bank of checkpoint `step` of `workdir` with `per_species` photos per species: read
  from the cache, or `build()` and cached."""
  folder = os.path.join(workdir, CACHE_FOLDER)
  path = os.path.join(folder, f"prototypes_step{step}_per{per_species}.npz")
  if os.path.isfile(path):
    return Bank.load(path)
  bank = build()
  os.makedirs(folder, exist_ok=True)
  partial = path + ".partial.npz"
  bank.save(partial)
  os.replace(partial, path)  # A run killed while saving leaves no half-written cache.
  return bank


def nearest(bank_probabilities: np.ndarray, bank_species: np.ndarray, species: int,
            probabilities: np.ndarray, count: int) -> list[tuple[int, float]]:
  """The `count` bank photos of `species` nearest to a photo: (bank row, Euclidean distance
  between trait probabilities), nearest first; traits that either leaves NaN are left out.

  Args:
    bank_probabilities: float [M, T], the bank's calibrated trait probabilities.
    bank_species: int [M].
    species: the species row whose photos are searched (none: []).
    probabilities: float [T], the photo's.
    count: how many.
  """
  rows = np.flatnonzero(bank_species == species)
  differences = bank_probabilities[rows] - probabilities
  distances = np.sqrt(np.nansum(differences ** 2, axis=1))
  order = np.argsort(distances, kind="stable")[:count]
  return [(int(rows[i]), float(distances[i])) for i in order]


def shared_traits(probabilities: np.ndarray, prototype_probabilities: np.ndarray,
                  limit: int) -> list[int]:
  """The traits (indices) present in both the photo and the prototype (probability at least
  `SHARED_LEVEL` in each), surest first (by the smaller of the two), at most `limit`."""
  both = np.minimum(probabilities, prototype_probabilities)  # NaN (unjudged) is never shared
  present = np.flatnonzero(both >= SHARED_LEVEL)
  return [int(t) for t in present[np.argsort(-both[present], kind="stable")][:limit]]
