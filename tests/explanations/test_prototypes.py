"""Prototypes: which training photos stand for a species, the nearest of them to a photo, the
traits they share, and the bank cached per checkpoint step."""

import numpy as np

from traitjax.explanations import prototypes


def test_chosen_examples_are_the_first_of_each_species_in_split_order():
  labels = np.array([2, 0, 2, 1, 0, 2, 0, 2])
  np.testing.assert_array_equal(prototypes.chosen_examples(labels, 2), [0, 1, 2, 3, 4])
  np.testing.assert_array_equal(prototypes.chosen_examples(labels, 1), [0, 1, 3])


def test_nearest_searches_the_species_photos_only_nearest_first():
  bank = np.array([[0.9, 0.1], [0.5, 0.5], [0.9, 0.1], [0.2, 0.8]])
  species = np.array([0, 0, 1, 0])
  found = prototypes.nearest(bank, species, 0, np.array([0.3, 0.7]), count=2)
  assert [row for row, _ in found] == [3, 1]
  np.testing.assert_allclose([d for _, d in found], [np.sqrt(0.02), np.sqrt(0.08)])
  assert prototypes.nearest(bank, species, 5, np.array([0.3, 0.7]), count=2) == []


def test_shared_traits_are_present_in_both_surest_first_never_unjudged():
  photo = np.array([0.9, 0.6, 0.95, 0.2, np.nan, 0.8])
  prototype = np.array([0.7, 0.9, 0.99, 0.9, 0.9, 0.4])
  assert prototypes.shared_traits(photo, prototype, limit=5) == [2, 0, 1]
  assert prototypes.shared_traits(photo, prototype, limit=1) == [2]


def test_the_bank_is_built_once_per_step_and_read_back_as_built(tmp_path):
  calls = []

  def build():
    calls.append(1)
    return prototypes.Bank(
        species=np.array([0, 1], np.int32), indices=np.array([3, 7], np.int32),
        trait_logits=np.array([[1.5, -2.0], [0.0, 3.0]], np.float32),
        thumbnails=np.full((2, 4, 4, 3), 9, np.uint8), paths=("a/b.jpg", ""))

  first = prototypes.load_or_build(str(tmp_path), 6, 8, build)
  again = prototypes.load_or_build(str(tmp_path), 6, 8, build)
  assert len(calls) == 1
  for name in ("species", "indices", "trait_logits", "thumbnails"):
    np.testing.assert_array_equal(getattr(again, name), getattr(first, name))
  assert again.paths == ("a/b.jpg", "")
  prototypes.load_or_build(str(tmp_path), 9, 8, build)  # Another checkpoint: built again.
  assert len(calls) == 2
