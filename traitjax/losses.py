"""Losses that respect the batch contract: padding and unknown labels never count.

All take per-example weights (1 for a real, decodable example; 0 for padding) and return a
scalar mean over what counts; a batch where nothing counts gives 0, not NaN.
"""

import jax.numpy as jnp
import optax


def _weighted_mean(values, weights):
  return jnp.sum(values * weights) / jnp.maximum(jnp.sum(weights), 1.0)


def species_cross_entropy(logits, species, weights):
  """logits float [B, S]; species int [B] (-1 = unknown, ignored); weights float [B]."""
  known = weights * (species >= 0)
  losses = optax.softmax_cross_entropy_with_integer_labels(
      logits.astype(jnp.float32), jnp.maximum(species, 0))
  return _weighted_mean(losses, known)


def trait_binary_cross_entropy(logits, targets, weights):
  """logits float [B, T]; targets float [B, T] in [0, 1], NaN = no label (masked out)."""
  known = jnp.isfinite(targets) * weights[:, None]
  losses = optax.sigmoid_binary_cross_entropy(
      logits.astype(jnp.float32), jnp.nan_to_num(targets))
  return _weighted_mean(losses, known)
