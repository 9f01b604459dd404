"""The evidence behind a verdict's trust: the measures read from a run's metrics.json by its
config.evals, where a photo falls among the fit's photos, and the warnings worded from them."""

import json

import types

import numpy as np
import pytest

from traitjax.explanations import trust_evidence
from traitjax.explanations import wording

EVALS = {"test": {"type": "classification", "split": "test", "section": ""},
         "unseen": {"type": "classification", "split": "zeroshot", "section": "zeroshot"},
         "calibration": {"type": "calibration", "split": "test"},
         "conformal": {"type": "conformal", "split": "test"}}
METRICS = {"species_top1": 0.9, "zeroshot": {"species_top1": 0.2},
           "calibration": {"ece_after": 0.023, "ece_before": 0.157},
           "conformal": {"coverage": 0.965}}


def test_the_measures_come_from_the_evaluators_of_the_test_split():
  assert trust_evidence.measures(METRICS, EVALS) == {
      "evaluated_on": "test", "test_accuracy": 0.9, "ece": 0.023, "conformal_coverage": 0.965}
  # The zero-shot classification listed first is still passed over for the test split's.
  reordered = {"unseen": EVALS["unseen"], **EVALS}
  assert trust_evidence.measures(METRICS, reordered)["test_accuracy"] == 0.9
  missing = trust_evidence.measures(None, EVALS)
  assert set(missing.values()) == {None}
  assert trust_evidence.measures({"species_top1": 0.5}, {})["test_accuracy"] is None


def test_read_measures_reads_the_workdir(tmp_path):
  assert trust_evidence.read_measures(str(tmp_path), EVALS)["ece"] is None
  (tmp_path / "metrics.json").write_text(json.dumps(METRICS))
  assert trust_evidence.read_measures(str(tmp_path), EVALS)["ece"] == 0.023


def test_a_photo_falls_among_the_fit_photos_answered_right():
  np.testing.assert_allclose(trust_evidence.unlike_fit([-5.0, 0.0, 5.0], [-1, 0, 1, 2]),
                             [0.0, 0.5, 1.0])
  assert trust_evidence.unlike_fit([0.0], []) is None


def test_a_small_fit_no_threshold_and_an_unlike_photo_are_warned_of():
  measured = trust_evidence.measures(METRICS, EVALS)
  small = trust_evidence.evidence("val", 18, measured, threshold_reached=False, unlike=0.01)
  assert {k: small[k] for k in ("fit_split", "num_fit", "test_accuracy", "ece",
                                "conformal_coverage", "unlike_fit")} == {
      "fit_split": "val", "num_fit": 18, "test_accuracy": 0.9, "ece": 0.023,
      "conformal_coverage": 0.965, "unlike_fit": 0.01}
  assert small["warnings"] == [
      "Caution: the trust was fitted on only 18 val photos (fewer than 100), so its "
      "probabilities, threshold and species sets rest on few answers.",
      "No threshold of trust reached 95% accuracy on the val photos, so every answer is "
      "declined.",
      "Caution: this photo's traits fit its species worse than those of 95% of the val photos "
      "answered right; it may show a species or a kind of photo the trust never saw."]
  large = trust_evidence.evidence("val", trust_evidence.SMALL_FIT, measured, True, unlike=0.5)
  assert large["warnings"] == []
  assert wording.trust_sentence(large) == (
      "Trust fitted on 100 val photos; on the test photos the model was 90% right, its "
      "calibration error (ECE) was 0.023 and its species sets held the true species 96% of the "
      "time.")
  tiny = trust_evidence.evidence("val", 18, measured, True, unlike=0.5, sets_narrowed=False)
  assert tiny["sets_narrowed"] is False
  assert tiny["warnings"][1] == ("The species sets hold every species: 18 val photos are too "
                                 "few to narrow them.")
  plant = trust_evidence.evidence("val", 500, {}, True, with_unlike=False)
  assert "unlike_fit" not in plant
  assert plant["warnings"] == ["No held-out measure of the model was found (the run's "
                               "metrics.json), so how often it is right is unknown."]
  assert wording.trust_sentence(plant) == "Trust fitted on 500 val photos."
  unknown = trust_evidence.evidence("val", 500, measured, True, unlike=None)
  assert unknown["warnings"] == ["Whether this photo is unlike the val photos cannot be told: "
                                 "the model answered none of them right."]
  json.dumps(small, allow_nan=False)


@pytest.mark.parametrize("unlike, warned", [(0.0, True), (0.049, True), (0.05, False)])
def test_unlike_is_the_five_percent_tail(unlike, warned):
  found = trust_evidence.evidence("val", 500, {"test_accuracy": 0.5}, True, unlike=unlike)
  assert any("kind of photo" in w for w in found["warnings"]) == warned


def test_the_evidence_of_a_fitted_trust_reads_its_thresholds():
  fitted = types.SimpleNamespace(num_fit=18, threshold=np.inf, target_accuracy=0.9,
                                 conformal_threshold=np.inf)
  found = trust_evidence.of_trust(fitted, "val", {}, unlike=0.3)
  assert (found["threshold_reached"], found["sets_narrowed"]) == (False, False)
  assert "reached 90% accuracy" in found["warnings"][1]
