"""The multi_photo evaluator on the centred-cosine head of a concepts task: pooled trait
evidence of two organs names species that one photo cannot, and a black box gets the mean of
the species probabilities alone."""

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


def test_pooled_evidence_of_a_leaf_and_a_fruit_names_every_species():
  task, params = _task()
  source = types.SimpleNamespace(organ_classes=("leaf", "fruit"),
                                 organ_trait_mask=constructed.ORGAN_SHOWS)
  evaluator = _evaluator(counts=(1, 2, 3), queries_per_species=10, seed=3)
  assert evaluator.split == "test" and evaluator.queries_per_species == 10
  report = evaluator(_predictions(), base.Context(task=task, params=params, source=source))
  assert report["counts"] == [1, 2, 3] and report["num_queries"] == [30, 30, 0]
  assert report["num_species_skipped"] == [0, 0, 3] and report["chance"] == pytest.approx(1 / 3)
  single, pair, _ = report["trait_evidence"]["species_top1"]
  # One photo: species 1's leaf and species 2's fruit tie with species 0 (the first), and the
  # wrong traits outside the organ count for nothing; two photos are always a leaf and a fruit.
  assert 0.4 < single < 1 and pair == 1.0
  assert report["mean_probabilities"]["species_top1"][:2] == [1.0, 1.0]  # One-hot logits.
  # Without organs every photo shows every trait, its wrong ones too.
  no_organs = evaluator(_predictions(), base.Context(task=task, params=params,
                                                    source=types.SimpleNamespace()))
  assert no_organs["trait_evidence"]["species_top1"][0] < single
  # Deterministic for its seed.
  again = evaluator(_predictions(), base.Context(task=task, params=params, source=source))
  assert again == report


def test_a_black_box_gets_the_mean_probabilities_alone():
  blackbox = types.SimpleNamespace(species_reads_traits=False)
  report = _evaluator(counts=(2,))(_predictions(), base.Context(task=blackbox, params=None,
                                                                source=types.SimpleNamespace()))
  assert "trait_evidence" not in report and report["mean_probabilities"]["species_top1"] == [1.0]


@pytest.mark.parametrize("fields, message", [
    ({"counts": (0, 2)}, r"config.evals.bad.counts must be numbers >= 1"),
    ({"counts": ()}, r"config.evals.bad.counts must be numbers >= 1"),
    ({"queries_per_species": 0}, r"config.evals.bad.queries_per_species must be >= 1"),
])
def test_bad_fields_are_refused(fields, message):
  with pytest.raises(ValueError, match=message):
    evaluators.from_config(ml_collections.ConfigDict({"bad": {"type": "multi_photo", **fields}}))
