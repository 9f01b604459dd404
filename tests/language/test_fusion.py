"""Tests for traitjax.language.evidence and traitjax.language.fusion: trait names to keys, the
graded cell scores, the prior of known species and the parts an ablation leaves out."""

import numpy as np
import pytest

from traitjax.data import schema
from traitjax.language import evidence
from traitjax.language import fusion
from traitjax.language import phrases
from traitjax.language import rule_reader
from traitjax.language.terms import general
from traitjax.language.terms import landscapes
from traitjax.language.terms import phrase_table
from traitjax.language.terms import plants

TRAITS = ("has_crown_color::black", "has_crown_color::red", "has_nape_color::black",
          "has_bill_shape::hooked", "has_size::small_(5_-_9_in)", "has_size::large_(16_-_32_in)",
          "has_shape::gull-like", "has_wing_pattern::striped", "has_head_pattern::unique_pattern")
BOOK = phrases.phrase_book(TRAITS)
UNIFORM = dict(zip(TRAITS, fusion.uniform_prior(list(BOOK.groups))))


def test_the_uniform_prior_of_a_group_of_k_traits_is_one_in_k_plus_one():
  assert UNIFORM["has_crown_color::black"] == pytest.approx(1 / 3)
  assert UNIFORM["has_nape_color::black"] == pytest.approx(1 / 2)


def test_trait_keys_of_cub_like_names():
  keys = [evidence.trait_key(t) for t in TRAITS]
  assert keys[0] == evidence.TraitKey("crown", "color", "black")
  assert keys[3] == evidence.TraitKey("bill", "shape", "hooked")
  assert keys[4] == evidence.TraitKey(general.PLUMAGE, "size", "", (5.0, 9.0))
  assert keys[6] == evidence.TraitKey(general.PLUMAGE, "shape", "gull like")
  assert keys[8] is None  # Not in the closed vocabulary: the encoder reads it.
  assert evidence.trait_key("has_primary_color::grey").part == general.PLUMAGE
  assert evidence.trait_key("has_tail_shape::fan-shaped_tail").value == "fan shaped"
  assert evidence.trait_key("has_head_pattern::plain").value == "solid"
  assert evidence.trait_key("leaf_texture::leathery") is None
  assert evidence.trait_key("petal_colour::yellow") == evidence.TraitKey("petal", "color",
                                                                         "yellow")


def test_scores_by_hand():
  prior = np.array([0.4, 0.4, 0.4])
  support = np.array([0.0, 1.0, 0.0])
  denial = np.array([0.0, 0.0, 1.0])
  spoken = np.array([0.0, 1.0, 1.0])
  scores = evidence.scores(support, denial, spoken, prior)
  assert scores[0] == pytest.approx(0.4)  # never spoken of: the prior
  assert scores[1] == pytest.approx(1.0)  # named
  base = 0.4 * (1 - evidence.OTHER_VALUES)
  assert scores[2] == pytest.approx(base * (1 - evidence.DENIAL))  # denied


def test_a_table_ranks_what_the_text_says():
  descriptions = {"Black-capped Gull": "A large gull with a black crown and a hooked bill.",
                  "Red Finch": "A small finch, 12 cm long; the crown is red. No wing bars."}
  table = fusion.parse_table(descriptions, BOOK, embed=None)
  value = {(s, t): table.values[i, j] for i, s in enumerate(table.species)
           for j, t in enumerate(table.traits)}
  gull, finch = descriptions
  assert value[gull, "has_crown_color::black"] > value[finch, "has_crown_color::black"]
  assert value[finch, "has_crown_color::red"] > value[gull, "has_crown_color::red"]
  # "head" speaks for the nape: no word about it here, so both keep the prior.
  assert value[gull, "has_nape_color::black"] == pytest.approx(UNIFORM["has_nape_color::black"])
  assert value[gull, "has_size::large_(16_-_32_in)"] > value[gull, "has_size::small_(5_-_9_in)"]
  assert value[finch, "has_size::small_(5_-_9_in)"] > value[finch, "has_size::large_(16_-_32_in)"]
  assert value[gull, "has_shape::gull-like"] > value[finch, "has_shape::gull-like"]
  assert value[finch, "has_wing_pattern::striped"] < UNIFORM["has_wing_pattern::striped"]
  # Without an encoder a trait the rules do not read keeps its prior.
  assert value[gull, "has_head_pattern::unique_pattern"] == pytest.approx(
      UNIFORM["has_head_pattern::unique_pattern"])
  # The species' name is read too: "Black-capped" gives a black crown.
  no_name = fusion.parse_table({gull: "A large gull."}, BOOK, None)
  with_name = fusion.parse_table({gull: "A large gull."}, BOOK, None, without=frozenset())
  crown = TRAITS.index("has_crown_color::black")
  assert with_name.values[0, crown] > fusion.parse_table(
      {gull: "A large gull."}, BOOK, None, without=frozenset({"name"})).values[0, crown]
  assert no_name.values[0, crown] == with_name.values[0, crown]


