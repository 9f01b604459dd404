"""Which parts carry a trait, and the evidence maps of the cited traits."""

import numpy as np

from traitjax.data import flora_render
from traitjax.data import synthetic_flora
from traitjax.explanations import maps

CUB_PARTS = ("back", "beak", "belly", "breast", "crown", "forehead", "left eye", "left leg",
             "left wing", "nape", "right eye", "right leg", "right wing", "tail", "throat")


def _named(group, part_names):
  return [part_names[i] for i in maps.group_parts(group, part_names)]


def test_flora_groups_sit_on_the_part_they_are_drawn_on():
  for group, part in synthetic_flora.GROUP_PART.items():
    assert _named(group, flora_render.PART_NAMES) == [part], group


def test_cub_groups_sit_on_the_parts_their_name_says():
  expected = {
      "has_bill_shape": ["beak"], "has_bill_length": ["beak"],
      "has_wing_color": ["left wing", "right wing"], "has_eye_color": ["left eye", "right eye"],
      "has_leg_color": ["left leg", "right leg"], "has_crown_color": ["crown"],
      "has_forehead_color": ["forehead"], "has_nape_color": ["nape"],
      "has_throat_color": ["throat"], "has_breast_pattern": ["breast"],
      "has_belly_color": ["belly"], "has_back_pattern": ["back"],
      "has_upper_tail_color": ["tail"], "has_under_tail_color": ["tail"],
      "has_tail_pattern": ["tail"], "has_upperparts_color": ["back", "nape"],
      "has_underparts_color": ["belly", "breast"],
      "has_size": [], "has_shape": [], "has_primary_color": [], "has_head_pattern": []}
  for group, parts in expected.items():
    assert _named(group, CUB_PARTS) == parts, group


def test_trait_parts_marks_each_trait_by_its_group():
  carried = maps.trait_parts(("has_bill_shape::cone", "has_size::small", "has_wing_color::red"),
                             CUB_PARTS)
  assert carried.shape == (3, 15)
  assert [np.flatnonzero(row).tolist() for row in carried] == [[1], [], [8, 12]]


def test_cited_evidence_maps_the_supporting_traits_the_photo_shows():
  trait_maps = np.zeros((4, 4, 3))
  trait_maps[0, 2, 1] = 3.0
  trait_maps[3, 3, 2] = 1.0
  trait_maps[1, 0, 0] = 2.0
  probabilities = {"a": 0.9, "b": 0.8, "c": 0.1}  # c is cited for its absence.
  record = {"cited": ["c", "b"],
            "traits": [{"name": n, "phrase": n + " phrase", "probability": probabilities[n]}
                       for n in "abc"],
            "explained_species": [{"supports": [{"name": n} for n in "cba"]}]}
  evidence = maps.cited_evidence(trait_maps, record, ("a", "b", "c"), num_maps=1)
  assert [e["name"] for e in evidence] == ["b"]  # The first cited trait the photo shows.
  assert evidence[0]["phrase"] == "b phrase" and evidence[0]["peak"] == [0.625, 0.125]
  np.testing.assert_array_equal(evidence[0]["map"], trait_maps[..., 1])
  # Then the other supports it shows; the absent cited trait has no map.
  assert [(e["name"], e["peak"]) for e in maps.cited_evidence(trait_maps, record, "abc")] == [
      ("b", [0.625, 0.125]), ("a", [0.125, 0.375])]
  nothing_shown = {**record, "traits": [{**t, "probability": 0.1} for t in record["traits"]]}
  assert [e["name"] for e in maps.cited_evidence(trait_maps, nothing_shown, "abc")] == ["c", "b"]
