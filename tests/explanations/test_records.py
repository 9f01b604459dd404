"""Explanation records on a constructed photo: what supports and contradicts each species, what
is cited, what separates the first two, a rationale naming only the record's traits, and a
one-sentence description of the photo (constructed probabilities over the EuroSAT and other
vocabularies)."""

import json
import types

import jax
import numpy as np
import pytest

from traitjax.data import eurosat
from traitjax.data import schema
from traitjax.data import vocabulary
from traitjax.explanations import records
from traitjax.explanations import wording
from traitjax.metrics import calibration
from traitjax.models import species

TRAITS = ("petal_colour::red", "petal_colour::yellow", "leaf_shape::round", "leaf_shape::linear",
          "stem_texture::hairy", "fruit::berry")
NAN = np.nan
TABLE = schema.TraitTable(np.array([
    [1, 0, 1, 0, 1, NAN],  # A
    [1, 0, 0, 1, 1, 0],    # B: A's twin with linear leaves
    [0, 1, 1, 0, 0, 1],    # C
], np.float32), species=("A", "B", "C"), traits=TRAITS)
# Red petals and round leaves, clearly; hairy stem cannot be judged (0.5); no berries.
PROBABILITIES = np.array([[0.97, 0.05, 0.9, 0.15, 0.5, 0.2]])
TABLE_HEAD = {"sensitivity": np.full(6, 2.2), "false_alarm": np.full(6, -2.2),
              "empty_cell": np.zeros(6), "log_temperature": np.array(0.0)}


def _logit(p):
  return np.log(p / (1 - p))


def _task(reads_traits=True):
  return types.SimpleNamespace(species_reads_traits=reads_traits,
                               model=types.SimpleNamespace(species_head="table"),
                               species_table=TABLE.values)


def _explain(reads_traits=True, **kwargs):
  species_logits = np.asarray(species.TraitToSpecies().apply(
      {"params": TABLE_HEAD}, PROBABILITIES.astype(np.float32), TABLE.values))
  return records.explain_predictions(
      _task(reads_traits), {"species_head": TABLE_HEAD}, species_logits,
      _logit(PROBABILITIES), TABLE, **kwargs)


def _names(items):
  return [item["name"] for item in items]


def test_a_record_sorts_the_traits_by_what_the_photo_and_each_row_say():
  (record,) = _explain()
  assert _names(record["species"]) == ["A", "B", "C"]
  assert sum(s["probability"] for s in record["species"]) == pytest.approx(1.0)
  assert [t["phrase"] for t in record["traits"]][:2] == ["red petals", "yellow petals"]
  assert [t["absent_phrase"] for t in record["traits"]][:2] == ["no red petals",
                                                                "no yellow petals"]
  a, b, _ = record["explained_species"]
  assert set(_names(a["supports"])) == set(TRAITS[:4]) and not a["contradicts"]
  assert set(_names(a["unjudgeable"])) == {"stem_texture::hairy", "fruit::berry"}
  berry = next(i for i in a["unjudgeable"] if i["name"] == "fruit::berry")
  assert berry["row"] is None  # A's cell is empty (the head reads it as its learned 0.5).
  assert set(_names(b["contradicts"])) == {"leaf_shape::round", "leaf_shape::linear"}
  assert "fruit::berry" in _names(b["supports"])
  for listed in a["supports"], b["supports"], b["contradicts"]:
    strengths = [abs(i["contribution"]) for i in listed]
    assert strengths == sorted(strengths, reverse=True)
  assert record["traits_used_by_decision"] is True
  json.dumps(record, allow_nan=False)


def test_the_cited_traits_are_the_strongest_positive_supports_of_the_top_species():
  (record,) = _explain(num_cited=2)
  supports = record["explained_species"][0]["supports"]
  positive = sorted((i for i in supports if i["contribution"] > 0),
                    key=lambda i: -i["contribution"])
  assert record["cited"] == _names(positive)[:2]
  assert len(record["cited"]) == 2


