"""Evidence maps of the traits an explanation cites, and the keypoints each trait lives on.

A trait's evidence map is its logit at every location (`trait_maps` [h, w, T] of
`task.predict(..., with_maps=True)`); its peak is the centre of its highest cell, in (x, y)
fractions of the photo. For a trait the photo lacks, the peak is where it looks most like it
(weak evidence of anything).

Which keypoints carry a trait is read from its group name and the dataset's part names alone
(`group_parts`), so one rule serves every dataset: the first word of the group that names a
part, after a few synonyms (a bill is the beak; petals and the inflorescence are on the
flower; upperparts are the back and nape, underparts the breast and belly). A word names every
part it is a word of (`wing`: left wing and right wing); a group with no such word (size,
shape, CUB's primary colour) has no part and is not scored.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from traitjax.data import schema
from traitjax.metrics import explanations as explanation_metrics

_PART_SYNONYMS = {
    "bill": ("beak",),
    "petal": ("flower",),
    "inflorescence": ("flower",),
    "upperparts": ("back", "nape"),
    "underparts": ("breast", "belly"),
}


def group_parts(group: str, part_names: Sequence[str]) -> tuple[int, ...]:
  """The indices of the parts in `part_names` that carry trait group `group` (see the module
  docstring): `has_bill_shape` -> beak, `has_wing_color` -> left wing and right wing,
  `leaf_margin` -> leaf, `has_size` -> none."""
  part_words = [set(name.lower().split()) for name in part_names]
  for word in re.sub(r"^has_", "", group.lower()).split("_"):
    wanted = set(_PART_SYNONYMS.get(word, (word,)))
    found = tuple(i for i, words in enumerate(part_words) if words & wanted)
    if found:
      return found
  return ()


def trait_parts(traits: Sequence[str], part_names: Sequence[str]) -> np.ndarray:
  """bool [T, P]: which parts carry each trait (`group_parts` of its group)."""
  carried = np.zeros((len(traits), len(part_names)), bool)
  for t, trait in enumerate(traits):
    carried[t, list(group_parts(schema.group_of(trait), part_names))] = True
  return carried


def cited_evidence(trait_maps: np.ndarray, record: dict, traits: Sequence[str],
                   num_maps: int = 3) -> list[dict]:
  """The evidence maps of where a photo shows the traits its explanation rests on, for
  figures: its cited traits the photo shows, then the other supports of the top species it
  shows (a trait the photo lacks has no place to point at); the cited traits if it shows
  none.

  Args:
    trait_maps: float [h, w, T], the photo's maps.
    record: its explanation record (`records.explain_predictions`).
    traits: the T trait names, in the order of the maps.
    num_maps: the most maps returned.

  Returns:
    Per trait {name, phrase, map: float [h, w], peak: [x, y] in [0, 1]}.
  """
  trait_maps = np.asarray(trait_maps)
  if trait_maps.ndim != 3 or trait_maps.shape[-1] != len(traits):
    raise ValueError(f"trait_maps: expected [h, w, {len(traits)}], got {trait_maps.shape}")
  phrase_of = {trait["name"]: trait["phrase"] for trait in record["traits"]}
  probability = {trait["name"]: trait["probability"] for trait in record["traits"]}
  candidates = list(dict.fromkeys(
      record["cited"] + [item["name"] for item in record["explained_species"][0]["supports"]]))
  shown = [name for name in candidates if probability[name] >= 0.5]
  evidence = []
  for name in (shown or record["cited"])[:num_maps]:
    trait_map = trait_maps[..., list(traits).index(name)]
    evidence.append({"name": name, "phrase": phrase_of[name], "map": trait_map,
                     "peak": explanation_metrics.peak_locations(trait_map).tolist()})
  return evidence
