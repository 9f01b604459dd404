"""Few-shot species rows: only unseen rows are refined, and the other photos are scored."""

import types

import jax
import ml_collections
import numpy as np

from traitjax import evaluators
from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.models import species


def test_few_shot_refines_only_unseen_rows_and_scores_every_other_photo():
  """Species 0-1 seen, 2-3 unseen with wrong rows; with 1 shot each the refined rows name the
  remaining photos of species 2 and 3, the shots are not scored, and the seen photos are
  scored before and after (here a refined row takes none of them)."""
  truth = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1], [1, 1, 1, 0]], np.float32)
  table = truth.copy()
  table[2], table[3] = truth[3], truth[2]  # The unseen species' rows are swapped.
  head = species.TraitToSpecies()
  variables = head.init(jax.random.key(0), np.zeros((1, 4)), table)
  task = types.SimpleNamespace(
      species_table=table,
      species_logits_from_traits=lambda params, p, t: head.apply(variables, p, t))
  labels = np.array([0, 1, 2, 2, 2, 3, 3, 3])
  logits = np.where(truth[labels] > 0.5, 4.0, -4.0).astype(np.float32)
  predictions = {"trait_logits": logits, schema.SPECIES: labels}
  source = types.SimpleNamespace(seen_species=np.array([True, True, False, False]))
  (evaluator,) = evaluators.from_config(ml_collections.ConfigDict(
      {"few_shot": {"type": "few_shot", "shots": (1,), "prior_strength": 0.5}}))
  report = evaluator(predictions, base.Context(task=task, params=None, source=source))
  one = report["1_shot"]
  assert one["num_scored"] == 6  # Two photos each of species 2 and 3, one each of 0 and 1.
  assert one["zeroshot"]["unseen_top1"] == 0.0 and one["unseen_top1"] == 1.0
  assert one["zeroshot"]["seen_accuracy"] == one["seen_accuracy"] == 1.0
  assert one["harmonic_mean"] == 1.0 and one["zeroshot"]["harmonic_mean"] == 0.0
