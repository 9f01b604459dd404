"""Concept-bottleneck and black-box species classifiers as a task."""

from __future__ import annotations

import dataclasses
from typing import Callable

from absl import logging
import jax.numpy as jnp
import numpy as np

from traitjax import losses
from traitjax.data import schema
from traitjax.language import phrases
from traitjax.models import backbones
from traitjax.models import cbm
from traitjax.models import species
from traitjax.tasks import common

# The logit of a species a dense head never trained on: finite, so softmaxes and log
# probabilities stay finite, and far below any trained species' logit.
UNTRAINED_LOGIT = -1e9


@dataclasses.dataclass(frozen=True)
class ConceptsTask:
  """Species cross-entropy plus `trait_weight` x the masked trait loss (BCE or a noise-robust
  one, `losses.trait_loss`) against the table labels; with the table species head, plus the
  per-trait reliability likelihood (`species.reliability_loss`, per trait).

  Inductive: initialisation and the loss read the rows of the trained species only
  (`trained_species`), and the species softmax runs over them alone, so nothing of a held-out
  species (its row, or its being a negative) shapes the parameters; `predict` and the
  evaluators read every row of `species_table`."""

  model: cbm.ConceptBottleneck
  trait_weight: float
  trait_loss: Callable
  species_train_counts: np.ndarray
  species_table: np.ndarray | None = None  # [S, T], read by the table species head
  trained_species: np.ndarray | None = None  # int [S']: rows that train (None: every row)
  trait_embeddings: np.ndarray | None = None  # [T, D] trait phrases, read by the phrases head
  heldout_traits: np.ndarray | None = None  # bool [T]: traits whose labels never train
  pretrained: str = ""  # safetensors file for the backbone ("" = random init)
  backbone_name: str = ""

  @classmethod
  def from_config(cls, config, source) -> ConceptsTask:
    dtype = jnp.dtype(config.model.dtype)
    backbone = backbones.get_backbone(config.model.backbone, dtype=dtype)
    species_head = species_head_of(config.model)
    model = cbm.ConceptBottleneck(
        backbone=backbone, num_traits=source.trait_table.num_traits,
        num_species=source.trait_table.num_species, mode=config.model.mode,
        species_head=species_head, trait_head=config.model.trait_head,
        frozen_batch_norm=config.model.frozen_batch_norm, dtype=dtype)
    table = source.trait_table
    if config.model.species_rows:  # e.g. rows parsed from descriptions by traitjax.describe
      table = table.with_rows(schema.TraitTable.from_csv(config.model.species_rows))
    return cls(model=model, trait_weight=config.model.trait_weight,
               trait_loss=losses.trait_loss(config.model.trait_loss,
                                           groups=table.group_indices()),
               species_train_counts=np.asarray(source.species_train_counts),
               species_table=table.values if species_head in cbm.TABLE_HEADS else None,
               trained_species=_trained_species(source),
               trait_embeddings=(_trait_embeddings(config.model, table.traits)
                                 if config.model.trait_head == "phrases" else None),
               heldout_traits=_heldout_traits(config, table.num_traits),
               pretrained=config.model.pretrained, backbone_name=config.model.backbone)

  def init(self, rng, batch):
    """Random variables, with the backbone's replaced by `pretrained` weights if given."""
    return common.init_variables(
        self.model, rng, batch, self.pretrained, self.backbone_name,
        true_traits=batch[schema.TRAITS], species_table=self.training_table,
        trait_embeddings=self.trait_embeddings)

  @property
  def training_table(self) -> np.ndarray | None:
    """[S', T]: the rows of the trained species, all that initialisation and the loss read."""
    if self.species_table is None or self.trained_species is None:
      return self.species_table
    return self.species_table[self.trained_species]

  def _training_labels(self, species_logits, labels):
    """Logits [B, S'] over the trained species and each photo's position among them (a
    training photo is always of a trained species)."""
    if self.trained_species is None:
      return species_logits, labels
    if self.species_table is None:  # A dense head has an output for every species.
      species_logits = species_logits[:, self.trained_species]
    # The trained rows below a photo's row: its position among them (a compare and a sum,
    # which keeps the labels' sharding where a gather would not).
    below = labels[:, None] > jnp.asarray(self.trained_species)[None, :]
    return species_logits, below.sum(-1).astype(labels.dtype)

  def loss(self, params, model_state, batch, rng):
    del rng  # The model is deterministic given the batch.
    outputs, new_state = self.model.apply(
        {"params": params, **model_state}, batch.get(schema.IMAGE), train=True,
        true_traits=batch[schema.TRAITS], species_table=self.training_table,
        trait_embeddings=self.trait_embeddings, feature_map=batch.get(schema.FEATURE_MAP),
        mutable=list(model_state))
    weights = batch[schema.VALID].astype(jnp.float32)
    species_logits, labels = self._training_labels(outputs["species_logits"],
                                                   batch[schema.SPECIES])
    species_loss = losses.species_cross_entropy(species_logits, labels, weights)
    trait_targets = batch[schema.TRAITS]
    if self.heldout_traits is not None:  # Their labels are never seen.
      trait_targets = jnp.where(self.heldout_traits, jnp.nan, trait_targets)
    trait_loss = self.trait_loss(outputs["trait_logits"], trait_targets, weights)
    total = species_loss + self.trait_weight * trait_loss
    measurements = {"species_loss": species_loss, "trait_loss": trait_loss}
    if "species_log_likelihood" in outputs:  # The table head fits its trait reliabilities.
      reliability_loss = species.reliability_loss(
          outputs["species_log_likelihood"], labels, weights)
      total += reliability_loss / outputs["trait_logits"].shape[-1]
      measurements["reliability_loss"] = reliability_loss
    measurements.update(loss=total, species_accuracy=common.species_accuracy(
        species_logits, labels, weights))
    return total, (new_state, measurements)

  def predict(self, params, model_state, batch, with_maps: bool = False):
    """species_logits [B, S] and trait_logits [B, T]; with `with_maps` also trait_maps
    [B, h, w, T], the trait head at every location (`cbm.ConceptBottleneck`)."""
    outputs = self.model.apply({"params": params, **model_state}, batch.get(schema.IMAGE),
                               train=False, species_table=self.species_table,
                               trait_embeddings=self.trait_embeddings, with_maps=with_maps,
                               feature_map=batch.get(schema.FEATURE_MAP))
    outputs["species_logits"] = self._untrained_ruled_out(outputs["species_logits"])
    kept = ("species_logits", "trait_logits") + ("trait_maps",) * with_maps
    return {key: outputs[key] for key in kept}

  def _untrained_ruled_out(self, species_logits):
    """A dense species head's logits with the species it never trained on ruled out (their
    outputs are untrained weights, and nothing else tells it what those species look like); a
    head that reads rows names any species with a row."""
    if self.species_table is not None or self.trained_species is None:
      return species_logits
    trained = np.zeros(species_logits.shape[-1], bool)
    trained[self.trained_species] = True
    return jnp.where(trained, species_logits, UNTRAINED_LOGIT)

  @property
  def species_reads_traits(self) -> bool:
    """Whether species are predicted from the traits (all CBM modes; not the black box)."""
    return self.model.mode != "blackbox"

  def species_logits_from_traits(self, params, trait_probabilities, table=None, shown=None):
    """The species head on given trait probabilities [N, T] (e.g. some corrected by a person,
    or those of a few photos), reading `table` [S, T] (default: the task's) if it reads rows.
    Organ-aware inference: with `shown` bool [N, T] (e.g. the traits each photo's organ can
    show), the head reads every other trait as no evidence (`cbm.no_evidence`)."""
    table = self.species_table if table is None else table
    return self._untrained_ruled_out(cbm.species_logits_from_traits(
        self.model, params, jnp.asarray(trait_probabilities, jnp.float32),
        None if table is None else jnp.asarray(table),
        shown=None if shown is None else jnp.asarray(shown, bool)))


