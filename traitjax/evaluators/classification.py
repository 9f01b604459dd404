"""Species top-1/top-5, trait AUCs, accuracy by frequency bin and degradation."""

from __future__ import annotations

import dataclasses

from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.metrics import auc
from traitjax.metrics import classification


@dataclasses.dataclass(frozen=True)
class Classification(base.Evaluator):
  """`metrics.classification.classification_report` plus num_examples and num_skipped; for a
  task with traits held out of training, the trait AUCs of those and of the trained traits
  apart (`heldout_traits`, `trained_traits`)."""

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
    return {**report, "num_examples": predictions["num_examples"],
            "num_skipped": predictions["num_skipped"]}
