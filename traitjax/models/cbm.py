"""Concept-bottleneck model (Koh et al. 2020) and its black-box twin.

`backbone -> features -> trait logits -> sigmoid -> species logits`. Modes:
  joint:        species head on predicted trait probabilities; both losses train everything.
  sequential:   species head on stop_gradient(trait probabilities): the species loss never
                reaches the trait detector (trained at once, the species head sees the trait
                detector as it learns rather than only after it).
  independent:  in training the species head sees the true (table) trait labels, in
                inference the predicted probabilities.
  blackbox:     species head on the backbone features; the trait head is a linear probe on
                stop_gradient(features), so trait AUC is reported without shaping the model.

The species head on the trait probabilities is `linear` (a dense layer, one weight row per
species), or one that reads species as rows of a species x trait table passed in at call time,
so species can be added without retraining: `table` (`species.TraitToSpecies`, a likelihood
under learned per-trait reliabilities) or `cosine` (`species.CenteredCosine`).

Evidence maps (`with_maps=True`): the trait head applied at every location of the backbone's
feature map, trait_maps [B, h, w, T]. The features are the spatial mean of that map, so for the
linear trait head (affine) the spatial mean of the maps is exactly trait_logits; for the
phrases head (a cosine per location) the maps are each location's similarity to the phrases, and
their mean is not the logits.
"""

import functools

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from traitjax.models import backbones
from traitjax.models import species

MODES = ("joint", "sequential", "independent", "blackbox")
SPECIES_HEADS = ("linear", "table", "cosine")
TABLE_HEADS = ("table", "cosine")  # species heads that read the species table
TRAIT_HEADS = ("linear", "phrases")


class PhraseSimilarityHead(nn.Module):
  """features [B, C] and unit-norm trait-phrase embeddings [T, D] -> trait logits [B, T]
  = scale x cos(projection(features), phrase) + bias. The scale and the bias are shared by all
  traits and the phrases are given at call time, so a trait never trained (or a reworded
  one) is detected from its phrase alone."""

  initial_scale: float = 10.0

  @nn.compact
  def __call__(self, features, phrase_embeddings):
    projected = nn.Dense(phrase_embeddings.shape[-1], name="projection")(features)
    projected = projected / jnp.maximum(
        jnp.linalg.norm(projected, axis=-1, keepdims=True), 1e-6)
    scale = jnp.exp(self.param(
        "log_scale", nn.initializers.constant(float(np.log(self.initial_scale))), ()))
    bias = self.param("bias", nn.initializers.zeros, ())
    return scale * projected @ jnp.asarray(phrase_embeddings, jnp.float32).T + bias


