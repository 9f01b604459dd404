"""Trait-to-species inference: species as rows of a species x trait table, not trained weights.

A species k has trait t with probability a[k, t] (its table cell; an empty cell takes a learned
per-trait value). The trait detector fires with probability
    q[k, t] = a[k, t] * sensitivity[t] + (1 - a[k, t]) * false_alarm[t],
where the learned per-trait reliabilities say how often a present trait is detected and how
often an absent one is reported. Given detector probabilities p[b, t] as soft evidence, the
species logit is a tempered log-likelihood
    logit[b, k] = temperature * sum_t p log q[k, t] + (1 - p) log (1 - q[k, t]).
The temperature discounts evidence counted twice by correlated traits. The reliabilities are fit
by maximum likelihood of the detections under each photo's own species (`reliability_loss`),
the temperature by the species cross-entropy. With no per-species
parameter, a species joins at inference time from its table row (zero-shot), and a few photos
of it refine only its own row (`few_shot_row`), so the odds among the other species stay put.
"""

import flax.linen as nn
import jax.numpy as jnp
import numpy as np

_EPSILON = 1e-4


class TraitToSpecies(nn.Module):
  """trait probabilities [B, T] (NaN = not observed: no evidence) and a species table [S, T]
  -> species logits [B, S].

  Parameters (all per trait, none per species): `sensitivity` and `false_alarm` logits [T],
  initialised at 0.9 and 0.1; `empty_cell` logits [T], the presence assumed where a table cell
  is NaN, initialised at 0.5; a scalar `log_temperature`.
  """

  initial_sensitivity: float = 0.9
  initial_false_alarm: float = 0.1

  @nn.compact
  def __call__(self, trait_probabilities, table, with_log_likelihood: bool = False):
    """-> species logits [B, S]; with `with_log_likelihood` also the untempered
    log-likelihood [B, S] (what `reliability_loss` reads)."""
    num_traits = trait_probabilities.shape[-1]
    if table.shape[-1] != num_traits:
      raise ValueError(f"species table has {table.shape[-1]} traits, the detector {num_traits}")
    logit = lambda p: float(np.log(p / (1 - p)))
    sensitivity = nn.sigmoid(self.param(
        "sensitivity", nn.initializers.constant(logit(self.initial_sensitivity)), (num_traits,)))
    false_alarm = nn.sigmoid(self.param(
        "false_alarm", nn.initializers.constant(logit(self.initial_false_alarm)), (num_traits,)))
    empty_cell = nn.sigmoid(self.param("empty_cell", nn.initializers.zeros, (num_traits,)))
    temperature = jnp.exp(self.param("log_temperature", nn.initializers.zeros, ()))
    present = jnp.where(jnp.isfinite(table), table, empty_cell)
    fires = present * sensitivity + (1 - present) * false_alarm
    fires = jnp.clip(fires, _EPSILON, 1 - _EPSILON)
    p = trait_probabilities.astype(jnp.float32)
    observed = jnp.isfinite(p)  # NaN: a trait nobody could judge adds no evidence.
    present, absent = jnp.where(observed, p, 0), jnp.where(observed, 1 - p, 0)
    log_likelihood = present @ jnp.log(fires).T + absent @ jnp.log1p(-fires).T
    logits = temperature * log_likelihood
    return (logits, log_likelihood) if with_log_likelihood else logits


def reliability_loss(log_likelihood, species, weights):
  """Negative log-likelihood per trait of each photo's detections under its own species:
  log_likelihood float [B, S] (untempered); species int [B] (-1 = unknown); weights [B]."""
  known = weights * (species >= 0)
  own = jnp.take_along_axis(log_likelihood, jnp.maximum(species, 0)[:, None], axis=1)[:, 0]
  return -jnp.sum(own * known) / jnp.maximum(jnp.sum(known), 1.0)


def few_shot_row(row, shot_probabilities, prior_strength: float = 2.0):
  """A species' table row refined by the detector's trait probabilities on its photos.

  row float [T] (NaN = unknown); shot_probabilities float [n, T]. Each known cell becomes the
  mean of its value (counted as `prior_strength` photos) and the n detections; an unknown cell
  becomes the detections' mean. Only this row changes, so among the other species the predicted
  odds are exactly what they were.
  """
  row = jnp.asarray(row, jnp.float32)
  shots = jnp.asarray(shot_probabilities, jnp.float32)
  if shots.ndim != 2 or shots.shape[1] != row.shape[0] or shots.shape[0] == 0:
    raise ValueError(f"need shot probabilities [n >= 1, {row.shape[0]}], got {shots.shape}")
  if prior_strength < 0:
    raise ValueError(f"prior_strength must be >= 0, got {prior_strength}")
  n = shots.shape[0]
  known = jnp.isfinite(row)
  weight = jnp.where(known, prior_strength, 0.0)
  return (weight * jnp.nan_to_num(row) + shots.sum(0)) / (weight + n)


def add_species(table, rows):
  """The table [S, T] with `rows` [R, T] appended: the new species are S..S+R-1."""
  table, rows = jnp.asarray(table, jnp.float32), jnp.atleast_2d(jnp.asarray(rows, jnp.float32))
  if rows.shape[1] != table.shape[1]:
    raise ValueError(f"new rows have {rows.shape[1]} traits, the table {table.shape[1]}")
  return jnp.concatenate([table, rows])
