"""The trust evaluators (calibration, selective, conformal) on a made-up trait-based model's
predictions: each reads the evaluation's trust fit and reports under its documented keys; and
a smoke run writes them, their figures and trust.json."""

import json
import types

import ml_collections
import numpy as np
import pytest

from tests import conftest
from tests import fake_predictions
from traitjax import evaluators
from traitjax import train
from traitjax import trust as trust_lib
from traitjax.evaluators import base

TABLE = fake_predictions.table(0)
TRAIN_COUNTS = np.array([500] * 4 + [50] * 4 + [5] * 3 + [0])  # head, mid, tail, unseen


def _context(seen_species=None, unseen=None):
  task = types.SimpleNamespace(species_train_counts=TRAIN_COUNTS, species_reads_traits=True)
  source = types.SimpleNamespace(seen_species=seen_species, trait_table=TABLE)
  fitted = trust_lib.fit(fake_predictions.predictions(0, 1500, TABLE), TABLE)
  return base.Context(task=task, params=None, source=source, trust=lambda: fitted,
                      predictions_of=lambda split: {"zeroshot": unseen}[split])


def _evaluator(kind, **fields):
  (evaluator,) = evaluators.from_config(ml_collections.ConfigDict(
      {kind: {"type": kind, "split": "test", **fields}}))
  return evaluator


def test_calibration_reports_species_and_trait_calibration_before_and_after():
  report = _evaluator("calibration")(fake_predictions.predictions(1, 3000, TABLE), _context())
  assert report["temperature"] > 2 and report["num_fit"] == 1500
  assert report["ece_after"] < report["ece_before"]
  assert report["nll_after"] < report["nll_before"]
  assert report["brier_after"] < report["brier_before"]
  assert report["traits"]["truth"] == "traits"
  assert report["traits"]["ece_after"] < report["traits"]["ece_before"]
  for when in ("before", "after"):
    assert sum(report["reliability"][when]["count"]) == 3000
  json.dumps(report, allow_nan=False)


def test_selective_reports_each_score_the_decisions_and_the_groups():
  predictions = fake_predictions.predictions(1, 2000, TABLE)
  report = _evaluator("selective")(predictions, _context())
  assert set(report["by_score"]) == set(trust_lib.SCORES)
  best = report["by_score"][report["score"]]
  for key in ("aurc", "augrc", "accuracy_at_coverage", "coverage_at_accuracy_0.95"):
    assert report[key] == best[key]
  assert set(report["accuracy_at_coverage"]) == {"0.5", "0.8", "0.9"}
  top1 = report["decisions"]["top1"]
  assert report["accuracy_at_coverage"]["0.8"] > top1
  decisions = report["decisions"]
  assert decisions["selective_accuracy"] > top1 and 0 < decisions["abstention_rate"] < 1
  assert sum(decisions["reasons"].values()) == round(decisions["abstention_rate"] * 2000)
  # Unclear photos (degradation 1 in the made-up data) are declined far more often.
  by_degradation = report["by_degradation"]
  assert (by_degradation["blur"]["decisions"]["abstention_rate"]
          > 2 * by_degradation["none"]["decisions"]["abstention_rate"])
  assert set(report["by_frequency_bin"]) == {"head", "mid", "tail"}
  assert sum(g["num_examples"] for g in report["by_frequency_bin"].values()) == 2000
  assert "ood_auroc" not in report  # No seen_species here.
  json.dumps(report, allow_nan=False)


def test_selective_scores_photos_of_unseen_species_from_another_split():
  seen = TRAIN_COUNTS > 0
  clear = (0.5, 1.0)
  predictions = fake_predictions.predictions(1, 1000, TABLE, clarity=clear)
  predictions["species"] = np.where(seen[predictions["species"]], predictions["species"], 0)
  rows = (np.random.default_rng(4).random((500, TABLE.num_traits)) < 0.35).astype(np.float32)
  unseen = fake_predictions.predictions(2, 500, TABLE, clarity=clear, rows=rows)
  unseen["species"][:] = np.flatnonzero(~seen)[0]
  report = _evaluator("selective", unseen_split="zeroshot")(
      predictions, _context(seen_species=seen, unseen=unseen))
  assert report["ood_num_unseen"] == 500
  assert set(report["ood_auroc"]) == set(trust_lib.SCORES)
  assert report["ood_auroc"]["compatibility"] > 0.9


def test_conformal_sets_cover_about_one_minus_alpha():
  report = _evaluator("conformal")(fake_predictions.predictions(1, 4000, TABLE), _context())
  assert report["alpha"] == 0.05 and report["num_fit"] == 1500
  assert report["coverage"] == pytest.approx(0.95, abs=0.02)
  assert 1 < report["mean_set_size"] < TABLE.num_species
  assert set(report["by_frequency_bin"]) == {"head", "mid", "tail"}
  json.dumps(report, allow_nan=False)


def test_a_trust_evaluator_without_a_fit_split_is_refused_at_start():
  config = conftest.load_config_module("cub").get_config("smoke")
  config.data.val_fraction = 0.0  # No val split to fit on.
  config.evals = ml_collections.ConfigDict(
      {"conformal": {"type": "conformal", "split": "test"}})
  chosen = evaluators.from_config(config.evals)
  with pytest.raises(ValueError, match=r"config.trust.fit_split: evaluator conformal needs a "):
    evaluators.check_splits(chosen, config)
  config.evals.conformal.split = "val"
  with pytest.raises(ValueError, match=r"config.evals.conformal.split: the data has no split "):
    evaluators.check_splits(evaluators.from_config(config.evals), config)


@pytest.mark.slow
def test_default_smoke_config_trains_and_reports_trust(tmp_path):
  """configs/default.py:smoke trains and writes the three trust sections to metrics.json,
  fitted on its val split, their figures, and trust.json, which --mode=eval then reads."""
  config = conftest.load_config_module("default").get_config("smoke")
  config.data.image_size = 32
  train.train_and_evaluate(config, str(tmp_path))
  metrics = json.loads((tmp_path / "metrics.json").read_text())
  assert 0 <= metrics["calibration"]["ece_after"] <= 1
  assert metrics["calibration"]["temperature"] > 0
  assert metrics["calibration"]["num_fit"] > 0
  assert 0 <= metrics["selective"]["accuracy_at_coverage"]["0.8"] <= 1
  assert set(metrics["selective"]["ood_auroc"]) == set(trust_lib.SCORES)
  assert 0 <= metrics["conformal"]["coverage"] <= 1
  assert metrics["conformal"]["alpha"] == 0.05
  figures = sorted(p.name for p in (tmp_path / "figures").iterdir())
  assert figures == ["calibration_reliability.png", "selective_risk_coverage.png"]
  saved = trust_lib.Trust.load(tmp_path / trust_lib.FILE_NAME)
  assert saved.temperature == metrics["calibration"]["temperature"]
  config.trust.fit_split = ""  # --mode=eval reads the saved trust: no fit split needed.
  report = train.evaluate_checkpoint(config, str(tmp_path))
  assert report["calibration"]["temperature"] == saved.temperature
