"""Losses under the batch contract: padding, unknown species and unknown traits never count."""

import types

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from traitjax import losses


def _log_softmax(logits):
  shifted = logits - logits.max(-1, keepdims=True)
  return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def _sigmoid_bce(logits, targets):
  return np.maximum(logits, 0) - logits * targets + np.log1p(np.exp(-np.abs(logits)))


def test_species_cross_entropy_ignores_unknown_species_and_zero_weight_rows():
  """The loss is the mean cross-entropy over rows with species >= 0 and weight 1 only; the
  logits of the other rows do not change it."""
  rng = np.random.default_rng(0)
  logits = rng.normal(size=(6, 5)).astype(np.float32) * 3
  species = np.array([0, -1, 2, 4, 1, 3], np.int32)
  weights = np.array([1, 1, 0, 1, 1, 0], np.float32)
  counted = [0, 3, 4]
  expected = -np.mean(_log_softmax(logits.astype(np.float64))[counted, species[counted]])
  loss = float(losses.species_cross_entropy(jnp.asarray(logits), jnp.asarray(species),
                                            jnp.asarray(weights)))
  np.testing.assert_allclose(loss, expected, rtol=1e-5)
  scrambled = logits.copy()
  scrambled[[1, 2, 5]] = rng.normal(size=(3, 5)) * 100
  loss_scrambled = float(losses.species_cross_entropy(
      jnp.asarray(scrambled), jnp.asarray(species), jnp.asarray(weights)))
  assert loss_scrambled == loss


def test_trait_bce_masks_nan_targets_and_zero_weight_rows():
  """The loss is the mean sigmoid BCE over the cells whose target is known and whose row has
  weight 1; the logits of masked cells do not change it."""
  rng = np.random.default_rng(1)
  logits = rng.normal(size=(4, 6)).astype(np.float32) * 2
  targets = rng.integers(0, 2, size=(4, 6)).astype(np.float32)
  targets[0, [1, 4]] = np.nan
  targets[2, :] = np.nan
  targets[3, 0] = 0.25  # Soft labels count like any known value.
  weights = np.array([1, 0, 1, 1], np.float32)
  known = np.isfinite(targets) & (weights[:, None] > 0)
  assert known.sum() == 4 + 6  # Row 0 without two cells, row 3 whole.
  cells = _sigmoid_bce(logits.astype(np.float64), np.nan_to_num(targets))[known]
  loss = float(losses.trait_binary_cross_entropy(
      jnp.asarray(logits), jnp.asarray(targets), jnp.asarray(weights)))
  np.testing.assert_allclose(loss, cells.mean(), rtol=1e-5)
  scrambled = np.where(known, logits, rng.normal(size=logits.shape) * 50).astype(np.float32)
  loss_scrambled = float(losses.trait_binary_cross_entropy(
      jnp.asarray(scrambled), jnp.asarray(targets), jnp.asarray(weights)))
  assert loss_scrambled == loss


def test_trait_bce_equals_optax_mean_when_everything_is_known():
  """With every target known and every weight 1 the loss is optax's sigmoid BCE averaged over
  all cells."""
  rng = np.random.default_rng(2)
  logits = jnp.asarray(rng.normal(size=(8, 7)) * 4, jnp.float32)
  targets = jnp.asarray(rng.integers(0, 2, size=(8, 7)), jnp.float32)
  expected = float(jnp.mean(optax.sigmoid_binary_cross_entropy(logits, targets)))
  loss = float(losses.trait_binary_cross_entropy(logits, targets, jnp.ones(8)))
  np.testing.assert_allclose(loss, expected, rtol=1e-6)
  assert loss > 0.1


def test_all_masked_batch_gives_zero_not_nan():
  """A batch where nothing counts (all padding, or nothing known) gives exactly 0."""
  logits = jnp.asarray(np.random.default_rng(3).normal(size=(3, 4)), jnp.float32)
  species_padding = losses.species_cross_entropy(logits, jnp.array([1, 2, 3]), jnp.zeros(3))
  species_unknown = losses.species_cross_entropy(logits, jnp.array([-1, -1, -1]), jnp.ones(3))
  traits_padding = losses.trait_binary_cross_entropy(logits, jnp.ones((3, 4)), jnp.zeros(3))
  traits_unknown = losses.trait_binary_cross_entropy(
      logits, jnp.full((3, 4), jnp.nan), jnp.ones(3))
  for value in (species_padding, species_unknown, traits_padding, traits_unknown):
    assert float(value) == 0.0