def species_head_of(model_config) -> str:
  """The species head the model is built with: the config's, except in blackbox mode, whose
  species head reads the backbone's features and so is always a dense layer (a config with a
  table-reading head becomes its black box with `--config.model.mode=blackbox` alone)."""
  if model_config.mode == "blackbox" and model_config.species_head != "linear":
    logging.info("blackbox mode: the species head reads the features (linear), not the "
                 "species table (model.species_head=%s is for the concept modes)",
                 model_config.species_head)
    return "linear"
  return model_config.species_head


def _trait_embeddings(model_config, traits) -> np.ndarray:
  """[T, D] unit-norm embeddings of the traits' phrases (automatic, or from the
  `trait_phrases` file), by the sentence encoder in the `text_encoder` folder, each taken
  about the mean of its group's phrases. "Yellow petals" then keeps what sets it apart from
  the other petal colours rather than what all petal colours share: a trait never trained is
  scored by how a photo differs from its trained siblings."""
  book = phrases.read_phrase_book(traits, model_config.trait_phrases)
  from traitjax.models import text  # The tokenizer library loads only for this head.
  embeddings = text.TextEncoder(model_config.text_encoder).embed(book.phrases)
  groups = np.asarray(book.groups)
  for group in set(book.groups):
    members = groups == group
    if members.sum() > 1:
      embeddings[members] -= embeddings[members].mean(0)
  return embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-6)


def _trained_species(source) -> np.ndarray | None:
  """int [S']: the rows of the species `source` trains on (its seen species); None when every
  species is seen, or none is (a root of species never trained, only evaluated)."""
  seen = np.asarray(getattr(source, "seen_species", ()), bool)
  return None if seen.all() or not seen.any() else np.flatnonzero(seen)


def _heldout_traits(config, num_traits: int) -> np.ndarray | None:
  """bool [T]: a random `model.heldout_trait_fraction` of the traits (by `config.seed`), whose
  labels the trait loss never sees; None when the fraction is 0."""
  fraction = config.model.heldout_trait_fraction
  if not 0 <= fraction < 1:
    raise ValueError(f"model.heldout_trait_fraction must lie in [0, 1), got {fraction}")
  count = int(round(fraction * num_traits))
  if count == 0:
    return None
  mask = np.zeros(num_traits, bool)
  mask[np.random.default_rng(config.seed).choice(num_traits, count, replace=False)] = True
  return mask
