"""The open-world evaluator: every route fitted on the fit split alone (the evaluated photos,
those of added species included, change nothing fitted), and species in neither set."""

import types

import ml_collections
import numpy as np
import pytest

from tests import fake_predictions
from traitjax import evaluators
from traitjax import trust as trust_lib
from traitjax.data import schema
from traitjax.evaluators import base

TRAINED = np.arange(12) < 6  # 6-8 added from their rows, 9-11 (when withheld) in neither set.


def _predictions(seed, num, species):
  table = fake_predictions.table(0)
  predictions = fake_predictions.predictions(seed, num * 4, table, clarity=(0.0, 0.6))
  keep = np.isin(predictions[schema.SPECIES], species)
  predictions = {k: v[keep][:num] if isinstance(v, np.ndarray) else v
                 for k, v in predictions.items()}
  predictions["species_logits"] = predictions["species_logits"] + 60.0 * TRAINED
  return predictions, table


def _evaluate(test, fit, table, **fields):
  (evaluator,) = evaluators.from_config(ml_collections.ConfigDict(
      {"open_world": {"type": "open_world", "split": "test+zeroshot", **fields}}))
  trust = trust_lib.fit(fit, table)
  context = base.Context(
      task=types.SimpleNamespace(species_table=None), params=None,
      source=types.SimpleNamespace(seen_species=TRAINED, trait_table=table),
      predictions_of={"val": fit}.__getitem__, trust=lambda: trust)
  return evaluator(test, context)


def test_nothing_fitted_reads_an_evaluated_photo():
  fit, table = _predictions(1, 200, np.arange(6))
  first, _ = _predictions(2, 300, np.arange(9))
  other, _ = _predictions(3, 300, np.arange(9))  # Other photos, of added species too.
  reports = [_evaluate(test, fit, table) for test in (first, other)]
  assert reports[0]["fitted"] == reports[1]["fitted"]
  assert reports[0]["fitted"]["num_fit"] == 200
  assert reports[0]["routes"] != reports[1]["routes"]  # The photos scored did change.
  report = reports[0]
  assert (report["num_seen_species"], report["num_unseen_species"]) == (6, 6)
  assert report["routes"]["plain"]["unseen_accuracy"] < report["unseen_accuracy"]
  assert report["harmonic"] == report["routes"]["calibrated_stacking"]["harmonic"]
  leaked = {**fit, schema.SPECIES: np.where(np.arange(200) == 0, 7, fit[schema.SPECIES])}
  with pytest.raises(ValueError, match="trained species only"):
    _evaluate(first, leaked, table)


def test_species_in_neither_set_have_their_rows_withheld_and_photos_declined():
  fit, table = _predictions(1, 200, np.arange(6))
  test, _ = _predictions(2, 600, np.arange(12))
  report = _evaluate(test, fit, table, unknown_species="9:12")
  assert report["num_unknown_species"] == 3 and report["num_unseen_species"] == 3
  assert report["num_unknown_photos"] == np.isin(test[schema.SPECIES], [9, 10, 11]).sum()
  for route in report["routes"].values():
    assert route["unknown_declined"] > route["seen_declined"]
    assert 0.5 < route["decline_auroc"] <= 1


def test_photos_named_right_are_seldom_declined():
  fit, table = _predictions(1, 400, np.arange(6))
  test, _ = _predictions(2, 600, np.arange(9))
  for route in _evaluate(test, fit, table)["routes"].values():
    assert route["seen_right_declined"] < route["seen_declined"]
    assert route["seen_right_declined"] < 0.15  # The budget is 5% of the fit photos.
