"""Test-time intervention: which traits are corrected, and the evaluator on a real head."""

import jax
import ml_collections
import numpy as np
import pytest

from tests import conftest
from traitjax import evaluators
from traitjax import tasks
from traitjax.data import schema
from traitjax.data import sources
from traitjax.evaluators import base
from traitjax.evaluators import intervention
from traitjax.models import cbm


def test_the_k_most_uncertain_known_traits_are_corrected():
  probabilities = np.full((1, 12), 0.9, np.float32)
  probabilities[0, [4, 7, 9]] = [0.55, 0.45, 0.6]  # Uncertainty order: 4 and 7 (tie), 9.
  truth = np.full((1, 12), np.nan, np.float32)
  truth[0, [7, 9, 11]] = [1.0, 0.0, 0.0]  # Trait 4's truth is unknown: it is never corrected.

  def expected(corrections):
    corrected = probabilities.copy()
    for trait, value in corrections.items():
      corrected[0, trait] = value
    return corrected

  for k, corrections in ((0, {}), (1, {7: 1.0}), (2, {7: 1.0, 9: 0.0}),
                         (3, {7: 1.0, 9: 0.0, 11: 0.0}), (100, {7: 1.0, 9: 0.0, 11: 0.0})):
    np.testing.assert_array_equal(
        intervention.corrected_probabilities(probabilities, truth, k), expected(corrections))


def _untrained_table_head():
  """The source, task and untrained parameters of trait_to_species:smoke (the table head)."""
  config = conftest.load_config_module("trait_to_species").get_config("smoke")
  config.data.image_size = 32
  source = sources.make_source(config.data, "train")
  task = tasks.make_task(config, source)
  batch = {k: np.asarray(v)[None] for k, v in source[0].items()}
  batch["image"] = batch["image"].astype(np.float32) / 127.5 - 1
  params = task.init(jax.random.key(0), batch)["params"]
  return source, task, params


def test_intervention_scores_the_head_on_corrected_traits_and_every_correction_helps():
  """The table head of trait_to_species:smoke (untrained) on one photo per species whose
  detector is wrong about every trait: k = 0 scores the head on the detections, and correcting
  every trait (to the species' rounded row) scores better, up to the nearest-row ceiling."""
  source, task, params = _untrained_table_head()
  table = np.nan_to_num(task.species_table, nan=0.0)
  species = np.arange(len(table))
  truth = np.round(table[species])
  predictions = {"trait_logits": np.where(truth > 0.5, -3.0, 3.0).astype(np.float32),
                 schema.SPECIES: species, schema.TRAITS: truth}
  (evaluator,) = evaluators.from_config(ml_collections.ConfigDict({"intervention": {
      "type": "intervention", "truth": "species_row", "ks": (0, 1000)}}))
  report = evaluator(predictions, base.Context(task=task, params=params, source=source))
  assert report["k"] == [0, 1000]
  assert report["truth"] == "species_row" and report["oracle"]  # The row is the label.
  plain = cbm.species_logits_from_traits(task.model, params, 1 / (1 + np.exp(
      -predictions["trait_logits"])), task.species_table)
  assert report["species_top1"][0] == np.mean(np.argmax(plain, -1) == species)
  assert report["species_top1"][1] > report["species_top1"][0]
  assert report["nearest_row_top1"] >= report["species_top1"][1] - 1e-9



def test_per_photo_truth_is_not_an_oracle_and_the_old_name_is_refused():
  """`traits_visible` corrects traits to each photo's own truth (not the species' row) and is
  reported as no oracle; the former name `traits` of the oracle is refused in one line."""
  source, task, params = _untrained_table_head()
  species = np.arange(len(task.species_table))
  row = np.round(np.nan_to_num(task.species_table[species], nan=0.0))
  predictions = {"trait_logits": np.zeros_like(row), schema.SPECIES: species,
                 schema.TRAITS: row, schema.TRAITS_VISIBLE: 1 - row}  # Each photo shows others.
  evaluator = intervention.Evaluator(name="intervention", ks=(1000,))
  report = evaluator(predictions, base.Context(task=task, params=params, source=source))
  assert report["truth"] == "traits_visible" and not report["oracle"]
  oracle = intervention.Evaluator(name="intervention", ks=(1000,), truth="species_row")
  assert report["species_top1"][0] < oracle(
      predictions, base.Context(task=task, params=params, source=source))["species_top1"][0]
  with pytest.raises(ValueError, match=r"truth must be 'traits_visible' \(each photo's own "
                                       r"visible traits\) or 'species_row' \(oracle"):
    intervention.Evaluator(name="intervention", truth="traits")
