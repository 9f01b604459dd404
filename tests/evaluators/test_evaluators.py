"""Evaluators from config: checked before training, placed in their sections, and skipped with
a reason where the task cannot serve them."""

import dataclasses
import functools
import logging
import types

import ml_collections
import numpy as np
import pytest

from tests import conftest
from traitjax import evaluators
from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.evaluators import runner
from traitjax.metrics import auc


def _evals(**entries):
  return ml_collections.ConfigDict(entries)


def test_from_config_builds_each_type_with_its_fields():
  built = evaluators.from_config(_evals(
      test={"type": "classification", "split": "test", "section": ""},
      intervention={"type": "intervention", "split": "val", "ks": (0, 3), "every": 10},
      few={"type": "few_shot", "shots": [2]}))
  few, intervention, test = built  # In name order, as ConfigDict keeps its keys.
  assert [e.kind for e in built] == ["few_shot", "intervention", "classification"]
  assert test.path == () and intervention.path == ("intervention",)
  assert intervention.split == "val" and intervention.ks == (0, 3) and intervention.every == 10
  assert few.split == "zeroshot" and few.shots == (2,)


@pytest.mark.parametrize("entry, message", [
    ({"type": "calibrate"}, r"config.evals.bad: unknown type 'calibrate'; known: "),
    ({"split": "test"}, r"config.evals.bad: unknown type None"),
    ({"type": "classification", "ks": (1,)},
     r"config.evals.bad: type classification takes no field ks; its fields: every, section, "
     r"split$"),
    ({"type": "intervention", "truth": "species"}, r"config.evals.bad.truth must be"),
    ({"type": "intervention", "ks": (-1,)}, r"config.evals.bad.ks must be numbers >= 0"),
    ({"type": "few_shot", "shots": (0,)}, r"config.evals.bad.shots must be numbers >= 1"),
    ({"type": "classification", "every": -5}, r"config.evals.bad.every must be >= 0"),
])
def test_a_bad_entry_is_refused_in_one_line_naming_it(entry, message):
  with pytest.raises(ValueError, match=message) as raised:
    evaluators.from_config(_evals(bad=entry))
  assert "\n" not in str(raised.value)


def test_a_split_an_evaluator_chooses_on_must_exist_at_start():
  """The slot names are chosen on `choose_split`: a split the data lacks stops the run at
  start, naming that field."""
  config = conftest.load_config_module("cub_slots").get_config("smoke")
  config.evals.slot_names.choose_split = "val"  # cub_slots has no val split.
  with pytest.raises(ValueError, match=r"config.evals.slot_names.choose_split: the data has no "
                                       r"split 'val'"):
    evaluators.check_splits(evaluators.from_config(config.evals), config)
  config.evals.slot_names.choose_split = ""
  evaluators.check_splits(evaluators.from_config(config.evals), config)


_TASK = types.SimpleNamespace(predict=lambda params, model_state, batch: {})  # Never called.


@dataclasses.dataclass(frozen=True)
class _Fixed(base.Evaluator):
  """Reports {"from": its name}, or nothing (None) when `empty`."""

  empty: bool = False

  def __call__(self, predictions, context):
    return None if self.empty else {"from": self.name}


def test_reports_nest_in_their_sections(monkeypatch):
  """Sections are dotted paths into metrics.json ("" the top level, None the evaluator's name);
  an evaluator with nothing to report leaves no section; the scalars keep each by its name."""
  monkeypatch.setattr(runner, "predict_split",
                      lambda *args, **kwargs: ({"num_examples": 1, "num_skipped": 0},
                                               types.SimpleNamespace()))
  chosen = [_Fixed(name="top", section=""), _Fixed(name="a", section="x"),
            _Fixed(name="b", section="x.y"), _Fixed(name="c"), _Fixed(name="d", empty=True)]
  config = ml_collections.ConfigDict({"data": {}, "input": {"batch_size": 1, "num_workers": 0}})
  evaluation = evaluators.evaluate(chosen, _TASK, types.SimpleNamespace(params=None), config,
                                   None, None)
  nested, by_name = evaluation.report, evaluation.reports
  assert nested == {"from": "top", "x": {"from": "a", "y": {"from": "b"}}, "c": {"from": "c"},
                    "num_skipped_by_split": {"test": 0}}
  assert by_name == {name: {"from": name} for name in ("top", "a", "b", "c")}


