"""The multi_photo evaluator on the centred-cosine head of a concepts task: pooled trait
evidence of two organs names species that one photo cannot, organ gating is what lets it, every
count is scored on the same species, and a black box gets the mean of the species
probabilities alone."""

import types

import flax.linen as nn
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from tests.metrics import test_multi_photo as constructed
from traitjax import evaluators
from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.models import cbm
from traitjax.tasks import concepts


def _task():
  """A joint model's cosine head on the constructed table, its centre at 0.5 (every row then
  as far from it), and its parameters."""
  model = cbm.ConceptBottleneck(nn.Dense(1), num_traits=4, num_species=3, mode="joint",
                                species_head="cosine")
  task = concepts.ConceptsTask(model=model, trait_weight=1.0, trait_loss=None,
                               species_train_counts=np.full(3, 10),
                               species_table=constructed.ROWS.astype(np.float32))
  params = {"species_head": {"centre": jnp.full(4, 0.5), "log_scale": jnp.log(10.0)}}
  return task, params


def _predictions():
  species, organs, shown, probabilities = constructed._photos()
  return {"species_logits": np.zeros((6, 3)) + np.eye(3)[species],
          "trait_logits": np.log(probabilities / (1 - probabilities)),
          schema.SPECIES: species, schema.ORGAN: organs, "num_examples": 6, "num_skipped": 0}


def _evaluator(**fields):
  (evaluator,) = evaluators.from_config(ml_collections.ConfigDict(
      {"multi": {"type": "multi_photo", **fields}}))
  return evaluator


def _top1(report, n, name):
  return report["by_count"][str(n)][name]["species_top1"]


def test_pooled_evidence_of_a_leaf_and_a_fruit_names_every_species():
  task, params = _task()
  source = types.SimpleNamespace(organ_classes=("leaf", "fruit"),
                                 organ_trait_mask=constructed.ORGAN_SHOWS,
                                 trait_table=types.SimpleNamespace(species=("a", "b", "c")))
  evaluator = _evaluator(counts=(1, 2), queries_per_species=10, seed=3)
  assert evaluator.split == "test" and evaluator.queries_per_species == 10
  report = evaluator(_predictions(), base.Context(task=task, params=params, source=source))
  assert report["counts"] == [1, 2] and report["species_rule"] == "at least 2 photos"
  assert report["species"] == [0, 1, 2] and report["species_names"] == ["a", "b", "c"]
  assert report["num_species_left_out"] == 0 and report["chance"] == pytest.approx(1 / 3)
  assert [report["by_count"][n]["num_queries"] for n in ("1", "2")] == [30, 30]
  assert report["organ_gating"] and set(report["combinations"]) == {
      "pooled_gated", "pooled_ungated", "mean_gated", "mean_ungated"}
  single, pair = (_top1(report, n, "pooled_gated") for n in (1, 2))
  # One photo: species 1's leaf and species 2's fruit tie with species 0 (the first), and the
  # wrong traits outside the organ count for nothing; two photos are always a leaf and a fruit.
  assert 0.4 < single < 1 and pair == 1.0
  # Each photo read by the cosine head on its organ's traits alone: one photo is the same
  # reading pooled or not; a leaf and a fruit averaged name every species too.
  assert _top1(report, 1, "mean_gated") == single and _top1(report, 2, "mean_gated") == 1.0
  # Every trait counted, the wrong ones too: worse, pooled or not.
  assert _top1(report, 1, "pooled_ungated") < single
  assert _top1(report, 2, "pooled_ungated") < pair
  assert [_top1(report, n, "mean_ungated") for n in (1, 2)] == [1.0, 1.0]  # One-hot logits.
  difference = report["by_count"]["2"]["differences"]["pooled_gated_minus_pooled_ungated"]
  assert difference["interval"][0] <= difference["difference"] <= difference["interval"][1]
  assert difference["difference"] == pytest.approx(pair - _top1(report, 2, "pooled_ungated"))
  # Without organs every photo shows every trait, its wrong ones too: the ungated alone.
  no_organs = evaluator(_predictions(), base.Context(task=task, params=params,
                                                    source=types.SimpleNamespace()))
  assert not no_organs["organ_gating"] and "species_names" not in no_organs
  assert set(no_organs["combinations"]) == {"pooled_ungated", "mean_ungated"}
  assert no_organs["by_count"]["1"]["pooled_ungated"] == report["by_count"]["1"][
      "pooled_ungated"]
  # Deterministic for its seed.
  again = evaluator(_predictions(), base.Context(task=task, params=params, source=source))
  assert again == report


def test_a_species_with_too_few_photos_is_left_out_of_every_count():
  task, params = _task()
  predictions = _predictions()
  # A seventh photo: a second leaf of species 0, so that only species 0 has 3 photos.
  predictions = {key: (np.concatenate([value, value[:1]]) if np.ndim(value) else value)
                 for key, value in predictions.items()}
  source = types.SimpleNamespace(organ_classes=("leaf", "fruit"),
                                 organ_trait_mask=constructed.ORGAN_SHOWS)
  report = _evaluator(counts=(1, 3), queries_per_species=4)(
      predictions, base.Context(task=task, params=params, source=source))
  assert report["species"] == [0] and report["num_species_left_out"] == 2
  assert [report["by_count"][n]["num_queries"] for n in ("1", "3")] == [4, 4]


def test_a_black_box_gets_the_mean_probabilities_alone():
  blackbox = types.SimpleNamespace(species_reads_traits=False)
  report = _evaluator(counts=(2,))(_predictions(), base.Context(
      task=blackbox, params=None, source=types.SimpleNamespace(
          organ_classes=("leaf", "fruit"), organ_trait_mask=constructed.ORGAN_SHOWS)))
  assert list(report["combinations"]) == ["mean_ungated"] and not report["organ_gating"]
  assert report["by_count"]["2"] == {"num_queries": 60, "differences": {},
                                     "mean_ungated": {"species_top1": 1.0,
                                                      "interval": [1.0, 1.0]}}


@pytest.mark.parametrize("fields, message", [
    ({"counts": (0, 2)}, r"config.evals.bad.counts must be numbers >= 1"),
    ({"counts": ()}, r"config.evals.bad.counts must be numbers >= 1"),
    ({"queries_per_species": 0}, r"config.evals.bad.queries_per_species must be >= 1"),
])
def test_bad_fields_are_refused(fields, message):
  with pytest.raises(ValueError, match=message):
    evaluators.from_config(ml_collections.ConfigDict({"bad": {"type": "multi_photo", **fields}}))
