"""Tests for traitjax.language.encoder_reader: the scoring rules on hand-made embeddings, and group
awareness and empty cells with the real all-MiniLM-L6-v2 (skipped when it is absent)."""

import numpy as np
import pytest

from traitjax.language import encoder_reader
from traitjax.language import phrases

TRAITS = ("petal_colour::yellow", "petal_colour::white", "petal_colour::red",
          "leaf_colour::yellow", "leaf_colour::dark_green", "leaf_colour::purple",
          "stem_texture::smooth", "stem_texture::hairy")


@pytest.fixture(scope="module")
def book():
  return phrases.phrase_book(TRAITS)


def _parse(descriptions, book, encoder):
  table = encoder_reader.describe_table(descriptions, book, encoder.embed)
  return {species: dict(zip(table.traits, row)) for species, row in zip(table.species,
                                                                          table.values)}


def _hand_made_vocabulary():
  """Traits a1, a2 (group a) and b1 (group b) on orthogonal axes 0-2; the groups on axes 3, 4."""
  axes = np.eye(6, dtype=np.float32)
  book = phrases.phrase_book(["a::1", "a::2", "b::1"])
  return encoder_reader.Vocabulary(book, traits=axes[:3], values=axes[:3], groups=axes[3:5],
                            trait_groups=np.array([0, 0, 1]))


def _unit(vector):
  vector = np.asarray(vector, np.float32)
  return vector / np.linalg.norm(vector)


def test_clause_confidences_by_hand():
  vocabulary = _hand_made_vocabulary()
  strong = _unit([1, 0, 0, 1, 0, 0])       # names a1 and group a
  weaker = _unit([1, 0.3, 0, 0.5, 0, 0])   # a1 too, less clearly
  elsewhere = _unit([0, 0, 0, 0, 0, 1])    # about nothing in the vocabulary
  clauses = np.stack([strong, weaker, elsewhere])
  confidence = encoder_reader.clause_confidences(clauses, clauses, vocabulary)
  assert confidence[0, 0] == pytest.approx(1.0)
  assert confidence[0, 1] < 0.01  # a2 is far behind a1 within the group
  assert np.isnan(confidence[0, 2])  # group b: not spoken about
  assert np.isnan(confidence[2]).all()
  # The weaker clause trails the best clause for group a by more than the margins allow.
  assert np.isnan(confidence[1]).all() or confidence[1, 0] < confidence[0, 0]
  row = encoder_reader.species_confidences(confidence)
  assert row[0] == pytest.approx(1.0) and np.isnan(row[2])
  assert np.isnan(encoder_reader.species_confidences(
      encoder_reader.clause_confidences(np.zeros((0, 6)), np.zeros((0, 6)), vocabulary))).all()


def test_several_values_named_together_can_all_be_present():
  vocabulary = _hand_made_vocabulary()
  both = _unit([1, 1, 0, 1, 0, 0])
  confidence = encoder_reader.clause_confidences(both[None], both[None], vocabulary)
  np.testing.assert_allclose(confidence[0, :2], [1.0, 1.0], rtol=1e-5)


def test_settings_are_checked():
  with pytest.raises(ValueError, match="temperature must be positive"):
    encoder_reader.Settings(temperature=0)
  with pytest.raises(ValueError, match="mention_level must lie in"):
    encoder_reader.Settings(mention_level=2)


def test_group_awareness(book, minilm):
  parsed = _parse({"x": "Petals yellow. Leaves dark green."}, book, minilm)["x"]
  assert parsed["petal_colour::yellow"] >= 0.5
  assert parsed["petal_colour::white"] < 0.5 and parsed["petal_colour::red"] < 0.5
  assert parsed["leaf_colour::dark_green"] >= 0.5
  assert not parsed["leaf_colour::yellow"] >= 0.5  # low or empty
  assert np.isnan(parsed["stem_texture::smooth"]) and np.isnan(parsed["stem_texture::hairy"])


def test_empty_where_the_text_says_nothing_and_lists_of_strings(book, minilm):
  parsed = _parse({"silent": "The species was described in 1821.",
                   "listed": ["The flowers are red.", "Stem hairy."]}, book, minilm)
  assert all(np.isnan(value) for value in parsed["silent"].values())
  listed = parsed["listed"]
  assert listed["petal_colour::red"] >= 0.5 and listed["stem_texture::hairy"] >= 0.5
  assert listed["stem_texture::smooth"] < 0.5
  assert np.isnan(listed["leaf_colour::purple"])


def test_descriptions_must_be_strings_or_lists_of_strings(book):
  with pytest.raises(ValueError, match="description of 'x' must be a string or a list"):
    encoder_reader.describe_table({"x": 3}, book, embed=None)
  with pytest.raises(ValueError, match="no descriptions"):
    encoder_reader.describe_table({}, book, embed=None)