def test_the_prior_leaves_out_exactly_the_rows_it_is_told_to():
  known = schema.TraitTable(np.array([[1.0, 0.0], [0.0, 0.0], [0.5, 1.0]], np.float32),
                            species=("001.Alpha_one", "002.Beta", "003.Gamma"),
                            traits=("a::x", "a::y"))
  prior = fusion.species_prior(known, [(0,), (), (0, 1, 2)], ["a::y", "a::x", "b::z"])
  np.testing.assert_allclose(prior[0], [0.5, 0.25, 0.5])  # Beta and Gamma only; b::z uniform
  np.testing.assert_allclose(prior[1], [1 / 3, 0.5, 0.5])  # all three
  np.testing.assert_allclose(prior[2], [1 / 3, 1 / 3, 0.5])  # none left: uniform
  with pytest.raises(ValueError, match="shares no trait"):
    fusion.species_prior(known, [()], ["b::z"])
  with pytest.raises(ValueError, match=r"excluded prior rows \[3\] are not all rows"):
    fusion.species_prior(known, [(3,)], ["a::x"])


def test_the_prior_never_holds_an_excluded_row_whatever_the_names():
  """"Northern Cardinal" is the prior's "017.Cardinal" though no name matching could tell: the
  row the caller excludes is out of its prior, and a prior without the rows is refused."""
  known = schema.TraitTable(np.array([[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]], np.float32),
                            species=("017.Cardinal", "002.Beta", "003.Gamma"),
                            traits=TRAITS[:2])
  descriptions = {"Northern Cardinal": "A songbird."}
  rules_off = frozenset({"rules", "name", "encoder"})  # The cells are their prior.
  table = fusion.parse_table(descriptions, BOOK, None, known, rules_off,
                             excluded={"Northern Cardinal": (0,)})
  np.testing.assert_allclose(table.values[0, :2], [0.0, 0.0])  # Beta and Gamma only.
  kept = fusion.parse_table(descriptions, BOOK, None, known, rules_off,
                            excluded={"Northern Cardinal": ()})
  np.testing.assert_allclose(kept.values[0, :2], [1 / 3, 1 / 3])  # Told nothing: all three.
  with pytest.raises(ValueError, match=r"1 have none, e.g. \['Northern Cardinal'\]"):
    fusion.parse_table(descriptions, BOOK, None, known, rules_off)


def test_parts_left_out_and_unknown_names():
  descriptions = {"Some Gull": "The crown is black."}
  rules_off = fusion.parse_table(descriptions, BOOK, None, without=frozenset({"rules", "name"}))
  np.testing.assert_allclose(rules_off.values[0], list(UNIFORM.values()))
  with pytest.raises(ValueError, match="unknown parts to leave out"):
    fusion.parse_table(descriptions, BOOK, None, without=frozenset({"magic"}))


def test_the_encoder_reads_only_open_traits_of_appearance_sentences():
  seen = []

  def embed(texts):
    seen.extend(texts)
    rng = np.random.default_rng(len(texts))
    vectors = rng.normal(size=(len(texts), 8))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)

  fusion.parse_table({"Some Gull": "The crown is black. It breeds on islands."}, BOOK, embed)
  assert seen and not any("islands" in text for text in seen)
  seen.clear()
  closed = phrases.phrase_book(TRAITS[:3])
  fusion.parse_table({"Some Gull": "The crown is black."}, closed, embed)
  assert not seen  # Every trait read by the rules: the encoder is not called.


