"""What every task does the same way: initialise its model (with a pretrained backbone if
given) and measure species accuracy."""

from __future__ import annotations

import functools

import flax
import jax
import jax.numpy as jnp

from traitjax import losses
from traitjax.data import schema
from traitjax.models import weights


def init_variables(model, rng, batch, pretrained: str = "", backbone_name: str = "",
                   **model_kwargs) -> dict:
  """`model`'s random variables for `batch`'s images (and `model_kwargs`), with the backbone's
  replaced by the safetensors file `pretrained` if given."""
  variables = flax.core.unfreeze(jax.jit(functools.partial(model.init, train=False))(
      rng, batch[schema.IMAGE], **model_kwargs))
  if not pretrained:
    return variables
  return weights.with_pretrained_backbone(variables, backbone_name, pretrained)


def species_accuracy(species_logits, labels, weights) -> jax.Array:
  """The weighted share of photos whose top species is theirs (`labels`)."""
  correct = jnp.argmax(species_logits, -1) == labels
  return losses.weighted_mean(correct, weights)