def test_gradients_are_finite_and_zero_where_masked():
  """With NaN targets and unknown species present, the gradients with respect to the logits are
  finite everywhere and exactly zero for the cells and rows that do not count."""
  rng = np.random.default_rng(4)
  logits = jnp.asarray(rng.normal(size=(4, 5)), jnp.float32)
  targets = np.where(rng.random((4, 5)) < 0.4, np.nan, rng.integers(0, 2, (4, 5)))
  targets = jnp.asarray(targets, jnp.float32)
  weights = jnp.array([1.0, 1.0, 0.0, 1.0])
  species = jnp.array([0, -1, 3, 4])
  trait_grad = np.asarray(jax.grad(losses.trait_binary_cross_entropy)(logits, targets, weights))
  species_grad = np.asarray(jax.grad(losses.species_cross_entropy)(logits, species, weights))
  assert np.isfinite(trait_grad).all() and np.isfinite(species_grad).all()
  masked = ~np.isfinite(np.asarray(targets)) | (np.asarray(weights)[:, None] == 0)
  assert masked.any() and (~masked).any()
  assert np.all(trait_grad[masked] == 0) and np.all(trait_grad[~masked] != 0)
  assert np.all(species_grad[[1, 2]] == 0) and np.all(species_grad[[0, 3]] != 0)


def _trait_problem(seed=2):
  rng = np.random.default_rng(seed)
  logits = (rng.normal(size=(5, 7)) * 4).astype(np.float32)
  targets = rng.integers(0, 2, size=(5, 7)).astype(np.float32)
  targets[0, 2] = np.nan
  targets[1, 3] = 0.3
  weights = np.array([1, 1, 0, 1, 1], np.float32)
  return jnp.asarray(logits), jnp.asarray(targets), jnp.asarray(weights)


ROBUST_LOSSES = {
    "gce": lambda q=0.7: losses.trait_loss(types.SimpleNamespace(name="gce", q=q)),
    "bootstrap": lambda beta=0.8: losses.trait_loss(
        types.SimpleNamespace(name="bootstrap", beta=beta)),
    "group_noise": lambda groups=None: _group_noise(groups=groups),
}


@pytest.mark.parametrize("name", losses.TRAIT_LOSSES)
def test_trait_losses_have_finite_gradients_even_for_saturated_logits(name):
  loss_fn = losses.trait_loss(types.SimpleNamespace(
      name=name, q=0.7, beta=0.8, false_positive=0.2, false_negative=0.2), groups=GROUPS)
  logits, targets, weights = _trait_problem()
  logits = logits.at[0].set(80.0).at[1].set(-80.0)
  value, gradient = jax.value_and_grad(loss_fn)(logits, targets, weights)
  assert np.isfinite(float(value))
  assert np.all(np.isfinite(gradient))
  assert np.all(gradient[2] == 0)  # Padding row.
  if name != "group_noise":  # Whose unknown cells still compete within their group.
    assert gradient[0, 2] == 0


def test_gce_tends_to_bce_as_q_goes_to_zero_and_is_mae_at_one():
  logits, targets, weights = _trait_problem()
  bce = float(losses.trait_binary_cross_entropy(logits, targets, weights))
  near_zero = float(ROBUST_LOSSES["gce"](q=1e-4)(logits, targets, weights))
  np.testing.assert_allclose(near_zero, bce, rtol=2e-3)
  probabilities = 1 / (1 + np.exp(-np.asarray(logits, np.float64)))
  known = np.isfinite(targets) & (np.asarray(weights)[:, None] > 0)
  soft = np.nan_to_num(targets)
  mae = (soft * (1 - probabilities) + (1 - soft) * probabilities)[known].mean()
  np.testing.assert_allclose(float(ROBUST_LOSSES["gce"](q=1.0)(logits, targets, weights)), mae,
                             rtol=1e-5)


def test_bootstrapping_with_beta_one_is_bce():
  logits, targets, weights = _trait_problem()
  np.testing.assert_allclose(
      float(ROBUST_LOSSES["bootstrap"](beta=1.0)(logits, targets, weights)),
      float(losses.trait_binary_cross_entropy(logits, targets, weights)), rtol=1e-6)