def test_landscape_keys_and_their_none_values():
  assert evidence.trait_key("has_colour::dark_green") == evidence.TraitKey(
      landscapes.SCENE, "colour", "dark green")
  assert evidence.trait_key("has_water_form::none").value == phrase_table.GROUP_NONE
  # No value words of its own for "none" in a group that cannot be named without a value.
  assert evidence.trait_key("has_texture::none") is None
  traits = ("has_water_form::none", "has_water_form::lake", "has_water_form::river_channel",
            "has_building_density::none", "has_building_density::sparse")
  book = phrases.phrase_book(traits)
  table = fusion.parse_table({"Dry town": "Scattered houses; there is no water.",
                             "Lakeside": "A lake, with no buildings at all."}, book, None)
  value = {(s, t): table.values[i, j] for i, s in enumerate(table.species)
           for j, t in enumerate(table.traits)}
  prior = fusion.uniform_prior(list(book.groups))
  # "no water" supports "none" and denies every water form; naming a lake denies "none".
  assert value["Dry town", "has_water_form::none"] > prior[0]
  assert value["Dry town", "has_water_form::lake"] < prior[1]
  assert value["Lakeside", "has_water_form::none"] < prior[0]
  assert value["Lakeside", "has_water_form::lake"] > value["Dry town", "has_water_form::lake"]
  assert value["Dry town", "has_building_density::sparse"] > value[
      "Lakeside", "has_building_density::sparse"]
  assert value["Lakeside", "has_building_density::none"] > prior[3]


def test_plant_vocabulary_switches_the_plant_reader_on():
  assert evidence.trait_key("has_leaf_type::pinnately_compound") == evidence.TraitKey(
      plants.PLANT, "leaf type", "pinnately compound")
  assert evidence.trait_key("has_leaf_size::small_(under_5_cm)").value == "small"
  assert evidence.trait_key("has_leaf_lobing::unlobed").value == "unlobed"
  traits = ("has_leaf_lobing::unlobed", "has_leaf_lobing::palmately_lobed",
            "has_flower_color::white", "has_flower_color::red", "has_fruit_color::red",
            "has_leaf_size::small_(under_5_cm)", "has_leaf_size::medium_(5_-_15_cm)")
  book = phrases.phrase_book(traits)
  table = fusion.parse_table({"Maple": "Leaves palmately lobed, 8 cm long. Red flowers.",
                             "Cherry": "Leaves not lobed. White flowers and red fruit."},
                            book, None)
  value = {(s, t): table.values[i, j] for i, s in enumerate(table.species)
           for j, t in enumerate(table.traits)}
  prior = fusion.uniform_prior(list(book.groups))
  # "not lobed" supports unlobed; naming a lobing denies it.
  assert value["Cherry", "has_leaf_lobing::unlobed"] > prior[0]
  assert value["Maple", "has_leaf_lobing::unlobed"] < prior[0]
  assert value["Maple", "has_leaf_lobing::palmately_lobed"] >= 0.5
  assert value["Maple", "has_leaf_size::medium_(5_-_15_cm)"] >= 0.5
  assert value["Cherry", "has_flower_color::white"] >= 0.5
  assert value["Cherry", "has_flower_color::red"] < 0.5  # The fruit's red.
  assert value["Cherry", "has_fruit_color::red"] >= 0.5


def test_bird_and_landscape_vocabularies_read_no_plant_phrases(monkeypatch):
  for trait in ("has_wing_color::white", "has_bill_shape::hooked", "has_size::small_(5_-_9_in)",
                "has_water_form::lake"):
    assert evidence.trait_key(trait).part != plants.PLANT
  seen = []
  original = rule_reader.read_text

  def spy(text, without=frozenset(), name="", tables=()):
    seen.append(tuple(tables))
    return original(text, without, name, tables)

  monkeypatch.setattr(rule_reader, "read_text", spy)
  fusion.parse_table({"Some Gull": "White flowers."}, phrases.phrase_book(TRAITS[:3]), None)
  fusion.parse_table({"Lakeside": "A lake."}, phrases.phrase_book(("has_water_form::lake",)),
                    None)
  assert seen == [(), (landscapes.SCENE,)]
