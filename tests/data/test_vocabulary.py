"""Trait vocabularies as files (traitjax.data.vocabulary): both layouts, errors, round trip."""

import pytest

from traitjax.data import vocabulary


def test_read_traits_attributes_format(tmp_path):
  path = tmp_path / "attributes.txt"
  path.write_text("1 has_bill_shape::dagger\n2 has_size::small_(5_-_9_in)\n\n")
  assert vocabulary.read_traits(path) == ("has_bill_shape::dagger", "has_size::small_(5_-_9_in)")


def test_read_traits_one_phrase_per_line(tmp_path):
  path = tmp_path / "traits.txt"
  path.write_text("yellow petals\n  hairy stem \n\n2 petals\n")
  assert vocabulary.read_traits(path) == ("yellow petals", "hairy stem", "2 petals")


@pytest.mark.parametrize("text, message", [
    ("", "no traits listed"),
    ("1 a::b\n3 a::c\n", "ids must be 1, 2"),
    ("yellow petals\nyellow petals\n", "repeated traits"),
])
def test_read_traits_errors(tmp_path, text, message):
  path = tmp_path / "traits.txt"
  path.write_text(text)
  with pytest.raises(ValueError, match=message):
    vocabulary.read_traits(path)
  with pytest.raises(FileNotFoundError, match="traits file not found"):
    vocabulary.read_traits(tmp_path / "missing.txt")


def test_written_traits_read_back(tmp_path):
  names = ("leaf_shape::ovate", "petal_colour::red")
  vocabulary.write_traits(tmp_path / "traits.txt", names)
  assert (tmp_path / "traits.txt").read_text() == "1 leaf_shape::ovate\n2 petal_colour::red\n"
  assert vocabulary.read_traits(tmp_path / "traits.txt") == names
