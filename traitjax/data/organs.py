"""A plant's organs: the one list that photos, the organ map and the description reader share.

A photo of a plant shows one organ (a leaf, the bark); an organ map says which trait groups a
photo of each organ can show and which names a field guide gives it; the reader of plant
descriptions (`traitjax.language.terms.plants`) knows the words for each organ. All three name
organs from `ORGANS`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from typing import Mapping, Sequence

import numpy as np

from traitjax.data import schema

# A plant's organs. A twig is named in descriptions ("opposite on the twigs") but no organ map
# gives it a photo of its own.
ORGANS = ("leaf", "needle", "petiole", "flower", "fruit", "seed", "cone", "bark", "twig")
# The organ of a photo whose name the organ map lacks.
OTHER = "other"
# What a photo's organ is numbered by (batch field ``organ``): ORGANS, and OTHER last.
PHOTO_ORGANS = ORGANS + (OTHER,)
# A sex mark closing a guide name: "Flowers pistillate (♀)", "Cone (♂)", "Flower perfect (⚥)".
_SEX_MARK = re.compile(r"\(\s*[♀♂⚥☿]\s*\)\s*$")


def organ_key(name: str) -> str:
  """A guide's organ name as the organ map is matched: lower case, without a closing sex mark
  and extra spaces ("Flowers  pistillate (♀)" is "flowers pistillate")."""
  return " ".join(_SEX_MARK.sub("", name).lower().split())


@dataclasses.dataclass(frozen=True)
class OrganMap:
  """What a photo of each organ can show, and a guide's names of the organs.

  Attributes:
    groups: organ -> the trait groups (without ``has_``) a photo of it can show.
    names: a guide name as `organ_key` writes it -> its organ.
  """

  groups: Mapping[str, tuple[str, ...]]
  names: Mapping[str, str]

  @classmethod
  def from_json(cls, path: str | os.PathLike) -> OrganMap:
    """The JSON file {"groups": {organ: [group, ...]}, "names": {organ: [guide name, ...]}};
    every organ one of `ORGANS`, no name given to two organs."""
    path = os.fspath(path)
    if not os.path.isfile(path):
      raise FileNotFoundError(f"organ map not found: {path}")
    with open(path, encoding="utf-8") as f:
      payload = json.load(f)
    if set(payload) != {"groups", "names"}:
      raise ValueError(f"{path}: needs the fields 'groups' and 'names', has {sorted(payload)}")
    organs = set(payload["groups"]) | set(payload["names"])
    unknown = sorted(organs - set(ORGANS))
    if unknown:
      raise ValueError(f"{path}: organs {unknown} are not among {', '.join(ORGANS)}")
    names = {}
    for organ, guide_names in payload["names"].items():
      for name in guide_names:
        if names.setdefault(organ_key(name), organ) != organ:
          raise ValueError(f"{path}: the name {name!r} is given to {names[organ_key(name)]} "
                           f"and {organ}")
    return cls({organ: tuple(groups) for organ, groups in payload["groups"].items()}, names)

  def organ(self, guide_name: str) -> str:
    """The organ a guide names so, or `OTHER`."""
    return self.names.get(organ_key(guide_name), OTHER)


def organ_trait_mask(vocabulary: Sequence[str], organ_map: OrganMap) -> np.ndarray:
  """bool [len(PHOTO_ORGANS), T]: whether a photo of each organ can show each trait of
  `vocabulary` (the trait's group, without ``has_``, is one the map gives the organ; never for
  `OTHER`). ValueError names the groups of the map that the vocabulary lacks."""
  groups = [schema.group_of(name).removeprefix("has_") for name in vocabulary]
  unknown = sorted({g for shown in organ_map.groups.values() for g in shown} - set(groups))
  if unknown:
    raise ValueError(f"the organ map names trait groups {unknown} that the vocabulary lacks")
  return np.array([[group in organ_map.groups.get(organ, ()) for group in groups]
                   for organ in PHOTO_ORGANS], bool)
