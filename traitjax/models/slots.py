"""Slot-attention part discovery: candidate parts and traits found with species labels alone.

`backbone feature map [B, h, w, C] -> per-location MLP -> tokens [B, N = h w, D] -> slot
attention (Locatello et al. 2020) from K learned initial slots (+ one background slot) -> slots
[B, K', D] and masks [B, K', h, w]`. The masks are the last iteration's attention, a softmax over
slots at every location, so they sum to 1 over slots: the slots compete for every pixel.

The initial slots are learned vectors, not samples of a learned Gaussian as in Locatello et al.:
slot k then starts from the same query in every photo and keeps its identity across photos
(slot 3 is the same candidate part everywhere), which is what naming a slot and scoring it
against keypoints need. Nothing else in the module tells slots apart, so permuting the initial
slots permutes the outputs.

Species logits come from the foreground slots only (a linear layer on their concatenation: one
weight block per slot), so what decides the species has to be gathered by the slots. A per-slot
trait head gives every slot its own logit for every trait and each trait routes to the slots by a
learned softmax (`SlotTraitHead`): trained on the table's labels it aligns slots with known
traits (`trait_supervision`), otherwise it is a probe on stop_gradient(slots), as the black box's
trait head is, and the slots learn from species alone.

The part losses below follow PDiscoNet (van der Klis et al. 2023); each takes per-photo weights
(1 for a real photo, 0 for padding) and is switched off by a zero weight in the task:

- `concentration_loss`: a part is compact: the spatial variance of each foreground mask.
- `orthogonality_loss`: parts are distinct: the squared cosine between the slot vectors of one
  photo.
- `equivariance_loss`: parts follow the photo: the masks of a flipped/rotated/zoomed second view
  equal the first view's masks moved by the same transform.
- `presence_loss`: every part is used: each foreground slot owns a location in at least one
  photo of the batch (no dead slots), and the background slot appears in every photo.
- `presence_per_photo_loss` (beyond PDiscoNet): every part appears in every photo, so that a
  slot keeps to one part across species instead of detecting some species.

Coordinates are (x, y) in [0, 1] of the photo, x to the right and y down (as keypoints in
`data/schema.py`); location (i, j) of an h x w map sits at ((j + 0.5) / w, (i + 0.5) / h).
"""

from __future__ import annotations

import math

import chex
import flax.linen as nn
import jax
import jax.numpy as jnp

from traitjax import losses

_EPSILON = 1e-8


def location_grid(height: int, width: int) -> jax.Array:
  """float32 [height, width, 2]: the (x, y) centre of every location, in [0, 1]."""
  xs = (jnp.arange(width, dtype=jnp.float32) + 0.5) / width
  ys = (jnp.arange(height, dtype=jnp.float32) + 0.5) / height
  return jnp.stack(jnp.meshgrid(xs, ys), axis=-1)


def mask_moments(masks: jax.Array) -> tuple[jax.Array, jax.Array]:
  """Each mask as a spatial distribution: its centroid and its spread.

  Args:
    masks: float [B, K, h, w], non-negative.

  Returns:
    centroids [B, K, 2], the mask-weighted mean (x, y); variance [B, K], the mask-weighted mean
    squared distance to the centroid.
  """
  chex.assert_rank(masks, 4)
  grid = location_grid(*masks.shape[2:])
  distribution = masks / (jnp.sum(masks, axis=(2, 3), keepdims=True) + _EPSILON)
  centroids = jnp.einsum("bkhw,hwc->bkc", distribution, grid)
  second_moment = jnp.einsum("bkhw,hwc->bkc", distribution, grid ** 2)
  variance = jnp.sum(jnp.maximum(second_moment - centroids ** 2, 0.0), axis=-1)
  return centroids, variance


def presence(masks: jax.Array) -> jax.Array:
  """float [B, K, h, w] -> [B, K]: how fully each slot owns its best location (a location of
  these coarse maps, 8 x 8 to 14 x 14, is already a patch of the photo)."""
  return jnp.max(masks, axis=(2, 3))