@pytest.mark.parametrize("name", ["gce", "bootstrap", "group_noise"])
def test_robust_losses_pull_less_on_a_label_the_model_confidently_contradicts(name):
  """Label 1 on a trait the model puts at probability 0.007 (logit -5), e.g. a trait of the
  species that this photo does not show: BCE's gradient is near its maximum; the robust
  losses pull less, and on a label the model agrees with they pull like BCE does, or less."""
  targets = jnp.ones((1, 1))
  weights = jnp.ones(1)
  bce_grad = jax.grad(losses.trait_binary_cross_entropy)
  one_trait = {"groups": np.zeros(1, int)} if name == "group_noise" else {}
  robust_grad = jax.grad(ROBUST_LOSSES[name](**one_trait))
  contradicted = jnp.full((1, 1), -5.0)
  assert abs(float(robust_grad(contradicted, targets, weights)[0, 0])) < 0.85 * abs(
      float(bce_grad(contradicted, targets, weights)[0, 0]))
  agreed = jnp.full((1, 1), 1.0)
  assert abs(float(robust_grad(agreed, targets, weights)[0, 0])) <= abs(
      float(bce_grad(agreed, targets, weights)[0, 0])) + 1e-7


def test_unknown_trait_loss_or_setting_is_refused():
  with pytest.raises(ValueError, match="bce, gce, bootstrap, group_noise"):
    losses.trait_loss(types.SimpleNamespace(name="mae"))
  logits, targets, weights = _trait_problem()
  with pytest.raises(ValueError, match="0 < q"):
    ROBUST_LOSSES["gce"](q=0.0)(logits, targets, weights)


GROUPS = np.array([0, 0, 0, 1, 1, 2, 3])  # The trait groups of _trait_problem's 7 traits.


def _group_noise(false_positive=0.2, false_negative=0.2, groups=None):
  config = types.SimpleNamespace(name="group_noise", false_positive=false_positive,
                                 false_negative=false_negative)
  return losses.trait_loss(config, groups=GROUPS if groups is None else groups)


def _brute_force_group_noise(logits, targets, weights, false_positive, false_negative):
  """-log sum_z P(z) P(labels | z) by enumerating z: one value of each group (or none, for a
  one-trait group)."""
  total, cells = 0.0, 0
  probabilities = 1 / (1 + np.exp(-np.asarray(logits, np.float64)))
  for b in np.flatnonzero(np.asarray(weights)):
    for group in np.unique(GROUPS):
      members = np.flatnonzero(GROUPS == group)
      labels = np.asarray(targets)[b, members]
      known = np.isfinite(labels)
      if not known.any():
        continue
      likelihood = 0.0
      for shown in [None] * (len(members) == 1) + list(range(len(members))):
        p_z, p_labels = 1.0, 1.0
        for k, (p, y) in enumerate(zip(probabilities[b, members], labels)):
          p_z *= p if k == shown else 1 - p
          if np.isfinite(y):
            p_one = 1 - false_negative if k == shown else false_positive
            p_labels *= p_one ** y * (1 - p_one) ** (1 - y)
        likelihood += p_z * p_labels
      total -= np.log(likelihood)
      cells += known.sum()
  return total / cells


def test_group_noise_is_the_likelihood_of_its_noise_model():
  logits, targets, weights = _trait_problem()
  np.testing.assert_allclose(
      float(_group_noise(0.1, 0.3)(logits, targets, weights)),
      _brute_force_group_noise(logits, targets, weights, 0.1, 0.3), rtol=1e-5)


def test_group_noise_tends_to_bce_on_one_hot_rows_as_the_flip_rates_vanish():
  logits, _, weights = _trait_problem()
  one_hot = np.zeros(logits.shape, np.float32)
  one_hot[:, [1, 3, 6]] = 1.0
  bce = float(losses.trait_binary_cross_entropy(logits, jnp.asarray(one_hot), weights))
  for rate, tolerance in ((1e-6, 1e-3), (1e-9, 1e-6)):
    np.testing.assert_allclose(
        float(_group_noise(rate, rate)(logits, jnp.asarray(one_hot), weights)), bce,
        rtol=tolerance)


def test_group_noise_does_not_ask_for_every_value_a_row_lists():
  """A row that lists two values of a group: BCE wants both present, so its best logits call
  both; under the noise model a photo showing either one explains the row, so a detector that
  names one value and denies the other loses nothing to one that calls both."""
  targets = jnp.array([[1.0, 1.0, 0.0]])
  weights = jnp.ones(1)
  one_value = jnp.array([[6.0, -6.0, -6.0]])
  both_values = jnp.array([[6.0, 6.0, -6.0]])
  group_noise = _group_noise(groups=np.zeros(3, int))
  bce = losses.trait_binary_cross_entropy
  assert float(bce(one_value, targets, weights)) > float(bce(both_values, targets, weights)) + 1
  assert float(group_noise(one_value, targets, weights)) < float(
      group_noise(both_values, targets, weights))