def test_the_runner_up_traits_favour_the_first_species_over_the_second():
  (record,) = _explain()
  separating = record["runner_up"]
  assert separating and _names(separating)[0] in ("leaf_shape::round", "leaf_shape::linear")
  for item in separating:
    assert item["separation"] == pytest.approx(
        item["contribution"] - item["contribution_runner_up"])
    assert item["separation"] > 0
  assert {i["name"]: i["row_runner_up"] for i in separating}["leaf_shape::round"] == 0.0


def test_the_rationale_names_only_traits_of_the_record():
  (record,) = _explain()
  text = record["rationale"]
  assert text.startswith("Most likely A (")
  first = record["explained_species"][0]
  named = set(record["cited"]) | set(_names(record["runner_up"])) | set(
      _names(first["contradicts"])) | set(_names(first["supports"]))
  phrases = {t["name"]: t["phrase"] for t in record["traits"]}
  for name, phrase in phrases.items():
    if phrase in text:
      assert name in named, (name, text)
  for name in record["cited"]:
    assert phrases[name] in text
  assert "Not B (" in text and "round leaves" in text


def test_the_black_box_explains_by_confidence_and_says_its_traits_are_not_used():
  (record,) = _explain(reads_traits=False)
  assert record["traits_used_by_decision"] is False
  supports = record["explained_species"][0]["supports"]
  assert all(i["contribution"] is None for i in supports)
  assert _names(supports)[0] == "petal_colour::red"  # The most confident (0.97).
  assert record["cited"] == ["petal_colour::red", "petal_colour::yellow", "leaf_shape::round"]
  assert all(i["contribution_runner_up"] is None for i in record["runner_up"])
  assert "does not read these traits" in record["rationale"]


def test_a_trust_object_gives_the_probabilities_shown():
  trust = types.SimpleNamespace(
      species_probabilities=lambda logits: calibration.softmax(logits / 4),
      trait_probabilities=lambda logits: calibration.sigmoid(logits / 4))
  (plain,), (tempered,) = _explain(), _explain(trust=trust)
  assert tempered["species"][0]["probability"] < plain["species"][0]["probability"]
  assert tempered["traits"][0]["probability"] == pytest.approx(
      float(jax.nn.sigmoid(_logit(0.97) / 4)))
  # At a quarter of the logit, 0.9 becomes about 0.64: no longer a confident observation.
  assert "leaf_shape::round" in _names(tempered["explained_species"][0]["unjudgeable"])


def test_rows_added_to_the_table_are_explained_like_the_others():
  wider = schema.TraitTable(np.concatenate([TABLE.values, TABLE.values[1:2]]),
                            species=TABLE.species + ("B2",), traits=TRAITS)
  species_logits = np.asarray(species.TraitToSpecies().apply(
      {"params": TABLE_HEAD}, PROBABILITIES.astype(np.float32), wider.values))
  (record,) = records.explain_predictions(
      _task(), {"species_head": TABLE_HEAD}, species_logits, _logit(PROBABILITIES), wider,
      top_k=4)
  assert _names(record["species"])[1:3] in (["B", "B2"], ["B2", "B"])
  with pytest.raises(ValueError, match=r"species_logits: expected \[N, 3\]"):
    records.explain_predictions(_task(), {"species_head": TABLE_HEAD}, species_logits,
                                _logit(PROBABILITIES), TABLE)


def test_judge_uses_two_to_one_odds_and_empty_cells_cannot_be_judged():
  verdicts = records.judge([0.7, 0.6, 0.2, 0.9, 0.9], [1.0, 1.0, 1.0, 0.0, NAN])
  assert verdicts.tolist() == [records.SUPPORTS, records.UNJUDGEABLE, records.CONTRADICTS,
                               records.CONTRADICTS, records.UNJUDGEABLE]


def test_the_decision_sentence_says_why_and_lists_the_species_set():
  identified = wording.decision_sentence("identify", "", ["Rosa canina"], 0.95, 0.95)
  assert identified.startswith("Identified: it clears the threshold of trust at which 95% of "
                               "validation answers were right.")
  assert "Species set (95% coverage): Rosa canina." in identified
  for reason, words in wording.ABSTENTION_WORDS.items():
    sentence = wording.decision_sentence("abstain", reason, [f"s{i}" for i in range(7)], 0.9,
                                         0.9)
    assert sentence.startswith(f"Not identified: {words}.")
    assert sentence.endswith("s0, s1, s2, s3, s4 and 2 more.")
  assert wording.decision_sentence(None, None, None, 0.95, 0.95) == ""


