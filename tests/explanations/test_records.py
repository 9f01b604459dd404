"""Explanation records on a constructed photo: what supports and counts against each species
(one role per trait, `roles`), what is cited, what separates the first two, a rationale naming
only the record's traits in the roles the record gives them, and a one-sentence description of
the photo (constructed probabilities over the EuroSAT and other vocabularies)."""

import json
import types

import jax
import numpy as np
import pytest

from tests.explain import consistency
from traitjax.data import eurosat
from traitjax.data import schema
from traitjax.data import vocabulary
from traitjax.explain import figures
from traitjax.explanations import records
from traitjax.explanations import roles
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
  assert set(_names(a["supports"])) == set(TRAITS[:4]) and not a["counts_against"]
  assert set(_names(a["unjudgeable"])) == {"stem_texture::hairy", "fruit::berry"}
  berry = next(i for i in a["unjudgeable"] if i["name"] == "fruit::berry")
  assert berry["row"] is None and berry["fits_row"] is None  # A's cell is empty.
  assert set(_names(b["counts_against"])) == {"leaf_shape::round", "leaf_shape::linear"}
  assert all(i["fits_row"] is False for i in b["counts_against"])
  assert "fruit::berry" in _names(b["supports"])
  for listed in a["supports"], b["supports"], b["counts_against"]:
    strengths = [abs(i["contribution"]) for i in listed]
    assert strengths == sorted(strengths, reverse=True)
  for explained in record["explained_species"]:  # Every list holds its role, and only it.
    for key in roles.ROLES:
      assert all(i["role"] == key == roles.role(i["contribution"]) for i in explained[key])
  assert [a["display_name"], record["species"][0]["display_name"]] == ["A", "A"]
  assert record["traits_used_by_decision"] is True
  json.dumps(record, allow_nan=False)


def test_the_cited_traits_are_the_strongest_positive_supports_of_the_top_species():
  (record,) = _explain(num_cited=2)
  supports = record["explained_species"][0]["supports"]
  positive = sorted((i for i in supports if i["fits_row"]), key=lambda i: -i["contribution"])
  assert record["cited"] == _names(positive)[:2]
  assert all(i["role"] == roles.SUPPORTS for i in supports if i["name"] in record["cited"])
  assert len(record["cited"]) == 2


def test_the_runner_up_traits_favour_the_first_species_over_the_second():
  (record,) = _explain()
  separating = record["runner_up"]
  assert separating and _names(separating)[0] in ("leaf_shape::round", "leaf_shape::linear")
  for item in separating:
    assert item["separation"] == pytest.approx(
        item["contribution"] - item["contribution_runner_up"])
    assert item["separation"] > 0 and item["role"] == roles.SUPPORTS  # Against the runner-up.
  assert {i["name"]: i["row_runner_up"] for i in separating}["leaf_shape::round"] == 0.0


def test_the_rationale_names_only_traits_of_the_record():
  (record,) = _explain()
  text = record["rationale"]
  assert text.startswith("Most likely A (")
  first = record["explained_species"][0]
  named = set(record["cited"]) | set(_names(record["runner_up"])) | set(
      _names(first["counts_against"])) | set(_names(first["supports"]))
  phrases = {t["name"]: t["phrase"] for t in record["traits"]}
  for name, phrase in phrases.items():
    if phrase in text:
      assert name in named, (name, text)
  for name in record["cited"]:
    assert phrases[name] in text
  assert "Not B (" in text and "round leaves" in text
  # What the photo lacks, as A is described: worded as absent, with how A's row compares.
  assert "Supports it: red petals and round leaves; no yellow petals, like A." in text


def test_the_black_box_explains_by_confidence_and_says_its_traits_are_not_used():
  (record,) = _explain(reads_traits=False)
  assert record["traits_used_by_decision"] is False
  first = record["explained_species"][0]
  assert not first["supports"] and not first["counts_against"]  # Nothing moves its score.
  judged = first["not_used"]
  assert all(i["contribution"] is None and i["role"] == roles.NOT_USED for i in judged)
  assert _names(judged)[0] == "petal_colour::red"  # The most confident (0.97).
  assert record["cited"] == ["petal_colour::red", "petal_colour::yellow", "leaf_shape::round"]
  assert all(i["contribution_runner_up"] is None for i in record["runner_up"])
  assert all(i["role"] == roles.NOT_USED for i in record["runner_up"])
  assert "does not read these traits" in record["rationale"]
  assert "Supports it" not in record["rationale"]
  assert "Fits A's description: red petals, round leaves and no yellow petals." in (
      record["rationale"])


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


def _with_chart(record):
  return {**record, "chart": figures.chart_record(*figures.record_bars(record))}


