"""Tests for traitjax.language.phrases: automatic phrases, traits files and overrides."""

import json

import pytest

from traitjax.data import synthetic_flora
from traitjax.language import phrases


@pytest.mark.parametrize("name, phrase", [
    ("has_bill_shape::dagger", "dagger-shaped bill"),
    ("has_bill_shape::curved_(up_or_down)", "curved bill"),
    ("has_bill_shape::all-purpose", "all-purpose bill"),
    ("has_wing_color::blue", "blue wings"),
    ("has_upper_tail_color::buff", "buff upper tail"),
    ("has_primary_color::black", "black plumage"),
    ("has_size::small_(5_-_9_in)", "small size"),
    ("has_shape::duck-like", "duck-like shape"),
    ("has_bill_length::shorter_than_head", "bill shorter than head"),
    ("has_head_pattern::eyebrow", "head with eyebrow"),
    ("has_head_pattern::masked", "masked head"),
    ("has_tail_shape::fan-shaped_tail", "fan-shaped tail"),
    ("has_wing_shape::rounded-wings", "rounded wings"),
    ("has_breast_pattern::striped", "striped breast"),
])
def test_cub_trait_phrases(name, phrase):
  assert phrases.trait_phrase(name) == phrase


@pytest.mark.parametrize("name, phrase", [
    ("petal_colour::yellow", "yellow petals"),
    ("leaf_colour::dark_green", "dark green leaves"),
    ("petal_count::five", "five petals"),
    ("leaf_margin::serrated", "serrated leaf margin"),
    ("flower_centre::dark", "dark flower centre"),
    ("stem_texture::hairy", "hairy stem"),
    ("fruit::none", "no fruit"),
    ("inflorescence::solitary", "solitary inflorescence"),
])
def test_synthetic_trait_phrases(name, phrase):
  assert phrases.trait_phrase(name) == phrase


@pytest.mark.parametrize("group, phrase, part", [
    ("has_bill_shape", "bill shape", "bill"),
    ("has_wing_color", "wing color", "wings"),
    ("has_size", "overall size", "overall size"),
    ("has_primary_color", "plumage color", "plumage"),
    ("leaf_colour", "leaf colour", "leaves"),
    ("flower_centre", "flower centre", "flower centre"),
    ("fruit", "fruit", "fruit"),
])
def test_group_phrases_and_parts(group, phrase, part):
  assert phrases.group_phrase(group) == phrase
  assert phrases.group_part(group) == part


def test_every_synthetic_trait_gets_a_distinct_phrase():
  book = phrases.phrase_book(synthetic_flora.TRAIT_NAMES)
  assert len(set(book.phrases)) == len(synthetic_flora.TRAIT_NAMES)
  assert set(book.group_phrases) == {g for g, _, _ in synthetic_flora.TRAIT_GROUPS}


def test_phrase_book_phrasings_values_and_overrides():
  book = phrases.phrase_book(
      ["petal_colour::yellow", "petal_colour::red", "tall"],
      overrides={"petal_colour::red": "scarlet petals", "petal_colour": "flower colour"})
  assert book.phrasings == (("yellow petals", "petals yellow"), ("scarlet petals",), ("tall",))
  assert book.values == ("yellow", "scarlet petals", "tall")
  assert book.groups == ("petal_colour", "petal_colour", "tall")
  assert book.group_phrases == {"petal_colour": "flower colour", "tall": "tall"}
  assert book.group_parts == {"petal_colour": "petals", "tall": "tall"}


def test_phrase_book_refuses_unknown_overrides_and_duplicates():
  with pytest.raises(ValueError, match="unknown traits or groups.*leaf_colour"):
    phrases.phrase_book(["petal_colour::red"], {"leaf_colour": "x"})
  with pytest.raises(ValueError, match="duplicate trait names"):
    phrases.phrase_book(["a::b", "a::b"])


def test_read_phrase_overrides_json_and_tab_lines(tmp_path):
  as_json = tmp_path / "overrides.json"
  as_json.write_text(json.dumps({"has_bill_shape::cone": " conical bill "}))
  assert phrases.read_phrase_overrides(as_json) == {"has_bill_shape::cone": "conical bill"}
  as_lines = tmp_path / "overrides.tsv"
  as_lines.write_text("# name<TAB>phrase\nhas_bill_shape::cone\tconical bill\n\n")
  assert phrases.read_phrase_overrides(as_lines) == {"has_bill_shape::cone": "conical bill"}


@pytest.mark.parametrize("text, message", [
    ('{"a::b": 3}', "must be a non-empty string"),
    ('{"a::b": ', "not valid JSON"),
    ("a::b conical bill\n", r":1: expected 'name<TAB>phrase'"),
])
def test_read_phrase_overrides_errors(tmp_path, text, message):
  path = tmp_path / "overrides"
  path.write_text(text)
  with pytest.raises(ValueError, match=message):
    phrases.read_phrase_overrides(path)