class ConceptBottleneck(nn.Module):
  """images float [B, H, W, 3] in [-1, 1] -> dict of trait_logits [B, T], species_logits
  [B, S] and features [B, C] (float32); the `table` head adds species_log_likelihood [B, S],
  and `with_maps=True` adds trait_maps [B, h, w, T] (the trait head at every location of the
  backbone's feature_map, see the module docstring). Given `feature_map` [B, h, w, C] (a
  feature cache's: what the frozen backbone made of the photos), the backbone is not run.
  `frozen_batch_norm`: the backbone's batch norm always uses its running statistics.
  `trait_head`: `linear` (a dense layer, one weight row per trait) or `phrases`
  (`PhraseSimilarityHead` on the trait-phrase embeddings passed at call time)."""

  backbone: nn.Module
  num_traits: int
  num_species: int
  mode: str = "joint"
  species_head: str = "linear"
  trait_head: str = "linear"
  frozen_batch_norm: bool = False
  dtype: jnp.dtype = jnp.float32

  @nn.compact
  def __call__(self, images, train: bool = False, true_traits=None, species_table=None,
               trait_embeddings=None, with_maps: bool = False, feature_map=None):
    if self.mode not in MODES:
      raise ValueError(f"unknown CBM mode {self.mode!r}; known: {MODES}")
    if self.species_head not in SPECIES_HEADS:
      raise ValueError(f"unknown species head {self.species_head!r}; known: {SPECIES_HEADS}")
    if self.species_head in TABLE_HEADS and (self.mode == "blackbox" or species_table is None):
      raise ValueError(f"the {self.species_head} species head reads trait probabilities and "
                       "needs the species table: not in blackbox mode, and pass species_table")
    if self.trait_head not in TRAIT_HEADS:
      raise ValueError(f"unknown trait head {self.trait_head!r}; known: {TRAIT_HEADS}")
    if self.trait_head == "phrases" and trait_embeddings is None:
      raise ValueError("the phrases trait head needs the trait-phrase embeddings: pass "
                       "trait_embeddings [T, D]")
    # With frozen batch norm the backbone normalises with its (pretrained) running statistics
    # in training too and never updates them: what fine-tuning on a few hundred photos wants.
    backbone_train = train and not self.frozen_batch_norm
    if feature_map is None:
      backbone_outputs = self.backbone(images.astype(self.dtype), train=backbone_train)
    else:
      backbone_outputs = backbones.pooled(feature_map.astype(self.dtype))
    features = backbone_outputs["features"].astype(jnp.float32)
    trait_input = jax.lax.stop_gradient(features) if self.mode == "blackbox" else features
    if self.trait_head == "phrases":
      trait_head = functools.partial(PhraseSimilarityHead(name="trait_head"),
                                     phrase_embeddings=trait_embeddings)
    else:
      trait_head = nn.Dense(self.num_traits, name="trait_head")
    trait_logits = trait_head(trait_input)
    if self.mode == "blackbox":
      species_input = features
    else:
      species_input = nn.sigmoid(trait_logits)
      if self.mode == "sequential":
        species_input = jax.lax.stop_gradient(species_input)
      elif self.mode == "independent" and train:
        if true_traits is None:
          raise ValueError("independent mode trains the species head on true traits: pass them")
        species_input = jnp.where(jnp.isnan(true_traits), 0.5, true_traits)
    outputs = {"trait_logits": trait_logits, "features": features}
    if with_maps:  # The same head (same parameters) at every location.
      outputs["trait_maps"] = trait_head(backbone_outputs["feature_map"].astype(jnp.float32))
    head = _species_head(self.species_head, self.num_species, name="species_head")
    if self.species_head == "table":
      outputs["species_logits"], outputs["species_log_likelihood"] = head(
          species_input, species_table, with_log_likelihood=True)
    elif self.species_head == "cosine":
      outputs["species_logits"] = head(species_input, species_table)
    else:
      outputs["species_logits"] = head(species_input)
    return outputs



def _species_head(kind: str, num_species: int, name=None) -> nn.Module:
  """The species head alone: `TraitToSpecies` ("table"), `CenteredCosine` ("cosine") or a
  dense layer ("linear")."""
  if kind == "table":
    return species.TraitToSpecies(name=name)
  if kind == "cosine":
    return species.CenteredCosine(name=name)
  return nn.Dense(num_species, name=name)


def species_logits_from_traits(model: ConceptBottleneck, params, trait_probabilities,
                               species_table=None, shown=None):
  """The species head of `model` with its `params` on given trait probabilities [B, T] (e.g.
  with some corrected by a person: test-time intervention) -> species logits [B, S].

  `shown` bool [B, T] (or [T]): the traits each photo can show (e.g. those of its organ); the
  head reads the others as no evidence (`no_evidence`), whatever their probabilities."""
  if model.mode == "blackbox":
    raise ValueError("the black box's species head reads features, not traits")
  if shown is not None:
    trait_probabilities = jnp.where(
        jnp.asarray(shown, bool), trait_probabilities,
        no_evidence(model, params, trait_probabilities.shape[-1]))
  head = _species_head(model.species_head, model.num_species)
  variables = {"params": params["species_head"]}
  if model.species_head in TABLE_HEADS:
    return head.apply(variables, trait_probabilities, species_table)
  return head.apply(variables, trait_probabilities)


def no_evidence(model: ConceptBottleneck, params, num_traits: int) -> jax.Array:
  """float32 [T]: the trait probability the species head of `model` reads as no evidence about
  a trait, so that it moves no species' logit by itself.

  table, cosine: NaN. `species.TraitToSpecies` leaves a NaN trait out of the likelihood, and
    `species.CenteredCosine` out of both vectors: the cosine over the traits the photo can show,
    so a species whose row stands out on other organs is not held back (the head's centre in
    the photo's vector alone would keep those traits in the rows' norms).
  linear: 0.5, what independent mode trains the head on where a trait is unknown.
  """
  if model.species_head in ("table", "cosine"):
    return jnp.full((num_traits,), jnp.nan, jnp.float32)
  return jnp.full((num_traits,), 0.5, jnp.float32)
