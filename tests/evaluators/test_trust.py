"""The trust evaluators (calibration, selective, conformal) on small fake predictions: each
fits on another split's predictions and reports under its documented keys."""

import json
import types

import ml_collections
import numpy as np
import pytest

from tests import conftest
from traitjax import evaluators
from traitjax import train
from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.metrics import calibration

NUM_SPECIES = 6
TRAIN_COUNTS = np.array([500, 500, 50, 50, 5, 0])  # head, head, mid, mid, tail, unseen


def _predictions(seed, num_examples, scale=4.0, species=None):
  """Logits x `scale` of a calibrated model (labels drawn from its softmax)."""
  rng = np.random.default_rng(seed)
  logits = rng.normal(scale=1.5, size=(num_examples, NUM_SPECIES))
  if species is None:
    probabilities = calibration.softmax(logits)
    species = np.minimum((probabilities.cumsum(-1) < rng.random((num_examples, 1))).sum(-1),
                         NUM_SPECIES - 1)
  return {"species_logits": (scale * logits).astype(np.float32),
          "trait_logits": rng.normal(size=(num_examples, 4)).astype(np.float32),
          schema.SPECIES: species, schema.DEGRADATION: rng.integers(0, 2, num_examples),
          "num_examples": num_examples, "num_skipped": 0}


def _context(fit, reads_traits=True, seen_species=None):
  task = types.SimpleNamespace(species_train_counts=TRAIN_COUNTS,
                               species_reads_traits=reads_traits)
  source = types.SimpleNamespace(seen_species=seen_species)
  return base.Context(task=task, params=None, source=source,
                      predictions_of=lambda split: {"val": fit}[split])


def _evaluator(kind, **fields):
  (evaluator,) = evaluators.from_config(ml_collections.ConfigDict(
      {kind: {"type": kind, "split": "test", "fit_split": "val", **fields}}))
  return evaluator


def test_calibration_fits_the_temperature_on_the_fit_split():
  report = _evaluator("calibration")(_predictions(1, 3000), _context(_predictions(0, 3000)))
  assert report["temperature"] == pytest.approx(4.0, rel=0.1)
  assert report["num_fit"] == 3000
  assert report["ece_after"] < report["ece_before"]
  assert report["nll_after"] < report["nll_before"]
  assert report["brier_after"] < report["brier_before"]
  for when in ("before", "after"):
    assert sum(report["reliability"][when]["count"]) == 3000
  json.dumps(report, allow_nan=False)


@pytest.mark.parametrize("kind", ["calibration", "selective", "conformal"])
def test_an_empty_fit_split_is_refused_naming_the_field(kind):
  empty = _predictions(0, 0)
  with pytest.raises(ValueError, match=rf"config.evals.{kind}.fit_split: split 'val' has no "):
    _evaluator(kind)(_predictions(1, 20), _context(empty))


def test_selective_reports_each_score_and_the_groups():
  predictions = _predictions(1, 600)
  report = _evaluator("selective")(predictions, _context(_predictions(0, 600)))
  assert set(report["by_score"]) == {"max_probability", "margin", "trait_evidence"}
  assert report["score"] in report["by_score"]
  best = report["by_score"][report["score"]]
  for key in ("aurc", "augrc", "accuracy_at_coverage", "coverage_at_accuracy_0.95"):
    assert report[key] == best[key]
  assert set(report["accuracy_at_coverage"]) == {"0.5", "0.8", "0.9"}
  accuracy = np.mean(predictions["species_logits"].argmax(-1) == predictions[schema.SPECIES])
  # The softmax confidences rank correct predictions first: fewer accepted, more accurate.
  assert report["by_score"]["max_probability"]["accuracy_at_coverage"]["0.5"] > accuracy
  assert 0 <= report["augrc"] <= report["aurc"] <= 1
  assert set(report["by_degradation"]) == {"none", "blur"}
  assert set(report["by_frequency_bin"]) == {"head", "mid", "tail"}
  assert sum(g["num_examples"] for g in report["by_frequency_bin"].values()) == 600
  assert "ood_auroc" not in report  # No seen_species split here.
  json.dumps(report, allow_nan=False)


def test_selective_without_traits_and_with_unseen_species():
  predictions = _predictions(1, 300)
  seen = np.array([True] * 5 + [False])
  report = _evaluator("selective")(predictions, _context(_predictions(0, 300),
                                                         reads_traits=False,
                                                         seen_species=seen))
  assert set(report["by_score"]) == {"max_probability", "margin"}
  assert set(report["ood_auroc"]) == {"max_probability", "margin"}
  assert all(0 <= v <= 1 for v in report["ood_auroc"].values())


def test_conformal_sets_cover_about_one_minus_alpha():
  report = _evaluator("conformal", alpha=0.1)(_predictions(1, 4000),
                                              _context(_predictions(0, 4000)))
  assert report["alpha"] == 0.1 and report["num_fit"] == 4000
  assert report["coverage"] == pytest.approx(0.9, abs=0.02)
  assert 0 < report["mean_set_size"] < NUM_SPECIES
  assert 0 < report["threshold"] <= 1
  assert set(report["by_frequency_bin"]) == {"head", "mid", "tail"}
  json.dumps(report, allow_nan=False)


def test_conformal_with_too_few_fit_examples_keeps_every_species():
  report = _evaluator("conformal")(_predictions(1, 50), _context(_predictions(0, 10)))
  assert report["threshold"] is None
  assert report["coverage"] == 1.0 and report["mean_set_size"] == NUM_SPECIES


def test_conformal_alpha_is_checked():
  with pytest.raises(ValueError, match=r"config.evals.conformal.alpha must be in \(0, 1\)"):
    _evaluator("conformal", alpha=1.5)


def test_default_smoke_config_trains_and_reports_trust(tmp_path):
  """configs/default.py:smoke trains and writes the three trust sections to metrics.json,
  fitted on its val split."""
  config = conftest.load_config_module("default").get_config("smoke")
  config.data.image_size = 32
  train.train_and_evaluate(config, str(tmp_path))
  metrics = json.loads((tmp_path / "metrics.json").read_text())
  assert 0 <= metrics["calibration"]["ece_after"] <= 1
  assert metrics["calibration"]["temperature"] > 0
  assert metrics["calibration"]["num_fit"] > 0
  assert 0 <= metrics["selective"]["accuracy_at_coverage"]["0.8"] <= 1
  assert 0 <= metrics["conformal"]["coverage"] <= 1
  assert metrics["conformal"]["alpha"] == 0.05
