"""Small made-up datasets on disk, for the tests of the folder readers (EuroSAT, the Leafsnap
guide): photos of one colour (or files that are not photos) and a random species x trait table."""

from __future__ import annotations

import pathlib
from typing import Sequence

import numpy as np
from PIL import Image

from traitjax.data import schema


def write_photo(path: pathlib.Path, size: tuple[int, int], colour: tuple[int, int, int],
                corrupt: bool = False, quality: int = 75) -> None:
  """A JPEG of `size` (width, height) and one colour at `path`, its folder made; with
  `corrupt`, a file that is not a JPEG instead."""
  path.parent.mkdir(parents=True, exist_ok=True)
  if corrupt:
    path.write_text("not a JPEG")
  else:
    Image.new("RGB", size, colour).save(path, quality=quality)


def random_table(path: pathlib.Path, species: Sequence[str],
                 traits: Sequence[str]) -> pathlib.Path:
  """A species x trait CSV at `path` with random values in [0, 1), the first species' first
  five cells empty."""
  values = np.random.default_rng(0).random((len(species), len(traits)))
  values[0, :5] = np.nan
  schema.TraitTable(values, species=species, traits=traits).to_csv(path)
  return path
