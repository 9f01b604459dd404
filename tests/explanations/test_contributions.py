"""Per-trait contributions add up to each species head's logits exactly."""

import types

import flax.linen as nn
import jax
import numpy as np
import pytest

from traitjax.explanations import contributions
from traitjax.models import species

NUM_PHOTOS, NUM_SPECIES, NUM_TRAITS = 5, 4, 7


def _inputs(with_nan: bool):
  rng = np.random.default_rng(0)
  probabilities = rng.uniform(size=(NUM_PHOTOS, NUM_TRAITS)).astype(np.float32)
  table = rng.uniform(size=(NUM_SPECIES, NUM_TRAITS)).astype(np.float32)
  if with_nan:
    probabilities[0, 1] = probabilities[3, [0, 4]] = np.nan
    table[1, 2] = table[2, [0, 6]] = np.nan
  return probabilities, table


def _perturbed(params, seed):
  """Random parameters of the same shapes (the initial ones are too symmetric to test)."""
  leaves, tree = jax.tree.flatten(params)
  rng = np.random.default_rng(seed)
  return jax.tree.unflatten(tree, [np.asarray(leaf) + rng.normal(0, 0.5, np.shape(leaf))
                                   for leaf in leaves])


@pytest.mark.parametrize("head", ["linear", "table", "cosine"])
def test_contributions_add_up_to_the_head_logits(head):
  probabilities, table = _inputs(with_nan=head != "linear")
  if head == "linear":
    module, args = nn.Dense(NUM_SPECIES), (probabilities,)
  else:
    module = species.TraitToSpecies() if head == "table" else species.CenteredCosine()
    args = (probabilities, table)
  params = _perturbed(module.init(jax.random.key(0), *args)["params"], seed=1)
  logits = np.asarray(module.apply({"params": params}, *args), np.float64)
  found = contributions.head_contributions(head, params, probabilities,
                                           None if head == "linear" else table)
  assert found.per_trait.shape == (NUM_PHOTOS, NUM_SPECIES, NUM_TRAITS)
  assert found.bias.shape == (NUM_PHOTOS, NUM_SPECIES)
  np.testing.assert_allclose(found.logits(), logits, rtol=1e-5, atol=1e-5)
  if head != "linear":  # An unobserved trait adds no evidence to any species.
    assert (found.per_trait[0, :, 1] == 0).all() and (found.per_trait[3, :, [0, 4]] == 0).all()
  centred = contributions.relative_to_mean_species(found)
  np.testing.assert_allclose(centred.logits(), logits, rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(centred.per_trait.mean(axis=1), 0, atol=1e-9)
  np.testing.assert_allclose(centred.per_trait[:, 0] - centred.per_trait[:, 1],
                             found.per_trait[:, 0] - found.per_trait[:, 1], atol=1e-9)


def test_linear_contributions_are_weight_times_probability_over_the_unknown_half():
  """w[t, k] (p_t - 0.5): a trait at 0.5 (unknown to the linear head) adds nothing."""
  params = {"kernel": np.array([[2.0, -1.0], [0.5, 3.0]]), "bias": np.array([0.25, -0.5])}
  found = contributions.head_contributions("linear", params, np.array([[1.0, 0.5]]))
  np.testing.assert_allclose(found.per_trait[0], [[1.0, 0.0], [-0.5, 0.0]])
  np.testing.assert_allclose(found.bias[0], [0.25 + 1.25, -0.5 + 1.0])


def test_bad_inputs_are_refused_naming_the_field():
  params = {"kernel": np.ones((2, 2)), "bias": np.zeros(2)}
  with pytest.raises(ValueError, match="trait_probabilities: the linear species head"):
    contributions.head_contributions("linear", params, np.array([[np.nan, 0.5]]))
  with pytest.raises(ValueError, match="table: the table species head reads"):
    contributions.head_contributions("table", {}, np.array([[0.5, 0.5]]))
  with pytest.raises(ValueError, match="species_head: unknown 'rows'"):
    contributions.head_contributions("rows", {}, np.array([[0.5, 0.5]]))


def test_contributions_to_one_species_per_photo_in_chunks():
  probabilities, table = _inputs(with_nan=True)
  params = _perturbed(species.CenteredCosine().init(
      jax.random.key(0), probabilities, table)["params"], seed=2)
  task = types.SimpleNamespace(species_reads_traits=True, species_table=table,
                               model=types.SimpleNamespace(species_head="cosine"))
  chosen = np.array([3, 0, 1, 1, 2])
  found = contributions.contributions_to(task, {"species_head": params}, probabilities, chosen,
                                         chunk_size=2)
  every = contributions.relative_to_mean_species(
      contributions.head_contributions("cosine", params, probabilities, table)).per_trait
  np.testing.assert_allclose(found, every[np.arange(NUM_PHOTOS), chosen])
  blackbox = types.SimpleNamespace(species_reads_traits=False)
  assert contributions.task_contributions(blackbox, {}, probabilities) is None
  assert contributions.contributions_to(blackbox, {}, probabilities, chosen) is None
