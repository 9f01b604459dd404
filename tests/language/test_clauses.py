"""Tests for traitjax.language.clauses: sentences, fragments and carried subjects."""

import pytest

from traitjax.language import clauses


def _texts(text):
  return [clause.text for clause in clauses.split_clauses(text)]


def test_split_sentences_keeps_abbreviations_and_drops_empty_ones():
  assert clauses.split_sentences("Bill 2 cm. long. Legs black!  \n Eyes red. ") == [
      "Bill 2 cm. long", "Legs black", "Eyes red"]


@pytest.mark.parametrize("text, expected", [
    ("Flowers 5-petalled, scarlet.", ["Flowers 5-petalled", "Flowers scarlet"]),
    ("The leaves are ovate, dark green; margins serrated.",
     ["The leaves are ovate", "The leaves dark green", "The leaves margins serrated"]),
    ("The fruit: pods.", ["The fruit pods"]),
    ("Leaves ovate or cordate.", ["Leaves ovate or cordate"]),
    ("The bill is long and hooked.", ["The bill is long and hooked"]),
    ("Males (in spring) are black.", ["Males in spring", "Males are black"]),
    ("The crown is black and the nape is grey.", ["The crown is black", "the nape is grey"]),
    ("Its wings are black with white bars.", ["Its wings are black", "Its wings with white bars"]),
    ("A large, dark seabird with a pale face, and the legs and feet are black.",
     ["A large dark seabird", "with a pale face", "the legs and feet are black"]),
    ("It has long, narrow, pointed wings.", ["It has long narrow pointed wings"]),
])
def test_clauses_carry_the_subject(text, expected):
  assert _texts(text) == expected


def test_clauses_know_subject_and_predicate():
  first, second = clauses.split_clauses("The stem is hairy, reddish.")
  assert (first.subject, first.predicate) == ("The stem", "hairy")
  assert (second.text, second.subject, second.predicate) == (
      "The stem reddish", "The stem", "reddish")


def test_each_sentence_has_its_own_subject_and_repeats_are_dropped():
  assert _texts("Petals yellow. Leaves dark green. Petals yellow.") == [
      "Petals yellow", "Leaves dark green"]
  assert _texts("") == []
