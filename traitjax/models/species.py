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

`CenteredCosine` is the similarity route over the same rows: the species logit is a learned scale
times the cosine between the detector's probabilities and the species row, both measured from a
learned centre that starts at the mean row of the table it is initialised with (the trained
species' rows: `ConceptsTask`). Centering keeps the traits every species
shares from drowning the ones that tell species apart; it reads continuous rows (e.g. CUB's
percentages) as they are.
"""

import flax.linen as nn
import jax.numpy as jnp
import numpy as np

# The floor of the detector probabilities q and of the cosine norms (explanations recompute the
# heads with it).
EPSILON = 1e-4


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
    fires = jnp.clip(fires, EPSILON, 1 - EPSILON)
    p = trait_probabilities.astype(jnp.float32)
    observed = jnp.isfinite(p)  # NaN: a trait nobody could judge adds no evidence.
    present, absent = jnp.where(observed, p, 0), jnp.where(observed, 1 - p, 0)
    log_likelihood = present @ jnp.log(fires).T + absent @ jnp.log1p(-fires).T
    logits = temperature * log_likelihood
    return (logits, log_likelihood) if with_log_likelihood else logits


class CenteredCosine(nn.Module):
  """trait probabilities [B, T] (NaN = not observed) and a species table [S, T] (NaN = empty
  cell) -> species logits [B, S] = scale * cos(p - c, row - c).

  Parameters (none per species): the centre c [T], initialised at the mean of the rows of the
  table it is initialised with (the trained species' rows; per trait, over the non-empty
  cells) and learned from there, and a
  scalar `log_scale`, initialised at log 10. As a parameter, not a statistic of the table at
  hand, the centre stays put when species are added or refined, so the other species' odds do
  too. An empty cell sits at the centre; an unobserved trait is left out of both vectors.
  """

  initial_scale: float = 10.0

  @nn.compact
  def __call__(self, trait_probabilities, table):
    num_traits = trait_probabilities.shape[-1]
    if table.shape[-1] != num_traits:
      raise ValueError(f"species table has {table.shape[-1]} traits, the detector {num_traits}")
    filled = jnp.isfinite(table)
    centre = self.param("centre", lambda _: (
        jnp.sum(jnp.where(filled, table, 0), 0) / jnp.maximum(jnp.sum(filled, 0), 1)))
    scale = jnp.exp(self.param(
        "log_scale", nn.initializers.constant(float(np.log(self.initial_scale))), ()))
    rows = jnp.where(filled, table - centre, 0)
    p = trait_probabilities.astype(jnp.float32)
    observed = jnp.isfinite(p)
    detections = jnp.where(observed, p - centre, 0)
    # Each row's norm over the traits this photo shows: a trait nobody could judge is left out
    # of the comparison, as if the table did not have it.
    row_norms = jnp.sqrt(observed.astype(jnp.float32) @ (rows ** 2).T)  # [B, S]
    detection_norms = jnp.linalg.norm(detections, axis=-1, keepdims=True)  # [B, 1]
    cosine = (detections @ rows.T) / jnp.maximum(detection_norms * row_norms, EPSILON)
    return scale * cosine


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
