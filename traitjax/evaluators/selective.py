"""Selective prediction: how well each score of trust (`traitjax.trust.SCORES`) lets the model
abstain on the photos it gets wrong (risk-coverage), the decisions it makes with their reasons,
and how well each score tells photos of species never trained from trained ones."""

from __future__ import annotations

import dataclasses

import numpy as np

from traitjax import plots
from traitjax import trust as trust_lib
from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.metrics import classification
from traitjax.metrics import selective

COVERAGES = (0.5, 0.8, 0.9)
TARGET_ACCURACY = 0.95
# The coverages at which each risk-coverage curve is kept in the report (for its figure).
CURVE_COVERAGES = np.linspace(0.02, 1.0, 50)


def selective_summary(confidence: np.ndarray, correct: np.ndarray) -> dict:
  """aurc, augrc, accuracy_at_coverage {"0.5", "0.8", "0.9"} and coverage_at_accuracy_0.95."""
  return {
      "aurc": selective.aurc(confidence, correct),
      "augrc": selective.augrc(confidence, correct),
      "accuracy_at_coverage": {str(c): selective.accuracy_at_coverage(confidence, correct, c)
                               for c in COVERAGES},
      f"coverage_at_accuracy_{TARGET_ACCURACY}": selective.coverage_at_accuracy(
          confidence, correct, TARGET_ACCURACY),
  }


def _curve(confidence, correct) -> dict:
  """The risk at each of CURVE_COVERAGES (1 - `selective.accuracy_at_coverage`): a curve of
  the same length on every run, however many photos tie."""
  return {"coverage": CURVE_COVERAGES.round(4).tolist(),
          "risk": [1 - selective.accuracy_at_coverage(confidence, correct, c)
                   for c in CURVE_COVERAGES]}


@dataclasses.dataclass(frozen=True)
class Evaluator(base.Evaluator):
  """Risk-coverage of the species predictions under each score of trust.

  `score` is the score of lowest AURC on the trust fit split (chosen there, not here), and
  `aurc`, `augrc`, `accuracy_at_coverage` and `coverage_at_accuracy_0.95` are its on this
  split, as are `by_degradation` and `by_frequency_bin` (each with its `num_examples`);
  `by_score` has them for every score, with `roc_auc` (correct vs wrong) and its `curve`.
  `decisions`: the trust's identify/abstain decisions at its threshold
  (`metrics.selective.decision_summary`,
  overall, by degradation and by frequency bin). `ood_auroc`, per score, is the AUROC of
  the score ranking photos of trained species above photos of species never trained: those
  of this split and of `unseen_split` (e.g. "zeroshot"; "" = none), where there are both.
  """

  unseen_split: str = ""
  needs_trust = True

  def __call__(self, predictions, context):
    trust = context.trust()
    table = context.table
    scores = trust.scores(predictions["species_logits"], predictions["trait_logits"], table)
    correct = np.argmax(predictions["species_logits"], -1) == predictions[schema.SPECIES]
    best = trust.best_score
    by_score = {name: {**selective_summary(score, correct),
                       "roc_auc": selective.roc_auc(score, correct),
                       "curve": _curve(score, correct)}
                for name, score in scores.items()}
    decisions, reasons = trust.decide_from_scores(scores)
    report = {"score": best, **selective_summary(scores[best], correct),
              "temperature": trust.temperature, "num_fit": trust.num_fit, "by_score": by_score,
              "decisions": {**selective.decision_summary(
                                decisions == trust_lib.IDENTIFY, reasons, correct),
                            "threshold": trust.threshold,
                            "target_accuracy": trust.target_accuracy}}

    def grouped(groups, names):
      result = {}
      for key, name in names:
        members = groups == key
        if members.any():
          result[name] = {
              **selective_summary(scores[best][members], correct[members]),
              "decisions": selective.decision_summary(
                  decisions[members] == trust_lib.IDENTIFY, reasons[members], correct[members]),
              "num_examples": int(members.sum())}
      return result

    report["by_degradation"] = grouped(predictions[schema.DEGRADATION],
                                       enumerate(schema.DEGRADATIONS))
    bins = classification.frequency_bins(context.task.species_train_counts)[
        predictions[schema.SPECIES]]
    report["by_frequency_bin"] = grouped(bins, [(b, b) for b in ("head", "mid", "tail")])
    report.update(self._ood(predictions, scores, context, trust, table))
    return classification.nans_to_none(report)

  def _ood(self, predictions, scores, context, trust, table) -> dict:
    seen_species = getattr(context.source, "seen_species", None)
    if seen_species is None:
      return {}
    seen_species = np.asarray(seen_species, bool)
    seen = seen_species[predictions[schema.SPECIES]]
    if self.unseen_split:
      unseen = context.predictions_of(self.unseen_split)
      unseen_scores = trust.scores(unseen["species_logits"], unseen["trait_logits"], table)
      scores = {name: np.concatenate([score, unseen_scores[name]])
                for name, score in scores.items()}
      seen = np.concatenate([seen, seen_species[unseen[schema.SPECIES]]])
    if seen.all() or not seen.any():
      return {}
    return {"ood_auroc": {name: selective.roc_auc(score, seen) for name, score in scores.items()},
            "ood_num_unseen": int(np.sum(~seen))}

  def figures(self, report):
    return {"risk_coverage": plots.risk_coverage(report)}
