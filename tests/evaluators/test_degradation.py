"""The degradation evaluator: on a stand-in model whose signal fades with the strength of the
degradation, then end to end on the flora and CUB smoke configs."""

import json

import ml_collections
import numpy as np
import pytest

from tests import conftest
from traitjax import evaluators
from traitjax import train
from traitjax import writers
from traitjax.data import degrade
from traitjax.data import schema
from traitjax.data import sources
from traitjax.data import synthetic_flora
from traitjax.evaluators import base
from traitjax.metrics import calibration

CUB_ROOT = conftest.CUB25


@pytest.fixture(scope="module")
def flora():
  """20 species, 16 seen, 20 val and 20 test photos each (nothing is rendered here)."""
  return synthetic_flora.Flora(synthetic_flora.Config(
      num_species=20, max_train_per_species=40, imbalance=10, val_per_species=20,
      test_per_species=20, degraded_fraction=0.0))


def _photos(source):
  """Each example's index in its split, through a DegradedSource and a Subset."""
  if isinstance(source, degrade.DegradedSource):
    source = source.source
  return source.indices if isinstance(source, sources.Subset) else np.arange(len(source))


def _fake_predict(source):
  """A stand-in model: the true species' logit is 3 - 3 x strength (of the source's
  degradation; 0 clean), plus unit noise seeded by the photo, so a photo's noise is the same
  clean and at every strength."""
  strength = source.strength if isinstance(source, degrade.DegradedSource) else 0.0
  labels = np.asarray(source.labels)
  noise = np.stack([np.random.default_rng(i).normal(size=20) for i in _photos(source)])
  logits = noise + 3 * (1 - strength) * np.eye(20)[labels]
  return {"species_logits": logits.astype(np.float32), schema.SPECIES: labels,
          "trait_logits": np.zeros((len(labels), 3), np.float32),
          schema.INDEX: np.arange(len(labels), dtype=np.int32),
          "num_examples": len(labels), "num_skipped": 0}


def _evaluator(**fields):
  (evaluator,) = evaluators.from_config(ml_collections.ConfigDict(
      {"degradation": {"type": "degradation", "split": "test", **fields}}))
  return evaluator


class _Sceptic:
  """A stand-in trust: species probabilities at the temperature fitted on clean photos, and
  only the photos whose top probability reaches 0.6 identified."""

  def __init__(self, clean):
    self.temperature = calibration.fit_temperature(clean["species_logits"],
                                                   clean[schema.SPECIES])

  def species_probabilities(self, species_logits):
    return calibration.softmax(species_logits, self.temperature)

  def decide(self, species_logits, trait_logits, table):
    assert trait_logits.shape[1] == 3 and table.values.shape == (20, 42)
    sure = self.species_probabilities(species_logits).max(-1) >= 0.6
    return np.where(sure, "identify", "abstain"), np.where(sure, "", "ambiguous")


def _context(flora):
  test = synthetic_flora.FloraSource(flora, "test")
  passes = []

  def predict_source(source):
    passes.append(source)
    return _fake_predict(source)

  sceptic = _Sceptic(_fake_predict(synthetic_flora.FloraSource(flora, "val")))
  context = base.Context(task=None, params=None, source=test, predict_source=predict_source,
                         trust=lambda: sceptic)
  return context, _fake_predict(test), passes