def test_an_evaluator_the_task_cannot_serve_is_skipped_with_its_reason(caplog):
  caplog.set_level(logging.WARNING)
  blackbox = types.SimpleNamespace(species_reads_traits=False, species_table=None,
                                   model=types.SimpleNamespace())
  built = evaluators.from_config(_evals(
      test={"type": "classification"}, intervention={"type": "intervention"},
      few={"type": "few_shot"}, parts={"type": "parts"}))
  kept = evaluators.applicable(built, blackbox)
  assert [e.name for e in kept] == ["test"]
  messages = [r.getMessage() for r in caplog.records]
  assert any("intervention (intervention) skipped: its species head does not read the traits"
             in m for m in messages)
  assert any("few (few_shot) skipped" in m for m in messages)
  assert any("parts (parts) skipped: its model has no slots" in m for m in messages)


def test_classification_adds_the_pass_counts_and_the_held_out_traits():
  rng = np.random.default_rng(0)
  predictions = {
      "species_logits": rng.normal(size=(20, 3)), "trait_logits": rng.normal(size=(20, 4)),
      schema.SPECIES: rng.integers(0, 3, 20),
      schema.TRAITS: (rng.random((20, 4)) < 0.5).astype(np.float32),
      schema.TRAITS_VISIBLE: (rng.random((20, 4)) < 0.5).astype(np.float32),
      schema.DEGRADATION: np.zeros(20, np.int32), "num_examples": 20, "num_skipped": 2}
  task = types.SimpleNamespace(species_train_counts=np.array([5, 50, 500]),
                               heldout_traits=np.array([True, False, False, False]))
  (evaluator,) = evaluators.from_config(_evals(test={"type": "classification"}))
  report = evaluator(predictions, base.Context(task=task, params=None, source=None))
  assert report["num_examples"] == 20 and report["num_skipped"] == 2
  assert report["heldout_traits"]["num_traits"] == 1
  assert report["trained_traits"]["num_traits"] == 3


@dataclasses.dataclass(frozen=True)
class _FitsOnAnotherSplit(base.Evaluator):
  """Reports the sizes of its own split's predictions and of `fit_split`'s."""

  fit_split: str = "val"

  def __call__(self, predictions, context):
    return {"own": predictions["num_examples"],
            "fit": context.predictions_of(self.fit_split)["num_examples"]}


@dataclasses.dataclass(frozen=True)
class _ReadsMapsAndKeypoints(_Fixed):
  """Reads the evidence maps and the keypoints of its split."""

  needs_trait_maps = True
  batch_fields = (schema.PARTS,)


def test_an_evaluator_reads_another_split_and_each_split_is_passed_over_once(monkeypatch):
  """Each split once; the maps and keypoints only for the split whose evaluator reads them,
  not for one read only to fit on; the unreadable photos of each split counted."""
  passes = []

  def fake_predict_split(predict, state, data, split, *args, batch_fields, cache=None):
    passes.append(split)
    # The compiled function wraps the task's predict, bound with_maps=True where maps are read.
    with_maps = isinstance(predict.__wrapped__, functools.partial)
    asked[split] = (with_maps, batch_fields)
    return ({"num_examples": {"test": 10, "val": 4}[split],
             "num_skipped": {"test": 2, "val": 1}[split]}, types.SimpleNamespace())

  asked = {}

  monkeypatch.setattr(runner, "predict_split", fake_predict_split)
  chosen = [_FitsOnAnotherSplit(name="a"), _FitsOnAnotherSplit(name="b"),
            _Fixed(name="c", split="val"), _ReadsMapsAndKeypoints(name="d")]
  config = ml_collections.ConfigDict({"data": {}, "input": {"batch_size": 1, "num_workers": 0}})
  evaluation = evaluators.evaluate(chosen, _TASK, types.SimpleNamespace(params=None), config,
                                   None, None)
  by_name = evaluation.reports
  assert by_name["a"] == by_name["b"] == {"own": 10, "fit": 4}
  assert evaluation.report["num_skipped_by_split"] == {"test": 2, "val": 1}
  assert sorted(passes) == ["test", "val"]
  assert asked == {"test": (True, (schema.PARTS,)), "val": (False, ())}