@pytest.mark.parametrize("reads_traits", [True, False])
def test_the_text_the_roles_and_the_chart_agree_and_a_disagreement_is_found(reads_traits):
  (record,) = _explain(reads_traits)
  assert consistency.disagreements(_with_chart(record)) == []
  if not reads_traits:
    return
  # A trait the text says supports A, drawn red, or said against A: each is caught.
  chart = _with_chart(record)
  chart["chart"]["bars"][0]["colour"] = roles.COLOURS[roles.COUNTS_AGAINST]
  assert len(consistency.disagreements(chart)) == 1
  moved = json.loads(json.dumps(record))
  first = moved["explained_species"][0]
  first["counts_against"] = [{**first["supports"][0], "role": roles.COUNTS_AGAINST}]
  moved["rationale"] = wording.rationale(moved)
  assert consistency.disagreements(_with_chart(moved))


def test_a_trait_the_photo_lacks_as_the_species_is_described_may_count_against_it():
  """A linear head that weighs "yellow belly" up for the Cardinal: a bird without one, as the
  Cardinal is described, has it counted against the Cardinal, and the text says both."""
  table = schema.TraitTable(np.array([[0, 1], [1, 0]], np.float32),
                            species=("017.Cardinal", "047.American_Goldfinch"),
                            traits=("has_belly_color::yellow", "has_crown_color::red"))
  head = {"kernel": np.array([[3.0, -1.0], [4.0, -2.0]]), "bias": np.zeros(2)}
  task = types.SimpleNamespace(species_reads_traits=True,
                               model=types.SimpleNamespace(species_head="linear"))
  p = np.array([[0.03, 0.95]])
  logits = (p - 0.5) @ head["kernel"]
  (record,) = records.explain_predictions(task, {"species_head": head}, logits, _logit(p),
                                          table, top_k=2)
  first = record["explained_species"][0]
  assert first["display_name"] == "Cardinal"
  assert _names(first["supports"]) == ["has_crown_color::red"]
  (belly,) = first["counts_against"]
  assert belly["fits_row"] is True and belly["contribution"] < 0
  assert ("Supports it: red crown. Counts against it: no yellow belly, like Cardinal."
          in record["rationale"])
  assert record["rationale"].startswith("Most likely Cardinal (")
  assert "Not American Goldfinch (" in record["rationale"]
  bars, _ = figures.record_bars(record)
  assert [(b.name, figures.bar_colours([b])[0]) for b in bars] == [
      ("has_crown_color::red", figures.SUPPORTS_COLOUR),
      ("has_belly_color::yellow", figures.COUNTS_AGAINST_COLOUR)]
  assert consistency.disagreements(_with_chart(record)) == []


def test_judge_uses_two_to_one_odds_and_empty_cells_cannot_be_judged():
  verdicts = records.judge([0.7, 0.6, 0.2, 0.9, 0.9], [1.0, 1.0, 1.0, 0.0, NAN])
  assert verdicts.tolist() == [records.AGREES, records.UNJUDGEABLE, records.DISAGREES,
                               records.DISAGREES, records.UNJUDGEABLE]


def test_one_role_per_contribution_sign():
  assert [roles.role(c) for c in (0.3, -0.2, 0.0, 1e-17, None, NAN)] == [
      roles.SUPPORTS, roles.COUNTS_AGAINST, roles.NOT_USED, roles.NOT_USED, roles.NOT_USED,
      roles.NOT_USED]
  assert roles.roles_of([[0.3, -0.2]]).tolist() == [[roles.SUPPORTS, roles.COUNTS_AGAINST]]
  assert roles.legend() == "green: supports, red: counts against"


def test_the_decision_sentence_says_why_and_lists_the_species_set():
  identified = wording.decision_sentence("identify", "", ["001.Black_footed_Albatross"], 0.95,
                                         0.95, num_fit=300, fit_split="val")
  assert identified.startswith("Identified: it clears the threshold of trust above which 95% "
                               "of the answers on the 300 val photos the trust was fitted on "
                               "were right.")
  assert "Species set (95% coverage): Black-footed Albatross." in identified
  for reason, words in wording.ABSTENTION_WORDS.items():
    sentence = wording.decision_sentence("abstain", reason, [f"s{i}" for i in range(7)], 0.9,
                                         0.9)
    assert sentence.startswith(f"Not identified: {words}.")
    assert sentence.endswith("s0, s1, s2, s3, s4 and 2 more.")
  assert wording.decision_sentence(None, None, None, 0.95, 0.95) == ""
  # With species added from descriptions, a misfit fits none of them either.
  declined = wording.decision_sentence("abstain", "unknown_species", None, 0.95, 0.95,
                                       with_added_species=True)
  assert declined == "Not identified: it fits no species I know, trained or described."
  ambiguous = wording.decision_sentence("abstain", "ambiguous", None, 0.95, 0.95,
                                        with_added_species=True)
  assert ambiguous == f"Not identified: {wording.ABSTENTION_WORDS['ambiguous']}."
  assert wording.marked_name({"name": "021.Eastern_Towhee", "added_from_description": True}) \
      == "Eastern Towhee (added from a description, never trained on photos)"
  assert wording.marked_name({"name": "021.Eastern_Towhee"}) == "Eastern Towhee"


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
