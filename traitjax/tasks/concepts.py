"""Concept-bottleneck and black-box species classifiers as a task."""

from __future__ import annotations

import dataclasses
import functools
from typing import Callable

import flax
import jax
import jax.numpy as jnp
import numpy as np

from traitjax import evaluate
from traitjax import losses
from traitjax.data import schema
from traitjax.language import phrases
from traitjax.models import backbones
from traitjax.models import cbm
from traitjax.models import species
from traitjax.models import weights


@dataclasses.dataclass(frozen=True)
class ConceptsTask:
  """Species cross-entropy plus `trait_weight` x the masked trait loss (BCE or a noise-robust
  one, `losses.trait_loss`) against the table labels; with the table species head, plus the
  per-trait reliability likelihood (`species.reliability_loss`, per trait)."""

  model: cbm.ConceptBottleneck
  trait_weight: float
  trait_loss: Callable
  species_train_counts: np.ndarray
  species_table: np.ndarray | None = None  # [S, T], read by the table species head
  trait_embeddings: np.ndarray | None = None  # [T, D] trait phrases, read by the phrases head
  heldout_traits: np.ndarray | None = None  # bool [T]: traits whose labels never train
  intervention_ks: tuple[int, ...] = ()  # numbers of corrected traits to score
  intervention_truth: str = schema.TRAITS_VISIBLE  # the batch field a person's corrections copy
  few_shot_shots: tuple[int, ...] = ()  # photos per unseen species that refine its row
  few_shot_prior_strength: float = 2.0  # the table row counts as this many photos
  pretrained: str = ""  # safetensors file for the backbone ("" = random init)
  backbone_name: str = ""

  @classmethod
  def from_config(cls, config, source) -> ConceptsTask:
    dtype = jnp.dtype(config.model.dtype)
    backbone = backbones.get_backbone(config.model.backbone, dtype=dtype)
    model = cbm.ConceptBottleneck(
        backbone=backbone, num_traits=source.trait_table.num_traits,
        num_species=source.trait_table.num_species, mode=config.model.mode,
        species_head=config.model.species_head, trait_head=config.model.trait_head,
        frozen_batch_norm=config.model.frozen_batch_norm, dtype=dtype)
    table = source.trait_table
    if config.model.species_rows:  # e.g. rows parsed from descriptions by traitjax.describe
      table = table.with_rows(schema.TraitTable.from_csv(config.model.species_rows))
    return cls(model=model, trait_weight=config.model.trait_weight,
               trait_loss=losses.trait_loss(config.model.trait_loss,
                                           groups=table.group_indices()),
               species_train_counts=np.asarray(source.species_train_counts),
               species_table=(table.values if config.model.species_head in cbm.TABLE_HEADS
                              else None),
               trait_embeddings=(_trait_embeddings(config.model, table.traits)
                                 if config.model.trait_head == "phrases" else None),
               heldout_traits=_heldout_traits(config, table.num_traits),
               # The black box's species head reads features: no trait to correct.
               intervention_ks=(() if config.model.mode == "blackbox"
                                else tuple(config.intervention.ks)),
               intervention_truth=config.intervention.truth,
               few_shot_shots=tuple(config.few_shot.shots),
               few_shot_prior_strength=config.few_shot.prior_strength,
               pretrained=config.model.pretrained, backbone_name=config.model.backbone)

  def init(self, rng, batch):
    """Random variables, with the backbone's replaced by `pretrained` weights if given."""
    variables = flax.core.unfreeze(jax.jit(functools.partial(self.model.init, train=False))(
        rng, batch[schema.IMAGE], true_traits=batch[schema.TRAITS],
        species_table=self.species_table, trait_embeddings=self.trait_embeddings))
    if not self.pretrained:
      return variables
    return weights.with_pretrained_backbone(variables, self.backbone_name, self.pretrained)

  def loss(self, params, model_state, batch, rng):
    del rng  # The model is deterministic given the batch.
    outputs, new_state = self.model.apply(
        {"params": params, **model_state}, batch[schema.IMAGE], train=True,
        true_traits=batch[schema.TRAITS], species_table=self.species_table,
        trait_embeddings=self.trait_embeddings, mutable=list(model_state))
    weights = batch[schema.VALID].astype(jnp.float32)
    species_loss = losses.species_cross_entropy(
        outputs["species_logits"], batch[schema.SPECIES], weights)
    trait_targets = batch[schema.TRAITS]
    if self.heldout_traits is not None:  # Their labels are never seen.
      trait_targets = jnp.where(self.heldout_traits, jnp.nan, trait_targets)
    trait_loss = self.trait_loss(outputs["trait_logits"], trait_targets, weights)
    total = species_loss + self.trait_weight * trait_loss
    if "species_log_likelihood" in outputs:  # The table head fits its trait reliabilities.
      reliability_loss = species.reliability_loss(
          outputs["species_log_likelihood"], batch[schema.SPECIES], weights)
      total += reliability_loss / outputs["trait_logits"].shape[-1]
    correct = jnp.argmax(outputs["species_logits"], -1) == batch[schema.SPECIES]
    metrics = {"loss": total, "species_loss": species_loss, "trait_loss": trait_loss,
               "species_accuracy": jnp.sum(correct * weights) / jnp.maximum(weights.sum(), 1)}
    return total, (new_state, metrics)

  def predict(self, params, model_state, batch):
    outputs = self.model.apply({"params": params, **model_state}, batch[schema.IMAGE],
                               train=False, species_table=self.species_table,
                               trait_embeddings=self.trait_embeddings)
    predictions = {"species_logits": outputs["species_logits"],
                   "trait_logits": outputs["trait_logits"]}
    if self.intervention_ks:
      predictions["intervention_logits"] = self._intervene(
          params, outputs["trait_logits"], batch[self.intervention_truth])
    return predictions

  def _intervene(self, params, trait_logits, truth):
    """Species logits [B, K, S] after a person sets each photo's k most uncertain traits
    (probability nearest 0.5, among those whose truth is known) to the truth, k in
    `intervention_ks`."""
    probabilities = jax.nn.sigmoid(trait_logits.astype(jnp.float32))
    known = jnp.isfinite(truth)
    uncertainty_order = jnp.argsort(
        jnp.where(known, jnp.abs(probabilities - 0.5), jnp.inf), axis=-1)
    rank = jnp.argsort(uncertainty_order, axis=-1)  # 0 = the most uncertain trait
    logits = []
    for k in self.intervention_ks:
      corrected = jnp.where(known & (rank < k), jnp.nan_to_num(truth), probabilities)
      logits.append(cbm.species_logits_from_traits(
          self.model, params, corrected, self.species_table))
    return jnp.stack(logits, axis=1)

  def evaluate(self, predictions, source, params):
    """The classification report; on examples of species never trained (a `zeroshot` split),
    plus its `zeroshot` section, with few-shot results for the table head."""
    report = evaluate.classification_report(predictions, train_counts=self.species_train_counts)
    if self.heldout_traits is not None:
      for name, columns in (("heldout_traits", self.heldout_traits),
                            ("trained_traits", ~self.heldout_traits)):
        report[name] = {"num_traits": int(columns.sum()), **{
            key: evaluate.mean_trait_auc(predictions["trait_logits"][:, columns],
                                         predictions[field][:, columns])
            for key, field in (("trait_auc_table", schema.TRAITS),
                               ("trait_auc_visible", schema.TRAITS_VISIBLE))}}
    if "intervention_logits" in predictions:
      report["intervention"] = evaluate.intervention_report(
          predictions["intervention_logits"], predictions[schema.SPECIES], self.intervention_ks)
      if self.species_table is not None:
        report["intervention"]["nearest_row_top1"] = evaluate.nearest_row_top1(
            predictions[self.intervention_truth], self.species_table, predictions[schema.SPECIES])
    seen = np.asarray(source.seen_species, bool)
    if not seen[predictions[schema.SPECIES]].all():
      report["zeroshot"] = evaluate.zeroshot_report(
          predictions["species_logits"], predictions[schema.SPECIES], seen)
      if self.few_shot_shots and self.species_table is not None:
        report["zeroshot"]["few_shot"] = evaluate.few_shot_report(
            predictions, seen, self.species_table, self.few_shot_shots,
            functools.partial(self._table_logits, params), self.few_shot_prior_strength)
    return report

  def _table_logits(self, params, trait_probabilities, table):
    return cbm.species_logits_from_traits(
        self.model, params, jnp.asarray(trait_probabilities), jnp.asarray(table))


def _trait_embeddings(model_config, traits) -> np.ndarray:
  """[T, D] unit-norm embeddings of the traits' phrases (automatic, or from the
  `trait_phrases` file), by the sentence encoder in the `text_encoder` folder, each taken
  about the mean of its group's phrases. "Yellow petals" then keeps what sets it apart from
  the other petal colours rather than what all petal colours share: a trait never trained is
  scored by how a photo differs from its trained siblings."""
  overrides = (phrases.read_phrase_overrides(model_config.trait_phrases)
               if model_config.trait_phrases else None)
  book = phrases.phrase_book(traits, overrides)
  from traitjax.models import text  # The tokenizer library loads only for this head.
  embeddings = text.TextEncoder(model_config.text_encoder).embed(book.phrases)
  groups = np.asarray(book.groups)
  for group in set(book.groups):
    members = groups == group
    if members.sum() > 1:
      embeddings[members] -= embeddings[members].mean(0)
  return embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-6)


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