def _organ_predictions():
  """Fake predictions of photos of three organs (0 shows traits 0-9, 1 traits 10-29, 2 none),
  labelled with the species' whole rows, and the source that names the organs."""
  from tests import fake_predictions
  table = fake_predictions.table(0)
  predictions = fake_predictions.predictions(1, 90, table)
  predictions[schema.ORGAN] = np.arange(90) % 3
  mask = np.zeros((3, 30), bool)
  mask[0, :10] = mask[1, 10:] = True
  source = types.SimpleNamespace(organ_classes=("leaf", "bark", "other"), organ_trait_mask=mask)
  return predictions, source, mask


def test_classification_scores_each_organ_over_the_traits_it_can_show():
  predictions, source, mask = _organ_predictions()
  calls = []

  def species_logits_from_traits(params, probabilities, shown):
    calls.append(shown)
    return np.where(shown, probabilities, 0.5) @ np.eye(30, 12)  # Any head reading shown ones.

  task = types.SimpleNamespace(species_train_counts=np.full(12, 50), species_reads_traits=True,
                               species_logits_from_traits=species_logits_from_traits)
  (evaluator,) = evaluators.from_config(_evals(test={"type": "classification"}))
  report = evaluator(predictions, base.Context(task=task, params=None, source=source))
  assert set(report["by_organ"]) == {"leaf", "bark", "other"}
  organs = predictions[schema.ORGAN]
  np.testing.assert_array_equal(calls[0], mask[organs])
  logits = predictions["species_logits"]
  gated = species_logits_from_traits(None, 1 / (1 + np.exp(-predictions["trait_logits"])),
                                     mask[organs])
  species = predictions[schema.SPECIES]
  assert report["species_top1_organ_gated"] == pytest.approx(
      np.mean(np.argmax(gated, -1) == species))
  for number, name in enumerate(("leaf", "bark", "other")):
    photos, columns = organs == number, mask[number]
    scores = report["by_organ"][name]
    assert scores["num_examples"] == 30 and scores["num_traits"] == columns.sum()
    assert scores["species_top1"] == pytest.approx(
        np.mean(np.argmax(logits[photos], -1) == species[photos]))
    assert scores["species_top1_organ_gated"] == pytest.approx(
        np.mean(np.argmax(gated[photos], -1) == species[photos]))
    if columns.any():  # Only the organ's traits: not the AUC over the whole row.
      assert scores["trait_auc_table"] == pytest.approx(auc.mean_trait_auc(
          predictions["trait_logits"][photos][:, columns],
          predictions[schema.TRAITS][photos][:, columns]))
      assert scores["trait_auc_table"] != pytest.approx(auc.mean_trait_auc(
          predictions["trait_logits"][photos], predictions[schema.TRAITS][photos]))
    else:
      assert scores["trait_auc_table"] is None
  # A black box gets by_organ without the gated scores; data without organs no by_organ.
  blackbox = types.SimpleNamespace(species_train_counts=np.full(12, 50))
  report = evaluator(predictions, base.Context(task=blackbox, params=None, source=source))
  assert "species_top1_organ_gated" not in report
  assert "species_top1_organ_gated" not in report["by_organ"]["leaf"]
  del predictions[schema.ORGAN]
  report = evaluator(predictions, base.Context(task=task, params=None,
                                               source=types.SimpleNamespace()))
  assert "by_organ" not in report and "species_top1_organ_gated" not in report
