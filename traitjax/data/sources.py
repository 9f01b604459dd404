"""Config -> data source: the one place that knows every dataset by name."""

from __future__ import annotations

import functools
import os

from traitjax.data import cub
from traitjax.data import pipeline
from traitjax.data import synthetic

DATASETS = ("synthetic_flora", "cub")
_CUB_DEFAULTS = {"root": "", "species": (), "heldout_species": (), "trait_threshold": None,
                 "val_fraction": 0.0, "seed": 0, "image_size": 224, "crop_to_bbox": False,
                 "bbox_margin": 0.1}


@functools.lru_cache(maxsize=4)
def _flora(config: synthetic.FloraConfig) -> synthetic.Flora:
  return synthetic.Flora(config)


@functools.lru_cache(maxsize=4)
def _cub(root: str, species: tuple, heldout_species: tuple, trait_threshold, val_fraction: float,
         seed: int) -> cub.CubDataset:
  """Parsed once per setting: every split and every periodic eval shares it."""
  return cub.CubDataset(root, species=species, heldout_species=heldout_species,
                        trait_threshold=trait_threshold, val_fraction=val_fraction, seed=seed)


def make_source(data_config, split: str) -> pipeline.Source:
  """The `split` of the dataset that `data_config.name` names (a ConfigDict or mapping)."""
  settings = dict(data_config.items())
  name = settings.pop("name", None)
  if name == "synthetic_flora":
    return synthetic.FloraSource(_flora(synthetic.FloraConfig.from_config(settings)), split)
  if name == "cub":
    unknown = set(settings) - set(_CUB_DEFAULTS)
    if unknown:
      raise ValueError(f"unknown CUB settings: {sorted(unknown)}")
    c = {**_CUB_DEFAULTS, **settings}
    if not c["root"]:
      raise ValueError("CUB needs data.root: the extracted CUB_200_2011 tarball folder")
    dataset = _cub(os.path.abspath(c["root"]), tuple(c["species"]),
                   tuple(c["heldout_species"]), c["trait_threshold"], c["val_fraction"],
                   c["seed"])
    return cub.CubSource(dataset, split, image_size=c["image_size"],
                         crop_to_bbox=c["crop_to_bbox"], bbox_margin=c["bbox_margin"])
  raise ValueError(f"unknown dataset {name!r}; known: {DATASETS}")


def splits(data_config) -> tuple[str, ...]:
  """The splits a dataset offers under this config."""
  if data_config.name == "synthetic_flora":
    return synthetic.SPLITS
  has_val = data_config.get("val_fraction", 0.0) > 0
  has_zeroshot = bool(data_config.get("heldout_species", ()))
  return tuple(s for s in ("train", "val", "test", "zeroshot")
               if (s != "val" or has_val) and (s != "zeroshot" or has_zeroshot))