EUROSAT_TRAITS = vocabulary.read_traits(eurosat.VOCABULARY)


def _tile(**shown):
  """Probabilities over the EuroSAT vocabulary: 0.1 everywhere but the given traits (keyword
  `group__value` for `has_group::value`)."""
  probabilities = np.full(len(EUROSAT_TRAITS), 0.1)
  for key, probability in shown.items():
    group, value = key.split("__")
    probabilities[EUROSAT_TRAITS.index(f"has_{group}::{value}")] = probability
  return probabilities


def test_the_description_states_the_clearest_groups_in_the_vocabulary_order():
  town = _tile(dominant_cover__buildings=0.9, building_density__dense=0.95,
               building_layout__street_grid=0.8, colour__grey=0.92, colour__red=0.7,
               roof_size__small=0.85, texture__coarse=0.75, surface_sealing__partial=0.7,
               water_form__none=0.97, field_pattern__none=0.9, linear_features__none=0.8)
  # Seven groups shown: the five clearest (texture, 0.75, and sealing, 0.7, left out) in the
  # vocabulary's order, the colours coordinated; then the two clearest of three absences.
  assert wording.description_sentence(town, EUROSAT_TRAITS) == (
      "Mostly buildings, dense buildings, buildings with a street grid, small roofs, grey and red "
      "colour, no water, no fields.")
  assert wording.description_sentence(town, EUROSAT_TRAITS, max_groups=2, max_absent=0) == (
      "Dense buildings, grey and red colour.")
  # Two to one odds by default: 0.6 is not clear; with even odds it is.
  field = _tile(field_size__large=0.6)
  field[EUROSAT_TRAITS.index("has_colour::yellow-green")] = 0.6
  assert wording.description_sentence(field, EUROSAT_TRAITS) == "No trait is clear in this photo."
  assert wording.description_sentence(field, EUROSAT_TRAITS, min_odds=1.0) == (
      "Large fields, yellow-green colour.")
  # An absence the photo shows less clearly than a value of its group is not stated.
  assert wording.description_sentence(
      _tile(water_form__none=0.7, water_form__lake=0.9), EUROSAT_TRAITS) == "Lake water."


def test_the_description_works_for_any_vocabulary_and_phrase_overrides():
  birds = ("has_wing_color::blue", "has_wing_color::white", "has_wing_color::black",
           "has_bill_shape::dagger", "has_bill_shape::cone", "has_size::small_(5_-_9_in)",
           "crest")
  probabilities = np.array([0.8, 0.9, 0.2, 0.95, 0.1, 0.7, np.nan])
  assert wording.description_sentence(probabilities, birds) == (
      "White and blue wings, dagger-shaped bill, small size (5-9 in).")
  # A phrase that does not contain its value is listed whole; NaN is never stated.
  reworded = ("sky-blue wings", "white wings", "black wings", "dagger-shaped bill",
              "cone-shaped bill", "small size", "crest")
  assert wording.description_sentence(probabilities, birds, reworded) == (
      "White wings and sky-blue wings, dagger-shaped bill, small size.")
  assert wording.description_sentence(probabilities, birds, max_values=1) == (
      "White wings, dagger-shaped bill, small size (5-9 in).")
  with pytest.raises(ValueError, match=r"expected \[7\] \(one per trait\)"):
    wording.description_sentence(probabilities[:3], birds)


def test_a_record_describes_the_photo_from_its_own_probabilities():
  (record,) = _explain()
  assert record["description"] == wording.description_sentence(
      PROBABILITIES[0], TRAITS, [t["phrase"] for t in record["traits"]])
  assert record["description"] == "Red petals, round leaves."
  (black_box,) = _explain(reads_traits=False)
  assert black_box["description"] == record["description"]