class SlotAttention(nn.Module):
  """Slot attention (Locatello et al. 2020): slots compete for the inputs by a softmax over
  slots, then each slot is updated by a GRU from the attention-weighted mean of the inputs and
  by a residual MLP; `num_iterations` rounds with shared weights.

  Attributes:
    num_iterations: attention rounds.
    mlp_size: hidden width of the residual MLP.
  """

  num_iterations: int = 3
  mlp_size: int = 128

  @nn.compact
  def __call__(self, inputs: jax.Array, initial_slots: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Slots for the inputs.

    Args:
      inputs: float [B, N, D_in].
      initial_slots: float [B, K, D].

    Returns:
      slots [B, K, D] and attention [B, K, N], the last round's softmax over slots.
    """
    if self.num_iterations < 1:
      raise ValueError(f"num_iterations must be at least 1, got {self.num_iterations}")
    chex.assert_rank([inputs, initial_slots], 3)
    chex.assert_equal_shape_prefix([inputs, initial_slots], 1)
    slot_size = initial_slots.shape[-1]
    inputs = nn.LayerNorm(name="input_norm")(inputs)
    keys = nn.Dense(slot_size, use_bias=False, name="key")(inputs)
    values = nn.Dense(slot_size, use_bias=False, name="value")(inputs)
    query = nn.Dense(slot_size, use_bias=False, name="query")
    query_norm = nn.LayerNorm(name="slot_norm")
    gru = nn.GRUCell(slot_size, name="gru")
    mlp_norm = nn.LayerNorm(name="mlp_norm")
    mlp_hidden = nn.Dense(self.mlp_size, name="mlp_hidden")
    mlp_out = nn.Dense(slot_size, name="mlp_out")
    slots = initial_slots
    for _ in range(self.num_iterations):
      queries = query(query_norm(slots)) / math.sqrt(slot_size)
      attention = jax.nn.softmax(jnp.einsum("bkd,bnd->bkn", queries, keys), axis=1)
      weights = attention + _EPSILON
      weights = weights / jnp.sum(weights, axis=-1, keepdims=True)
      updates = jnp.einsum("bkn,bnd->bkd", weights, values)
      slots, _ = gru(slots, updates)
      slots = slots + mlp_out(nn.relu(mlp_hidden(mlp_norm(slots))))
    return slots, attention


class SlotTraitHead(nn.Module):
  """Per-slot trait logits and each trait's routing over slots.

  Every slot k has its own linear trait layer (logit l[b, k, t]); trait t reads the slots
  through a learned softmax r[t] over slots: logit[b, t] = sum_k r[t, k] l[b, k, t]. The
  routing starts uniform and moves to the slots whose logits explain the trait.
  """

  num_traits: int

  @nn.compact
  def __call__(self, slots: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    """float [B, K, D] -> (trait logits [B, T], per-slot trait logits [B, K, T], routing
    weights [T, K])."""
    num_slots, slot_size = slots.shape[1:]
    kernel = self.param("kernel", nn.initializers.lecun_normal(batch_axis=(0,)),
                        (num_slots, slot_size, self.num_traits))
    bias = self.param("bias", nn.initializers.zeros, (num_slots, self.num_traits))
    routing = self.param("routing", nn.initializers.zeros, (self.num_traits, num_slots))
    slot_logits = jnp.einsum("bkd,kdt->bkt", slots, kernel) + bias
    routing_weights = jax.nn.softmax(routing, axis=-1)
    trait_logits = jnp.einsum("bkt,tk->bt", slot_logits, routing_weights)
    return trait_logits, slot_logits, routing_weights


def slot_trait_maps(masks: jax.Array, slot_trait_logits: jax.Array,
                    routing_weights: jax.Array) -> jax.Array:
  """Evidence maps of the traits: each slot's share of each trait logit spread over the
  locations it attends to.

  Slot k adds r[t, k] l[b, k, t] to trait t's logit (`SlotTraitHead`), and its vector is built
  from the locations by its attention weights over them (the last slot-attention round's
  weights: the mask plus SlotAttention's epsilon, normalised over locations). The map at
  location n is sum_k h w a[b, k, n] r[t, k] l[b, k, t], so the spatial mean of the maps is
  exactly the trait logits, as for the concept bottleneck's linear trait head. Spreading a
  slot's share by its attention is a choice (a slot vector is a nonlinear function of what it
  attends to), not a gradient.

  Args:
    masks: float [B, K, h, w], the foreground slots' masks.
    slot_trait_logits: float [B, K, T].
    routing_weights: float [T, K], each trait's softmax over the slots.

  Returns:
    float [B, h, w, T].
  """
  chex.assert_rank([masks, slot_trait_logits, routing_weights], [4, 3, 2])
  batch, num_slots, height, width = masks.shape
  weights = masks + _EPSILON
  weights = weights / jnp.sum(weights, axis=(2, 3), keepdims=True)
  shares = slot_trait_logits * routing_weights.T[None]  # [B, K, T]
  return height * width * jnp.einsum("bkhw,bkt->bhwt", weights, shares)


class SlotPartDiscovery(nn.Module):
  """images float [B, H, W, 3] in [-1, 1] -> a dict (float32):

  - species_logits [B, S]: from the foreground slots;
  - trait_logits [B, T] and slot_trait_logits [B, K, T]: `SlotTraitHead` on the foreground
    slots (on stop_gradient(slots) unless `trait_supervision`);
  - masks [B, K', h, w]: softmax over slots at every location (K' = K + 1 with the background
    slot, which is the last);
  - with `with_maps`, trait_maps [B, h, w, T] (`slot_trait_maps`);
  - slots [B, K', D]; centroids [B, K', 2] ((x, y) in [0, 1]); presence [B, K'] (`presence`).

  Attributes:
    backbone: returns {"feature_map": [B, h, w, C], ...} (`backbones.py`).
    num_slots: K, the candidate parts.
    num_species, num_traits: S and T.
    background_slot: add a slot for what is not a part; it takes no part in species or traits.
    slot_size: D.
    num_iterations: slot-attention rounds.
    trait_supervision: the trait loss reaches the slots (alignment with known traits).
    position_embedding: add a learned linear map of each location's (x, y, 1 - x, 1 - y) to
      its features (Locatello et al.'s soft position embedding): slots can then use where a
      location is besides what it shows (plants and birds stand mostly upright, so a part
      keeps a rough place).
    frozen_batch_norm: the backbone's batch norm always uses its running statistics.
    dtype: the backbone's compute dtype; everything after it is float32.
  """

  backbone: nn.Module
  num_slots: int
  num_species: int
  num_traits: int
  background_slot: bool = True
  slot_size: int = 64
  num_iterations: int = 3
  trait_supervision: bool = False
  position_embedding: bool = False
  frozen_batch_norm: bool = False
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, images: jax.Array, train: bool = False, with_maps: bool = False,
               feature_map: jax.Array | None = None) -> dict[str, jax.Array]:
    """`feature_map` [B, h, w, C] (a feature cache's) in place of running the backbone."""
    if self.num_slots < 1:
      raise ValueError(f"num_slots must be at least 1, got {self.num_slots}")
    backbone_train = train and not self.frozen_batch_norm
    if feature_map is None:
      feature_map = self.backbone(images.astype(self.dtype),
                                  train=backbone_train)["feature_map"]
    batch, height, width, channels = feature_map.shape
    feature_map = feature_map.astype(jnp.float32)
    if self.position_embedding:
      grid = location_grid(height, width)
      feature_map = feature_map + nn.Dense(channels, name="position_embedding")(
          jnp.concatenate([grid, 1.0 - grid], axis=-1))
    tokens = nn.LayerNorm(name="feature_norm")(
        feature_map.reshape(batch, height * width, channels))
    tokens = nn.Dense(self.slot_size, name="token_mlp_out")(
        nn.relu(nn.Dense(self.slot_size, name="token_mlp_hidden")(tokens)))
    total_slots = self.num_slots + int(self.background_slot)
    initial_slots = self.param("initial_slots", nn.initializers.normal(1.0),
                               (total_slots, self.slot_size))
    # Broadcast against the tokens, so the slots are split over devices as the batch is.
    slots, attention = SlotAttention(self.num_iterations, name="slot_attention")(
        tokens, initial_slots + jnp.zeros_like(tokens[:, :1, :1]))
    masks = attention.reshape(batch, total_slots, height, width)
    foreground = slots[:, :self.num_slots]
    species_logits = nn.Dense(self.num_species, name="species_head")(
        nn.LayerNorm(name="species_norm")(foreground).reshape(batch, -1))
    trait_input = foreground if self.trait_supervision else jax.lax.stop_gradient(foreground)
    trait_logits, slot_trait_logits, routing_weights = SlotTraitHead(
        self.num_traits, name="trait_head")(trait_input)
    outputs = {"species_logits": species_logits, "trait_logits": trait_logits,
               "slot_trait_logits": slot_trait_logits, "masks": masks, "slots": slots,
               "centroids": mask_moments(masks)[0], "presence": presence(masks)}
    if with_maps:
      outputs["trait_maps"] = slot_trait_maps(masks[:, :self.num_slots], slot_trait_logits,
                                              routing_weights)
    return outputs


# ---- Second views ---------------------------------------------------------------------------


def random_view_transform(rng: jax.Array, flip: bool = True, max_rotation_degrees: float = 15.0,
                          min_zoom: float = 0.8) -> jax.Array:
  """A random affine map from a second view to its photo: float32 [2, 3].

  view(q) = photo(A (q - c) + c + t) with c = (0.5, 0.5): A = zoom * rotation * flip with zoom
  in [min_zoom, 1] (a zoom in: the view shows a share `zoom` of each side), a rotation of at
  most `max_rotation_degrees` either way and a horizontal flip half of the time (if `flip`);
  the shift t moves the zoomed window at most as far as the photo allows. Geometry changes no
  trait, so the second view shows the same parts.
  """
  if not 0 < min_zoom <= 1:
    raise ValueError(f"min_zoom must lie in (0, 1], got {min_zoom}")
  zoom_rng, angle_rng, flip_rng, shift_rng = jax.random.split(rng, 4)
  zoom = jax.random.uniform(zoom_rng, minval=min_zoom, maxval=1.0)
  angle = jnp.deg2rad(max_rotation_degrees) * jax.random.uniform(angle_rng, minval=-1, maxval=1)
  mirror = jnp.where(jax.random.bernoulli(flip_rng) & flip, -1.0, 1.0)
  cos, sin = jnp.cos(angle), jnp.sin(angle)
  linear = zoom * jnp.array([[cos * mirror, -sin], [sin * mirror, cos]])
  shift = (1.0 - zoom) / 2 * jax.random.uniform(shift_rng, (2,), minval=-1.0, maxval=1.0)
  return jnp.concatenate([linear, shift[:, None]], axis=-1)


def warp(images: jax.Array, transforms: jax.Array) -> tuple[jax.Array, jax.Array]:
  """The views that `transforms` define, sampled bilinearly (edges repeated outside).

  Args:
    images: float [B, H, W, C] (photos, or masks with slots as channels).
    transforms: float [B, 2, 3] (see `random_view_transform`); coordinates are fractions of
      the side, so one transform serves any resolution.

  Returns:
    views [B, H, W, C] and inside bool [B, H, W]: whether each view location comes from
    within the photo.
  """
  chex.assert_rank([images, transforms], [4, 3])
  _, height, width, _ = images.shape
  centred = location_grid(height, width) - 0.5

  def warp_one(image, transform):
    source = centred @ transform[:, :2].T + transform[:, 2] + 0.5  # [H, W, 2] (x, y)
    inside = jnp.all((source >= 0.0) & (source <= 1.0), axis=-1)
    column = source[..., 0] * width - 0.5
    row = source[..., 1] * height - 0.5
    left, top = jnp.floor(column), jnp.floor(row)
    right_weight, bottom_weight = (column - left)[..., None], (row - top)[..., None]

    def at(rows, columns):
      rows = jnp.clip(rows, 0, height - 1).astype(jnp.int32)
      columns = jnp.clip(columns, 0, width - 1).astype(jnp.int32)
      return image[rows, columns]

    view = ((1 - bottom_weight) * ((1 - right_weight) * at(top, left)
                                   + right_weight * at(top, left + 1))
            + bottom_weight * ((1 - right_weight) * at(top + 1, left)
                               + right_weight * at(top + 1, left + 1)))
    return view, inside

  # One photo at a time: the batch axis stays where the batch's sharding puts it.
  return jax.vmap(warp_one)(images, transforms)


# ---- Part losses ----------------------------------------------------------------------------


def _weighted_mean(values: jax.Array, weights: jax.Array) -> jax.Array:
  """Mean of `values` [B, ...] over photos with `weights` [B], over the other axes plainly."""
  return losses.weighted_mean(jnp.mean(values.reshape(values.shape[0], -1), axis=-1), weights)


def concentration_loss(masks: jax.Array, weights: jax.Array) -> jax.Array:
  """Compact parts: the mean spatial variance (in squared fractions of the side) of the masks
  [B, K, h, w] (foreground slots), 1/6 for a mask spread evenly over the photo, 0 for a
  point."""
  return _weighted_mean(mask_moments(masks)[1], weights)


def orthogonality_loss(slots: jax.Array, weights: jax.Array) -> jax.Array:
  """Distinct parts: the mean squared cosine similarity between the slot vectors [B, K, D]
  (foreground) of the same photo, over slot pairs; 0 when they are orthogonal."""
  num_slots = slots.shape[1]
  if num_slots < 2:
    return jnp.zeros((), jnp.float32)
  unit = slots / (jnp.linalg.norm(slots, axis=-1, keepdims=True) + _EPSILON)
  cosine = jnp.einsum("bkd,bld->bkl", unit, unit)
  off_diagonal = 1.0 - jnp.eye(num_slots)
  squared = jnp.sum(cosine ** 2 * off_diagonal, axis=(1, 2)) / (num_slots * (num_slots - 1))
  return _weighted_mean(squared, weights)


def equivariance_loss(masks: jax.Array, view_masks: jax.Array, transforms: jax.Array,
                      weights: jax.Array) -> jax.Array:
  """Parts that follow the photo: the photo's masks [B, K, h, w] moved by `transforms` (the
  second view's, see `random_view_transform`) against the second view's masks [B, K, h, w]:
  squared difference summed over slots, averaged over the view's locations that lie within the
  photo. 0 for identical views."""
  chex.assert_equal_shape([masks, view_masks])
  moved, inside = warp(jnp.moveaxis(masks, 1, -1), transforms)
  squared = jnp.sum((moved - jnp.moveaxis(view_masks, 1, -1)) ** 2, axis=-1)
  inside = inside.astype(jnp.float32)
  per_photo = jnp.sum(squared * inside, axis=(1, 2)) / jnp.maximum(
      jnp.sum(inside, axis=(1, 2)), 1.0)
  return _weighted_mean(per_photo, weights)


def presence_loss(presences: jax.Array, weights: jax.Array, background_slot: bool) -> jax.Array:
  """Used parts (PDiscoNet's presence loss): for each foreground slot, 1 - its largest
  presence in the batch (each part fully owns a location in some photo: no dead slots),
  averaged over slots; with a background slot (the last), plus the mean over photos of 1 - its
  presence (there is background in every photo).

  Args:
    presences: float [B, K'] (`presence`).
    weights: float [B].
    background_slot: whether the last slot is the background.
  """
  num_foreground = presences.shape[1] - int(background_slot)
  counted = presences[:, :num_foreground] * weights[:, None]
  loss = jnp.mean(1.0 - jnp.max(counted, axis=0))
  if background_slot:
    loss += _weighted_mean(1.0 - presences[:, -1], weights)
  return loss


def presence_per_photo_loss(presences: jax.Array, weights: jax.Array,
                            background_slot: bool) -> jax.Array:
  """Parts shared by every photo: the mean over photos and foreground slots of 1 - presence.

  The photos of a fine-grained set (plants, birds) show the same parts; a slot that appears
  only for some species (say, yellow flowers) is a species detector, not a part. Asking each
  foreground slot to own a location in every photo leaves slots no room to specialise by
  species, so a slot keeps to one part across species. Parts hidden in a photo make it a soft
  prior, not a constraint; PDiscoNet's `presence_loss` asks a part only once per batch.

  Args:
    presences: float [B, K'] (`presence`).
    weights: float [B].
    background_slot: whether the last slot is the background (it is left out).
  """
  num_foreground = presences.shape[1] - int(background_slot)
  return _weighted_mean(1.0 - presences[:, :num_foreground], weights)
