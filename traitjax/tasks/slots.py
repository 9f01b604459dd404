"""Slot-attention part discovery (`models/slots.py`) as a task: species labels train the slots,
the part losses shape them, and evaluation scores them against keypoints and names them by
known traits."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from traitjax import losses
from traitjax.data import schema
from traitjax.models import backbones
from traitjax.models import slots
from traitjax.tasks import common


@dataclasses.dataclass(frozen=True)
class PartLossWeights:
  """Weights of the part losses (`models/slots.py`); 0 switches one off (a zero equivariance
  weight also skips the second view)."""

  concentration: float = 0.0
  orthogonality: float = 0.0
  equivariance: float = 0.0
  presence: float = 0.0
  presence_per_photo: float = 0.0

  def __post_init__(self):
    negative = {k: v for k, v in dataclasses.asdict(self).items() if v < 0}
    if negative:
      raise ValueError(f"part loss weights must not be negative, got {negative}")

  @classmethod
  def from_config(cls, part_losses) -> PartLossWeights:
    known = [field.name for field in dataclasses.fields(cls)]
    unknown = sorted(set(part_losses) - set(known))
    if unknown:
      raise ValueError(f"unknown part losses {unknown}; known: {known}")
    return cls(**part_losses)


@dataclasses.dataclass(frozen=True)
class SlotsTask:
  """Species cross-entropy on both views + the weighted part losses + `trait_weight` x the
  masked trait BCE of the routed trait logits against the table labels (a probe unless the
  model has `trait_supervision`).

  The second view of each photo (`slots.random_view_transform` from the step's rng and the
  photo's index: a random flip, rotation and zoom) is made inside the loss, so the input
  pipeline stays the one every task shares. The species, trait and one-view part losses are
  averaged over the views; the equivariance loss compares them.
  """

  model: slots.SlotPartDiscovery
  part_loss_weights: PartLossWeights
  trait_weight: float
  species_train_counts: np.ndarray
  trait_names: tuple[str, ...]
  view_flip: bool = True
  view_max_rotation_degrees: float = 15.0
  view_min_zoom: float = 0.8
  pretrained: str = ""  # safetensors file for the backbone ("" = random init)
  backbone_name: str = ""

  @classmethod
  def from_config(cls, config, source) -> SlotsTask:
    model_config = config.model
    dtype = jnp.dtype(model_config.dtype)
    backbone = backbones.get_backbone(model_config.backbone, num_stages=model_config.num_stages,
                                      dtype=dtype)
    model = slots.SlotPartDiscovery(
        backbone=backbone, num_slots=model_config.num_slots,
        num_species=source.trait_table.num_species, num_traits=source.trait_table.num_traits,
        background_slot=model_config.background_slot, slot_size=model_config.slot_size,
        num_iterations=model_config.num_iterations,
        trait_supervision=model_config.trait_supervision,
        position_embedding=model_config.position_embedding,
        frozen_batch_norm=model_config.frozen_batch_norm, dtype=dtype)
    return cls(model=model, part_loss_weights=PartLossWeights.from_config(config.part_losses),
               trait_weight=model_config.trait_weight,
               species_train_counts=np.asarray(source.species_train_counts),
               trait_names=source.trait_table.traits,
               view_flip=config.second_view.flip,
               view_max_rotation_degrees=config.second_view.max_rotation_degrees,
               view_min_zoom=config.second_view.min_zoom,
               pretrained=model_config.pretrained, backbone_name=model_config.backbone)

  @property
  def runs_backbone_on_second_view(self) -> bool:
    """Whether the loss runs the backbone on a warped second view of each photo (the
    equivariance loss): a feature cache cannot serve it."""
    return self.part_loss_weights.equivariance > 0

  def init(self, rng, batch):
    """Random variables, with the backbone's replaced by `pretrained` weights if given."""
    return common.init_variables(self.model, rng, batch, self.pretrained, self.backbone_name)

  def loss(self, params, model_state, batch, rng):
    images = batch.get(schema.IMAGE)
    weights = batch[schema.VALID].astype(jnp.float32)
    views = [images]
    if self.runs_backbone_on_second_view:
      # Drawn per photo from its index: the transforms are split over devices as the batch is.
      transforms = jax.vmap(lambda index: slots.random_view_transform(
          jax.random.fold_in(rng, index), self.view_flip, self.view_max_rotation_degrees,
          self.view_min_zoom))(batch[schema.INDEX])
      views.append(slots.warp(images, transforms)[0])
    # One pass per view (batch norm updates once per view): slicing a batch of both views
    # apart would undo its split over devices.
    state, view_outputs = model_state, []
    for view in views:
      outputs, state = self.model.apply({"params": params, **state}, view, train=True,
                                        feature_map=batch.get(schema.FEATURE_MAP),
                                        mutable=list(model_state))
      view_outputs.append(outputs)
    # Each one-view term averaged over the views; the equivariance loss compares them.
    per_view = [self._view_losses(outputs, batch, weights) for outputs in view_outputs]
    terms = {name: sum(view[name] for view in per_view) / len(views) for name in per_view[0]}
    if self.runs_backbone_on_second_view:
      terms["equivariance"] = slots.equivariance_loss(
          view_outputs[0]["masks"], view_outputs[1]["masks"], transforms, weights)
    part_weights = dataclasses.asdict(self.part_loss_weights)
    total = terms["species_loss"] + self.trait_weight * terms["trait_loss"] + sum(
        part_weights[name] * value for name, value in terms.items() if name in part_weights)
    measurements = {**terms, "loss": total, "species_accuracy": common.species_accuracy(
        view_outputs[0]["species_logits"], batch[schema.SPECIES], weights)}
    return total, (state, measurements)

  def _view_losses(self, outputs, batch, weights) -> dict[str, jax.Array]:
    """One view's species loss, trait loss and the one-view part losses whose weight is not 0,
    unweighted."""
    num_slots = self.model.num_slots
    part_loss_weights = self.part_loss_weights
    terms = {
        "species_loss": losses.species_cross_entropy(
            outputs["species_logits"], batch[schema.SPECIES], weights),
        "trait_loss": losses.trait_binary_cross_entropy(
            outputs["trait_logits"], batch[schema.TRAITS], weights)}
    if part_loss_weights.concentration:
      terms["concentration"] = slots.concentration_loss(outputs["masks"][:, :num_slots], weights)
    if part_loss_weights.orthogonality:
      terms["orthogonality"] = slots.orthogonality_loss(outputs["slots"][:, :num_slots], weights)
    if part_loss_weights.presence:
      terms["presence"] = slots.presence_loss(
          outputs["presence"], weights, self.model.background_slot)
    if part_loss_weights.presence_per_photo:
      terms["presence_per_photo"] = slots.presence_per_photo_loss(
          outputs["presence"], weights, self.model.background_slot)
    return terms

  def predict(self, params, model_state, batch, with_maps: bool = False):
    """The model's outputs but the slot vectors (with `with_maps` also trait_maps [B, h, w, T],
    `slots.slot_trait_maps`), and the keypoints they are scored against."""
    outputs = self.model.apply({"params": params, **model_state}, batch.get(schema.IMAGE),
                               train=False, with_maps=with_maps,
                               feature_map=batch.get(schema.FEATURE_MAP))
    return {**{k: v for k, v in outputs.items() if k != "slots"},
            schema.PARTS: batch[schema.PARTS]}
