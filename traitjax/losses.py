"""Losses that respect the batch contract: padding and unknown labels never count.

All take per-example weights (1 for a real, decodable example; 0 for padding) and return a
scalar mean over what counts; a batch where nothing counts gives 0, not NaN.
"""

import functools
from typing import Callable

import jax
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


def trait_generalized_cross_entropy(logits, targets, weights, q: float = 0.7):
  """Generalized cross-entropy (Zhang & Sabuncu 2018) per trait: (1 - p^q) / q of the
  probability p given to the label, mixed by soft targets. Its gradient is BCE's times p^q, so
  a label the model confidently contradicts (a flipped or invisible trait) pulls less; q -> 0
  gives BCE, q = 1 the noise-tolerant mean absolute error. Masking as in the BCE."""
  if not 0 < q <= 1:
    raise ValueError(f"generalized cross-entropy needs 0 < q <= 1, got {q}")
  logits = logits.astype(jnp.float32)
  known = jnp.isfinite(targets) * weights[:, None]
  targets = jnp.nan_to_num(targets)
  present = -jnp.expm1(q * jax.nn.log_sigmoid(logits)) / q
  absent = -jnp.expm1(q * jax.nn.log_sigmoid(-logits)) / q
  return _weighted_mean(targets * present + (1 - targets) * absent, known)


def trait_bootstrapped_cross_entropy(logits, targets, weights, beta: float = 0.8):
  """Soft bootstrapping (Reed et al. 2015): BCE against beta x label + (1 - beta) x the
  model's own (stop-gradient) probability, so the model may overrule labels it disagrees with;
  beta = 1 gives BCE. Masking as in the BCE."""
  if not 0 <= beta <= 1:
    raise ValueError(f"bootstrapping needs 0 <= beta <= 1, got {beta}")
  logits = logits.astype(jnp.float32)
  own = jax.lax.stop_gradient(jax.nn.sigmoid(logits))
  blended = jnp.where(jnp.isfinite(targets), beta * targets + (1 - beta) * own, targets)
  return trait_binary_cross_entropy(logits, blended, weights)


TRAIT_LOSSES = ("bce", "gce", "bootstrap")


def trait_loss(config) -> Callable:
  """The trait loss `config.name` (one of TRAIT_LOSSES) with its settings (`q` for gce, `beta`
  for bootstrap) bound: (logits, targets, weights) -> scalar."""
  if config.name == "bce":
    return trait_binary_cross_entropy
  if config.name == "gce":
    return functools.partial(trait_generalized_cross_entropy, q=config.q)
  if config.name == "bootstrap":
    return functools.partial(trait_bootstrapped_cross_entropy, beta=config.beta)
  raise ValueError(f"unknown trait loss {config.name!r}; known: {', '.join(TRAIT_LOSSES)}")