def test_accuracy_falls_and_abstention_rises_with_strength(flora):
  context, predictions, passes = _context(flora)
  report = _evaluator(max_examples=100)(predictions, context)
  json.dumps(report, allow_nan=False)
  assert set(report) == {"none", "blur", "dark", "partial"}
  assert [len(p) for p in passes] == [100] * 9  # 3 kinds x 3 strengths, on the same 100 photos.
  assert {(p.kind, p.strength) for p in passes} == {
      (k, s) for k in ("blur", "dark", "partial") for s in (0.25, 0.5, 0.75)}
  for kind in ("blur", "dark", "partial"):
    rows = [report["none"]] + [report[kind][s] for s in ("0.25", "0.5", "0.75")]
    accuracy = [row["accuracy"] for row in rows]
    assert all(a >= b for a, b in zip(accuracy, accuracy[1:])), accuracy
    assert accuracy[0] > 0.8 and accuracy[-1] < 0.3
    # At a temperature that suits clean photos, degraded ones are overconfident.
    ece = [row["ece"] for row in rows]
    assert all(a < b for a, b in zip(ece, ece[1:])), ece
    abstained = [row["abstention_rate"] for row in rows]
    assert all(a <= b for a, b in zip(abstained, abstained[1:])), abstained
    assert abstained[0] < 0.5 < abstained[-1]
    for row in rows:
      assert row["num_examples"] == 100
      assert sum(row["reasons"].values()) == round(100 * row["abstention_rate"])
      assert set(row["reasons"]) <= {"ambiguous"}
  assert report["none"]["selective_accuracy"] > report["none"]["accuracy"]
  assert report["blur"]["0.5"] == report["dark"]["0.5"]  # The stand-in sees only the strength.


@pytest.mark.parametrize("fields, message", [
    ({"kinds": ("fog",)}, r"config.evals.degradation.kinds must be among"),
    ({"strengths": (0.0, 0.5)}, r"config.evals.degradation.strengths must lie in \(0, 1\]"),
    ({"max_examples": -1}, r"config.evals.degradation.max_examples must be >= 0"),
])
def test_a_bad_field_is_refused_naming_it(fields, message):
  with pytest.raises(ValueError, match=message):
    _evaluator(**fields)


def _degradation_only(config, **fields):
  config.evals = ml_collections.ConfigDict({"degradation": {
      "type": "degradation", "split": "test", **fields}})
  return config


@pytest.mark.slow
def test_flora_smoke_run_reports_every_kind_and_strength(tmp_path):
  """configs/default.py:smoke at 32 px with the evaluator on its test split: one report per
  kind and strength in metrics.json, and their numbers logged under the evaluator's name."""
  config = _degradation_only(conftest.load_config_module("default").get_config("smoke"),
                             strengths=(0.5, 1.0), max_examples=24)
  config.data.image_size = 32
  report = train.train_and_evaluate(config, str(tmp_path))["degradation"]
  for kind in degrade.KINDS:
    assert set(report[kind]) == {"0.5", "1"}
    for row in report[kind].values():
      assert row["num_examples"] == 24 and 0 <= row["accuracy"] <= 1
      assert 0 <= row["abstention_rate"] <= 1 and 0 <= row["ece"] <= 1
  logged = writers.flatten_scalars({"degradation": report})
  assert "degradation/partial/1/abstention_rate" in logged


@pytest.mark.slow
@pytest.mark.skipif(not CUB_ROOT.is_dir(), reason=f"CUB data not found at {CUB_ROOT}")
def test_cub_smoke_run_degrades_real_photos(tmp_path):
  """configs/cub.py:smoke as configured (val carved off train, the evaluator on test at one
  strength): real photos degraded, the clean ones scored on the same photos."""
  config = conftest.load_config_module("cub").get_config("smoke")
  config.data.root = str(CUB_ROOT)
  del config.evals.intervention
  report = train.train_and_evaluate(config, str(tmp_path))
  degraded = report["degradation"]
  test = sources.make_source(config.data, "test")
  assert degraded["none"]["num_examples"] == report["num_examples"] == len(test)
  assert degraded["none"]["accuracy"] == pytest.approx(report["species_top1"])
  assert len(sources.make_source(config.data, "val")) > 0  # The trust is fitted there.
  for kind in degrade.KINDS:
    assert set(degraded[kind]) == {"0.5"}
  # What the model saw: the bird's edges softer at each blur strength, the photo darker.
  photo = test[0][schema.IMAGE]
  sharpness = [np.abs(np.diff(image.astype(float), axis=1)).mean() for image in [photo] + [
      degrade.DegradedSource(test, "blur", s)[0][schema.IMAGE] for s in (0.25, 0.5, 0.75)]]
  assert all(a > b for a, b in zip(sharpness, sharpness[1:])), sharpness
  assert degrade.DegradedSource(test, "dark", 0.75)[0][schema.IMAGE].mean() < 0.5 * photo.mean()
