"""Tests for traitjax.models.species: table rows as species (through the likelihood head and
the centred-cosine head), new species, few-shot rows and learned per-trait reliability."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from traitjax.models import species

NUM_SPECIES, NUM_TRAITS = 12, 24


def _table(seed=0):
  rng = np.random.default_rng(seed)
  return (rng.uniform(size=(NUM_SPECIES, NUM_TRAITS)) < 0.4).astype(np.float32)


def _photos(rows, per_row, seed, miss=0.1, false_alarm=0.05):
  """Detector probabilities of photos of species with truth `rows`: a present trait is seen
  with probability 1 - miss, an absent one reported with `false_alarm`; soft outputs."""
  rng = np.random.default_rng(seed)
  truth = np.repeat(rows, per_row, axis=0)
  detected = np.where(truth > 0.5, rng.uniform(size=truth.shape) > miss,
                      rng.uniform(size=truth.shape) < false_alarm)
  return np.clip(detected + rng.normal(0, 0.1, truth.shape), 0.01, 0.99).astype(np.float32)


def _initialised(model):
  return model, model.init(jax.random.key(0), jnp.zeros((1, NUM_TRAITS)), _table())


@pytest.fixture(scope="module", params=["likelihood", "cosine"])
def head(request):
  """Each species head that reads table rows, initialised with `_table()`."""
  return _initialised({"likelihood": species.TraitToSpecies,
                       "cosine": species.CenteredCosine}[request.param]())


@pytest.fixture(scope="module")
def likelihood_head():
  return _initialised(species.TraitToSpecies())


def test_photos_are_assigned_to_the_species_whose_row_they_show(head):
  model, variables = head
  table = _table()
  logits = model.apply(variables, _photos(table, 5, seed=1), table)
  assert logits.shape == (NUM_SPECIES * 5, NUM_SPECIES)
  accuracy = np.mean(np.argmax(logits, -1) == np.repeat(np.arange(NUM_SPECIES), 5))
  assert accuracy > 0.95


def test_a_species_added_at_inference_time_is_recognised_and_changes_no_other_logit(head):
  model, variables = head
  table = _table()
  new_row = _table(seed=7)[0]
  photos = np.concatenate([_photos(table, 3, seed=2), _photos(new_row[None], 10, seed=3)])
  before = model.apply(variables, photos, table)
  after = model.apply(variables, photos, species.add_species(table, new_row))
  assert after.shape == (len(photos), NUM_SPECIES + 1)
  np.testing.assert_array_equal(after[:, :NUM_SPECIES], before)
  assert np.mean(np.argmax(after[-10:], -1) == NUM_SPECIES) >= 0.9
  assert np.mean(np.argmax(after[:-10], -1) == np.repeat(np.arange(NUM_SPECIES), 3)) > 0.9


def test_few_shot_rows_fix_a_wrong_row_and_keep_the_other_species_odds(head):
  """The new species' table row has 6 of 24 cells wrong; 5 photos refine it. Accuracy on its
  other photos rises, and among the old species the softmax (the odds) is unchanged to 1e-6."""
  model, variables = head
  table = _table()
  truth = _table(seed=11)[0]
  wrong = truth.copy()
  wrong[:6] = 1 - wrong[:6]
  shots = _photos(truth[None], 5, seed=4)
  tests = np.concatenate([_photos(table, 3, seed=5), _photos(truth[None], 40, seed=6)])
  initial = model.apply(variables, tests, species.add_species(table, wrong))
  refined_row = species.few_shot_row(wrong, shots, prior_strength=2.0)
  refined = model.apply(variables, tests, species.add_species(table, refined_row))
  new_correct = lambda logits: np.mean(np.argmax(logits[-40:], -1) == NUM_SPECIES)
  assert new_correct(refined) > new_correct(initial) + 0.2
  assert new_correct(refined) > 0.9
  np.testing.assert_allclose(jax.nn.softmax(refined[:, :NUM_SPECIES]),
                             jax.nn.softmax(initial[:, :NUM_SPECIES]), atol=1e-6)


def test_few_shot_row_is_the_count_weighted_mean_and_fills_unknown_cells():
  row = np.array([1.0, 0.0, np.nan], np.float32)
  shots = np.array([[0.0, 1.0, 0.2], [0.5, 1.0, 0.6]], np.float32)
  np.testing.assert_allclose(species.few_shot_row(row, shots, prior_strength=2.0),
                             [2.5 / 4, 2.0 / 4, 0.4], rtol=1e-6)
  with pytest.raises(ValueError, match="shot probabilities"):
    species.few_shot_row(row, np.zeros((0, 3)))


def test_empty_cells_take_the_learned_per_trait_value(likelihood_head):
  model, variables = likelihood_head
  table = _table()
  table[3, 5] = np.nan
  photos = _photos(_table()[:4], 2, seed=8)
  for presence in (0.2, 0.8):
    params = jax.tree.map(lambda x: x, variables["params"])
    params["empty_cell"] = params["empty_cell"].at[5].set(np.log(presence / (1 - presence)))
    filled = table.copy()
    filled[3, 5] = presence
    np.testing.assert_allclose(model.apply({"params": params}, photos, table),
                               model.apply({"params": params}, photos, filled), rtol=1e-5)


def test_reliabilities_are_learned_from_species_labels(likelihood_head):
  """The detector misses trait 0 half the time and reports trait 1 on 40% of the species
  without it; trained on species labels (cross-entropy plus the reliability likelihood),
  sensitivity[0] falls and false_alarm[1] rises, each well away from every other trait's."""
  model, variables = likelihood_head
  table = _table()
  table[:, :2] = np.tile([[1, 0], [0, 1]], (NUM_SPECIES // 2, 1))
  photos = _photos(table, 30, seed=9)
  rng = np.random.default_rng(10)
  photos[:, 0] = np.where(rng.uniform(size=len(photos)) < 0.5, 0.02, photos[:, 0])
  photos[:, 1] = np.where(rng.uniform(size=len(photos)) < 0.4, 0.98, photos[:, 1])
  labels = np.repeat(np.arange(NUM_SPECIES), 30)
  tx = optax.adam(0.05)

  def loss(params):
    logits, log_likelihood = model.apply({"params": params}, photos, table,
                                         with_log_likelihood=True)
    return (optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
            + species.reliability_loss(log_likelihood, labels, np.ones(len(labels))) / NUM_TRAITS)

  @jax.jit
  def step(params, state):
    gradients = jax.grad(loss)(params)
    updates, state = tx.update(gradients, state, params)
    return optax.apply_updates(params, updates), state

  params, state = variables["params"], tx.init(variables["params"])
  initial_loss = float(loss(params))
  for _ in range(300):
    params, state = step(params, state)
  assert float(loss(params)) < initial_loss
  sensitivity = jax.nn.sigmoid(params["sensitivity"])
  false_alarm = jax.nn.sigmoid(params["false_alarm"])
  assert sensitivity[0] < np.min(sensitivity[2:]) - 0.15
  assert false_alarm[1] > np.max(false_alarm[2:]) + 0.15


def test_a_table_of_another_width_is_refused(head):
  model, variables = head
  with pytest.raises(ValueError, match="traits"):
    model.apply(variables, jnp.zeros((1, NUM_TRAITS)), np.zeros((3, NUM_TRAITS + 1)))


def test_an_unobserved_trait_adds_no_evidence(head):
  """A NaN trait probability gives the logits of the same photo without that trait."""
  model, variables = head
  table = _table()
  photos = _photos(table[:3], 1, seed=12)
  unobserved = photos.copy()
  unobserved[:, 4] = np.nan
  narrower = model.apply(
      {"params": jax.tree.map(lambda p: np.delete(p, 4) if np.ndim(p) else p,
                              variables["params"])},
      np.delete(photos, 4, axis=1), np.delete(table, 4, axis=1))
  np.testing.assert_allclose(model.apply(variables, unobserved, table), narrower, rtol=1e-5)


def test_the_cosine_head_is_the_scaled_cosine_of_rows_and_detections_about_the_centre():
  """With its centre at the table's mean row (the start), the logits are 10 x the cosine of
  the centred vectors, computed here in float64; an empty cell sits at the centre."""
  table = _table()
  table[2, 3] = np.nan
  model, variables = _initialised(species.CenteredCosine())
  variables = model.init(jax.random.key(0), jnp.zeros((1, NUM_TRAITS)), table)
  centre = np.nanmean(table.astype(np.float64), axis=0)
  np.testing.assert_allclose(variables["params"]["centre"], centre, rtol=1e-6)
  photos = _photos(_table(), 1, seed=13).astype(np.float64)
  rows = np.nan_to_num(table - centre)
  unit = lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True)
  expected = 10 * unit(photos - centre) @ unit(rows).T
  np.testing.assert_allclose(model.apply(variables, photos.astype(np.float32), table), expected,
                             rtol=1e-4, atol=1e-5)
