"""How well a table parsed from descriptions agrees with a reference table.

Scores are over the cells the reference knows (non-empty), overall and per trait group:

- precision, recall, f1 of present traits: a parsed cell says "present" when it is >= 0.5, a
  reference cell is present when it is >= 0.5. An empty parsed cell (the text says nothing
  about the trait's group) counts as "not present", so it costs recall wherever the reference
  has the trait.
- auc: ROC AUC of the parsed confidences (empty = 0) against the reference's present cells,
  pooled over the cells (``auc.binary_auc``; None where only one class occurs).
- coverage: the share of the cells whose parsed cell is non-empty; and the counts behind the
  rates (cells, reference_present, parsed_present, true_positives).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from traitjax.metrics import auc
from traitjax.data import schema

PRESENT = 0.5


def check_match(species: Sequence[str], traits: Sequence[str],
                reference: schema.TraitTable) -> None:
  """Raises ValueError naming the species or traits that a parsed table (with these names) and
  the reference do not share."""
  problems = []
  for what, ours, theirs in (("species", species, reference.species),
                             ("traits", traits, reference.traits)):
    missing = [name for name in theirs if name not in frozenset(ours)]
    extra = [name for name in ours if name not in frozenset(theirs)]
    if missing:
      problems.append(f"{len(missing)} reference {what} not in the parsed table "
                      f"(e.g. {missing[:3]})")
    if extra:
      problems.append(f"{len(extra)} parsed {what} not in the reference (e.g. {extra[:3]})")
  if problems:
    raise ValueError("the parsed and reference tables do not match: " + "; ".join(problems))


def align(parsed: schema.TraitTable, reference: schema.TraitTable) -> schema.TraitTable:
  """The parsed table with its species and traits in the reference's order.

  Raises:
    ValueError naming the species or traits that one table has and the other lacks.
  """
  check_match(parsed.species, parsed.traits, reference)
  species_row = {name: row for row, name in enumerate(parsed.species)}
  trait_column = {name: column for column, name in enumerate(parsed.traits)}
  values = parsed.values[np.ix_([species_row[s] for s in reference.species],
                                [trait_column[t] for t in reference.traits])]
  return schema.TraitTable(values, species=reference.species, traits=reference.traits,
                           groups=reference.groups)


def present_scores(parsed: np.ndarray, reference: np.ndarray) -> dict:
  """Scores (see the module docstring) of parsed vs reference values of the same shape."""
  parsed = np.asarray(parsed, np.float64)
  reference = np.asarray(reference, np.float64)
  if parsed.shape != reference.shape:
    raise ValueError(f"parsed values {parsed.shape} and reference values {reference.shape} "
                     f"differ in shape")
  known = ~np.isnan(reference)
  confidence = np.nan_to_num(parsed[known], nan=0.0)
  truth = reference[known] >= PRESENT
  said = confidence >= PRESENT
  true_positives = int(np.sum(said & truth))
  errors = int(np.sum(said != truth))  # false positives + false negatives
  precision = true_positives / int(said.sum()) if said.any() else None
  recall = true_positives / int(truth.sum()) if truth.any() else None
  f1 = (2 * true_positives / (2 * true_positives + errors)
        if true_positives or errors else None)
  pooled_auc = auc.binary_auc(confidence, truth)
  return {
      "precision": precision, "recall": recall, "f1": f1,
      "auc": None if np.isnan(pooled_auc) else pooled_auc,
      "coverage": float(np.mean(~np.isnan(parsed[known]))) if known.any() else None,
      "cells": int(known.sum()), "reference_present": int(truth.sum()),
      "parsed_present": int(said.sum()), "true_positives": true_positives,
  }


def compare(parsed: schema.TraitTable, reference: schema.TraitTable) -> dict:
  """{"overall": scores, "groups": {group: scores}} of a parsed table (aligned to the
  reference by species and trait names) against the reference; groups as the reference's."""
  aligned = align(parsed, reference)
  groups = np.asarray(reference.groups)
  return {
      "overall": present_scores(aligned.values, reference.values),
      "groups": {group: present_scores(aligned.values[:, groups == group],
                                       reference.values[:, groups == group])
                 for group in reference.group_names()},
  }


def format_report(report: dict) -> str:
  """A fixed-width table of ``compare``'s report: one line per group, then the overall line."""
  columns = ("precision", "recall", "f1", "auc", "coverage")
  rows = list(report["groups"].items()) + [("overall", report["overall"])]
  width = max(len(name) for name, _ in rows)
  lines = [f"{'group':<{width}}  " + "  ".join(f"{c:>9}" for c in columns)
           + f"  {'cells':>6}  {'present':>7}"]
  for name, scores in rows:
    if name == "overall":
      lines.append("-" * len(lines[0]))
    cells = "  ".join(f"{'-':>9}" if scores[c] is None else f"{scores[c]:>9.3f}"
                      for c in columns)
    lines.append(f"{name:<{width}}  {cells}  {scores['cells']:>6}  "
                 f"{scores['reference_present']:>7}")
  return "\n".join(lines)
