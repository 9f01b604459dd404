"""Species top-1/top-5, trait AUCs, accuracy by frequency bin, degradation and organ."""

from __future__ import annotations

import dataclasses

import numpy as np

from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.metrics import auc
from traitjax.metrics import calibration
from traitjax.metrics import classification


@dataclasses.dataclass(frozen=True)
class Evaluator(base.Evaluator):
  """`metrics.classification.classification_report` plus num_examples and num_skipped; for a
  task with traits held out of training, the trait AUCs of those and of the trained traits
  apart (`heldout_traits`, `trained_traits`).

  Where each photo shows one organ (the source has organs, `base.Context.organs`): `by_organ`
  (`metrics.classification.by_organ`), and for a species head that reads traits the
  organ-gated top-1, the head reading only the traits each photo's organ can show (the others
  as no evidence), over all photos (`species_top1_organ_gated`) and per organ."""

  def __call__(self, predictions, context):
    report = classification.classification_report(
        predictions, train_counts=context.task.species_train_counts)
    heldout = getattr(context.task, "heldout_traits", None)
    if heldout is not None:
      for name, columns in (("heldout_traits", heldout), ("trained_traits", ~heldout)):
        report[name] = {"num_traits": int(columns.sum()), **{
            key: auc.mean_trait_auc(predictions["trait_logits"][:, columns],
                                    predictions[field][:, columns])
            for key, field in (("trait_auc_table", schema.TRAITS),
                               ("trait_auc_visible", schema.TRAITS_VISIBLE))}}
    organs = context.organs
    if organs is not None and schema.ORGAN in predictions:
      photo_organs = predictions[schema.ORGAN]
      gated = None
      if getattr(context.task, "species_reads_traits", False):
        gated = np.asarray(context.task.species_logits_from_traits(
            context.params, calibration.sigmoid(predictions["trait_logits"]),
            shown=organs.shown(photo_organs)))
        report["species_top1_organ_gated"] = classification.nans_to_none(
            classification.top_k_accuracy(gated, predictions[schema.SPECIES], 1))
      report["by_organ"] = classification.by_organ(predictions, photo_organs, organs.names,
                                                   organs.trait_mask, gated)
    return {**report, "num_examples": predictions["num_examples"],
            "num_skipped": predictions["num_skipped"]}
