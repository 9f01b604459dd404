"""Tests for traitjax.models.slots: masks, symmetry, second views and the part losses."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from traitjax.models import backbones
from traitjax.models import slots

IDENTITY = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], np.float32)
FLIP = np.array([[-1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], np.float32)


def _model(background_slot=True, **kwargs):
  return slots.SlotPartDiscovery(
      backbone=backbones.get_backbone("resnet_small", num_stages=2), num_slots=5,
      num_species=7, num_traits=4, background_slot=background_slot, slot_size=16, **kwargs)


@pytest.mark.parametrize("background_slot, position_embedding", [(True, True), (False, False)])
def test_masks_sum_to_one_over_slots_at_every_location(background_slot, position_embedding):
  model = _model(background_slot, position_embedding=position_embedding)
  images = jax.random.uniform(jax.random.key(0), (2, 32, 32, 3), minval=-1, maxval=1)
  variables = model.init(jax.random.key(1), images)
  outputs = model.apply(variables, images)
  num_slots = 5 + background_slot
  assert outputs["masks"].shape == (2, num_slots, 8, 8)  # Two stages: stride 4.
  np.testing.assert_allclose(outputs["masks"].sum(1), 1.0, atol=1e-5)
  assert (outputs["masks"] >= 0).all()
  assert outputs["species_logits"].shape == (2, 7)
  assert outputs["trait_logits"].shape == (2, 4)
  assert outputs["slot_trait_logits"].shape == (2, 5, 4)
  assert outputs["centroids"].shape == (2, num_slots, 2)
  assert ((outputs["centroids"] >= 0) & (outputs["centroids"] <= 1)).all()
  np.testing.assert_allclose(outputs["presence"], outputs["masks"].max(axis=(2, 3)))


def test_permuting_the_initial_slots_permutes_the_slots_and_their_attention():
  attention_module = slots.SlotAttention(num_iterations=3, mlp_size=32)
  inputs = jax.random.normal(jax.random.key(0), (2, 10, 12))
  initial = jax.random.normal(jax.random.key(1), (2, 4, 16))
  variables = attention_module.init(jax.random.key(2), inputs, initial)
  permutation = np.array([2, 0, 3, 1])
  slots_out, attention = attention_module.apply(variables, inputs, initial)
  permuted_slots, permuted_attention = attention_module.apply(
      variables, inputs, initial[:, permutation])
  np.testing.assert_allclose(permuted_slots, slots_out[:, permutation], atol=1e-5)
  np.testing.assert_allclose(permuted_attention, attention[:, permutation], atol=1e-6)
  np.testing.assert_allclose(attention.sum(1), 1.0, atol=1e-6)


def test_warp_by_the_identity_and_by_a_flip():
  images = jax.random.normal(jax.random.key(0), (2, 5, 6, 3))
  views, inside = slots.warp(images, jnp.stack([IDENTITY, FLIP]))
  np.testing.assert_allclose(views[0], images[0], atol=1e-5)
  np.testing.assert_allclose(views[1], images[1, :, ::-1], atol=1e-5)
  assert inside.all()


def test_random_view_transforms_zoom_rotate_and_flip_within_their_limits():
  transforms = jax.vmap(lambda i: slots.random_view_transform(
      jax.random.fold_in(jax.random.key(0), i), max_rotation_degrees=15.0, min_zoom=0.8))(
          jnp.arange(200))
  determinants = np.linalg.det(np.asarray(transforms[:, :, :2]))
  zooms = np.sqrt(np.abs(determinants))
  assert ((zooms >= 0.8 - 1e-5) & (zooms <= 1 + 1e-5)).all()
  assert 0.3 < np.mean(determinants < 0) < 0.7  # Half of the views are mirrored.
  angles = np.degrees(np.arctan2(-transforms[:, 0, 1], transforms[:, 1, 1]))
  assert np.abs(angles).max() <= 15.0 + 1e-3
  # The zoomed window stays within the photo: its shift is at most (1 - zoom) / 2.
  assert (np.abs(transforms[:, :, 2]) <= (1 - zooms[:, None]) / 2 + 1e-6).all()
  unflipped = jax.vmap(lambda i: slots.random_view_transform(
      jax.random.fold_in(jax.random.key(0), i), flip=False))(jnp.arange(50))
  assert (np.linalg.det(np.asarray(unflipped[:, :, :2])) > 0).all()
  with pytest.raises(ValueError, match="min_zoom"):
    slots.random_view_transform(jax.random.key(0), min_zoom=0.0)


def _random_masks(key, shape=(3, 4, 6, 6)):
  return jax.nn.softmax(jax.random.normal(key, shape) * 3, axis=1)


def test_equivariance_loss_is_zero_for_identical_views_and_masks_that_follow_the_view():
  masks = _random_masks(jax.random.key(0))
  weights = jnp.ones(3)
  identity = jnp.stack([IDENTITY] * 3)
  assert slots.equivariance_loss(masks, masks, identity, weights) == pytest.approx(0, abs=1e-9)
  flips = jnp.stack([FLIP] * 3)
  flipped = masks[..., ::-1]
  assert slots.equivariance_loss(masks, flipped, flips, weights) == pytest.approx(0, abs=1e-9)
  other = _random_masks(jax.random.key(1))
  assert slots.equivariance_loss(masks, other, identity, weights) > 0.1
  assert slots.equivariance_loss(masks, masks, flips, weights) > 0.1  # Masks that did not flip.
  # Padding photos do not count.
  mixed = masks.at[0].set(other[0])
  assert slots.equivariance_loss(masks, mixed, identity, jnp.array([0.0, 1, 1])) == (
      pytest.approx(0, abs=1e-9))


def test_concentration_loss_is_the_spatial_variance_of_each_mask():
  point = jnp.zeros((1, 1, 4, 4)).at[0, 0, 1, 2].set(1.0)
  assert slots.concentration_loss(point, jnp.ones(1)) == pytest.approx(0, abs=1e-6)
  uniform = jnp.ones((1, 1, 4, 4)) / 16
  # Per axis, the variance of the 4 location centres 1/8, 3/8, 5/8, 7/8: 5/64.
  assert slots.concentration_loss(uniform, jnp.ones(1)) == pytest.approx(2 * 5 / 64, rel=1e-5)
  two_corners = jnp.zeros((1, 1, 4, 4)).at[0, 0, 0, 0].set(1.0).at[0, 0, 3, 3].set(1.0)
  # Half the mass at (1/8, 1/8), half at (7/8, 7/8): variance (3/8)^2 per axis.
  assert slots.concentration_loss(two_corners, jnp.ones(1)) == pytest.approx(
      2 * (3 / 8) ** 2, rel=1e-5)


def test_orthogonality_loss_is_the_mean_squared_cosine_between_slots_of_a_photo():
  orthogonal = jnp.eye(3)[None] * jnp.array([1.0, 2.0, 3.0])[:, None]
  assert slots.orthogonality_loss(orthogonal, jnp.ones(1)) == pytest.approx(0, abs=1e-7)
  same = jnp.ones((1, 3, 5))
  assert slots.orthogonality_loss(same, jnp.ones(1)) == pytest.approx(1, rel=1e-5)
  two = jnp.array([[[1.0, 0.0], [1.0, 1.0]]])  # cos 45 degrees: squared 1/2.
  assert slots.orthogonality_loss(two, jnp.ones(1)) == pytest.approx(0.5, rel=1e-5)


def test_presence_loss_asks_each_part_once_per_batch_and_the_background_in_every_photo():
  presences = jnp.array([[1.0, 0.2, 1.0],
                         [0.3, 0.6, 0.5]])  # Two parts and a background slot (last).
  weights = jnp.ones(2)
  # Parts: 1 - max over photos = 0 and 0.4; background: 1 - presence = 0 and 0.5.
  expected = (0 + 0.4) / 2 + (0 + 0.5) / 2
  assert slots.presence_loss(presences, weights, True) == pytest.approx(expected, rel=1e-6)
  # Without a background slot the last column is a part: 1 - max = 0.
  assert slots.presence_loss(presences, weights, False) == pytest.approx(
      (0 + 0.4 + 0) / 3, rel=1e-6)
  # A padding photo's presence does not count.
  assert slots.presence_loss(presences, jnp.array([0.0, 1.0]), True) == pytest.approx(
      (0.7 + 0.4) / 2 + 0.5, rel=1e-6)


def test_mask_moments_give_the_centroid_of_each_mask():
  masks = jnp.zeros((1, 2, 2, 4)).at[0, 0, 0, 0].set(1.0).at[0, 1, 1, :].set(0.5)
  centroids, variance = slots.mask_moments(masks)
  np.testing.assert_allclose(centroids[0], [[1 / 8, 1 / 4], [1 / 2, 3 / 4]], rtol=1e-6)
  np.testing.assert_allclose(variance[0, 0], 0, atol=1e-6)


def test_presence_per_photo_loss_asks_every_part_in_every_photo():
  presences = jnp.array([[1.0, 0.2, 0.0],
                         [0.3, 0.6, 0.0]])  # Two parts and a background slot (last).
  assert slots.presence_per_photo_loss(presences, jnp.ones(2), True) == pytest.approx(
      (0 + 0.8 + 0.7 + 0.4) / 4, rel=1e-6)
  assert slots.presence_per_photo_loss(presences, jnp.array([1.0, 0.0]), True) == (
      pytest.approx(0.4, rel=1e-6))
  assert slots.presence_per_photo_loss(presences, jnp.ones(2), False) == pytest.approx(
      (0 + 0.8 + 1 + 0.7 + 0.4 + 1) / 6, rel=1e-6)



def test_slot_trait_maps_average_exactly_to_the_trait_logits():
  model = _model()
  images = jax.random.uniform(jax.random.key(0), (2, 32, 32, 3), minval=-1, maxval=1)
  variables = model.init(jax.random.key(1), images)
  outputs = model.apply(variables, images, with_maps=True)
  assert outputs["trait_maps"].shape == (2, 8, 8, 4)
  np.testing.assert_allclose(outputs["trait_maps"].mean(axis=(1, 2)), outputs["trait_logits"],
                             rtol=1e-4, atol=1e-5)
  assert "trait_maps" not in model.apply(variables, images)


def test_a_slot_spreads_its_share_of_a_trait_over_where_it_attends():
  """Slot 0 attends to location (0, 1) only, slot 1 evenly everywhere: trait 0 routed wholly to
  slot 0 (logit 2) lies at (0, 1); trait 1 routed half to each adds slot 1's share evenly."""
  masks = np.zeros((1, 2, 2, 2), np.float32)
  masks[0, 0, 0, 1] = 1.0
  masks[0, 1] = 0.25
  slot_logits = np.array([[[2.0, 4.0], [0.0, -2.0]]], np.float32)  # [B, K, T]
  routing = np.array([[1.0, 0.0], [0.5, 0.5]], np.float32)  # [T, K]
  maps = np.asarray(slots.slot_trait_maps(masks, slot_logits, routing))
  np.testing.assert_allclose(maps[0, :, :, 0], [[0.0, 8.0], [0.0, 0.0]], atol=1e-5)
  np.testing.assert_allclose(maps[0, :, :, 1], [[-1.0, 7.0], [-1.0, -1.0]], atol=1e-5)
  np.testing.assert_allclose(maps.mean(axis=(1, 2)), [[2.0, 1.0]], atol=1e-5)
