"""Losses that respect the batch contract: padding and unknown labels never count.

All take per-example weights (1 for a real, decodable example; 0 for padding) and return a
scalar mean over what counts; a batch where nothing counts gives 0, not NaN.
"""

import functools
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax


def weighted_mean(values, weights):
  """sum(values x weights) / sum(weights) (0 where every weight is 0); `weights` broadcast
  against `values`, e.g. a photo's validity [B] against per-photo values [B]."""
  return jnp.sum(values * weights) / jnp.maximum(jnp.sum(weights), 1.0)


def species_cross_entropy(logits, species, weights):
  """logits float [B, S]; species int [B] (-1 = unknown, ignored); weights float [B]."""
  known = weights * (species >= 0)
  losses = optax.softmax_cross_entropy_with_integer_labels(
      logits.astype(jnp.float32), jnp.maximum(species, 0))
  return weighted_mean(losses, known)


def trait_binary_cross_entropy(logits, targets, weights):
  """logits float [B, T]; targets float [B, T] in [0, 1], NaN = no label (masked out)."""
  known = jnp.isfinite(targets) * weights[:, None]
  losses = optax.sigmoid_binary_cross_entropy(
      logits.astype(jnp.float32), jnp.nan_to_num(targets))
  return weighted_mean(losses, known)


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
  return weighted_mean(targets * present + (1 - targets) * absent, known)


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


def trait_group_noise_likelihood(logits, targets, weights, groups, false_positive: float = 0.01,
                                 false_negative: float = 0.01):
  """Negative log-likelihood of the species-level labels under a model of how they were made,
  per trait group, over the known cells.

  A photo shows exactly one value of each group of several traits (the latent z); the
  detector's independent probabilities p give P(z = v) = p_v prod_{i != v} (1 - p_i). Each
  table cell is then flipped with probability `false_positive` (0 -> 1) or `false_negative`
  (1 -> 0). The loss is -log sum_z P(z) P(labels | z) / (known cells). A one-trait group is a
  free binary trait (z = shown or not: forward-corrected BCE).

  Unlike BCE, a group whose row lists several values (one true, the rest flipped in) is
  explained by any one of them: the detector may pick the value the photo shows and is not
  pushed to call the others present, so memorising a species' wrong cells earns nothing; a
  row that names a value the photo contradicts costs a bounded amount. As both rates go to 0
  the loss of one-hot rows tends to BCE. Soft targets y count as y x a 1 label plus (1 - y) x
  a 0 label.

  Args:
    logits: float [B, T].
    targets: float [B, T] in [0, 1], NaN = no label.
    weights: float [B] (0 = padding).
    groups: int [T] group index of each trait (a static array).
    false_positive, false_negative: the assumed flip rates, in (0, 0.5). Small rates keep
      a contradicted label costly: with larger ones a value the detector settles on early
      and wrongly is never unlearned.
  """
  for name, rate in (("false_positive", false_positive), ("false_negative", false_negative)):
    if not 0 < rate < 0.5:
      raise ValueError(f"the group noise model needs 0 < {name} < 0.5, got {rate}")
  groups = np.asarray(groups)
  if groups.shape != (logits.shape[-1],):
    raise ValueError(f"{groups.shape} group indices for {logits.shape[-1]} traits")
  membership = groups[None, :] == np.unique(groups)[:, None]  # bool [G, T]
  group_sum = membership.T.astype(np.float32)  # [T, G]: x @ group_sum sums x per group
  logits = logits.astype(jnp.float32)
  known = jnp.isfinite(targets) * weights[:, None]
  labels = jnp.nan_to_num(targets)
  # log P(label | value not shown) and log P(label | value shown); 0 where unknown.
  if_absent = known * (labels * np.log(false_positive) + (1 - labels) * np.log1p(-false_positive))
  if_shown = known * (labels * np.log1p(-false_negative) + (1 - labels) * np.log(false_negative))
  none_shown = (jax.nn.log_sigmoid(-logits) + if_absent) @ group_sum
  one_shown = jax.nn.logsumexp(  # log sum_v P(z = v) P(labels | z = v) - none_shown
      jnp.broadcast_to((logits + if_shown - if_absent)[:, None, :],
                       (logits.shape[0],) + membership.shape),
      axis=-1, where=membership[None])
  binary = membership.sum(1) == 1  # One-trait groups may also show nothing.
  log_likelihood = none_shown + jnp.where(binary, jnp.logaddexp(0.0, one_shown), one_shown)
  group_known = (known @ group_sum) > 0
  return -jnp.sum(jnp.where(group_known, log_likelihood, 0.0)) / jnp.maximum(jnp.sum(known), 1.0)


TRAIT_LOSSES = ("bce", "gce", "bootstrap", "group_noise")


def trait_loss(config, groups=None) -> Callable:
  """The trait loss `config.name` (one of TRAIT_LOSSES) with its settings (`q` for gce, `beta`
  for bootstrap, `false_positive` and `false_negative` for group_noise, which also needs the
  table's `groups`: int [T]) bound: (logits, targets, weights) -> scalar."""
  if config.name == "bce":
    return trait_binary_cross_entropy
  if config.name == "gce":
    return functools.partial(trait_generalized_cross_entropy, q=config.q)
  if config.name == "bootstrap":
    return functools.partial(trait_bootstrapped_cross_entropy, beta=config.beta)
  if config.name == "group_noise":
    if groups is None:
      raise ValueError("the group_noise trait loss needs the table's trait groups")
    return functools.partial(trait_group_noise_likelihood, groups=np.asarray(groups),
                             false_positive=config.false_positive,
                             false_negative=config.false_negative)
  raise ValueError(f"unknown trait loss {config.name!r}; known: {', '.join(TRAIT_LOSSES)}")
