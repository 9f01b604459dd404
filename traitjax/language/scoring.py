"""How well a table parsed from descriptions agrees with a reference table.

Scores are over the cells the reference knows (non-empty), overall and per trait group:

- precision, recall, f1 of present traits: a parsed cell says "present" when it is >= 0.5, a
  reference cell is present when it is >= 0.5. An empty parsed cell (the text says nothing
  about the trait's group) counts as "not present", so it costs recall wherever the reference
  has the trait.
- auc: ROC AUC of the parsed confidences (empty = 0) against the reference's present cells,
  pooled over the cells (``auc.binary_auc``; None where only one class occurs).
- species_auc: the mean over species of the AUC of a species' cells (does the table rank the
  traits a species has above those it lacks?); trait_auc: the mean over traits of the AUC of
  a trait's cells (does it rank the species that have the trait above those that lack it?).
  Species or traits with one class only are left out of the means.
- coverage: the share of the cells whose parsed cell is non-empty; and the counts behind the
  rates (cells, reference_present, parsed_present, true_positives).

Species are matched by ``schema.species_key`` ("001.Black_footed_Albatross" is "Black-footed
albatross"); a reference may hold more species than were described (a CUB root holds all 200):
``restrict`` keeps the described ones. ``appearance_scores`` scores which sentences a parser
read as about appearance against human labels.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from traitjax.data import schema
from traitjax.metrics import auc

PRESENT = 0.5


def restrict(reference: schema.TraitTable, species: Sequence[str]) -> schema.TraitTable:
  """The reference's rows of the described species (matched by key), in their order; species
  the reference lacks are left for ``check_match`` to name."""
  row = {schema.species_key(name): index for index, name in enumerate(reference.species)}
  keys = [schema.species_key(name) for name in species]
  return reference.rows([row[key] for key in keys if key in row])


def check_match(species: Sequence[str], traits: Sequence[str],
                reference: schema.TraitTable) -> None:
  """Raises ValueError naming the species (matched by ``schema.species_key``) or traits that a
  parsed table (with these names) and the reference do not share."""
  problems = []
  for what, ours, theirs, key in (("species", species, reference.species, schema.species_key),
                                  ("traits", traits, reference.traits, str)):
    our_keys, their_keys = frozenset(map(key, ours)), frozenset(map(key, theirs))
    missing = [name for name in theirs if key(name) not in our_keys]
    extra = [name for name in ours if key(name) not in their_keys]
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
  species_row = {schema.species_key(name): row for row, name in enumerate(parsed.species)}
  trait_column = {name: column for column, name in enumerate(parsed.traits)}
  values = parsed.values[np.ix_([species_row[schema.species_key(s)] for s in reference.species],
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
      "species_auc": mean_auc(parsed, reference, axis=1),
      "trait_auc": mean_auc(parsed, reference, axis=0),
      "coverage": float(np.mean(~np.isnan(parsed[known]))) if known.any() else None,
      "cells": int(known.sum()), "reference_present": int(truth.sum()),
      "parsed_present": int(said.sum()), "true_positives": true_positives,
  }


def mean_auc(parsed: np.ndarray, reference: np.ndarray, axis: int) -> float | None:
  """The mean over rows (axis=1: each species' AUC over its traits) or columns (axis=0: each
  trait's AUC over species) of the AUC of parsed confidences (empty = 0) against the present
  reference cells; lines with one class only are left out; None when none is left."""
  parsed = np.moveaxis(np.nan_to_num(np.asarray(parsed, np.float64), nan=0.0), axis, -1)
  reference = np.moveaxis(np.asarray(reference, np.float64), axis, -1)
  aucs = []
  for scores, truth in zip(parsed.reshape(-1, parsed.shape[-1]),
                           reference.reshape(-1, reference.shape[-1])):
    known = ~np.isnan(truth)
    value = auc.binary_auc(scores[known], truth[known] >= PRESENT)
    if not np.isnan(value):
      aucs.append(value)
  return float(np.mean(aucs)) if aucs else None


def appearance_scores(read: Sequence[bool], labels: Sequence[float]) -> dict:
  """Recall and precision of the sentences read as about appearance against human labels
  (a label >= 0.5, "partly" included, is about appearance)."""
  read = np.asarray(read, bool)
  truth = np.asarray(labels, np.float64) >= 0.5
  if read.shape != truth.shape:
    raise ValueError(f"{len(read)} sentences but {len(truth)} labels")
  hits = int(np.sum(read & truth))
  return {"recall": hits / int(truth.sum()) if truth.any() else None,
          "precision": hits / int(read.sum()) if read.any() else None,
          "sentences": int(len(truth)), "labelled": int(truth.sum()), "read": int(read.sum())}


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
  columns = ("precision", "recall", "f1", "auc", "species_auc", "trait_auc", "coverage")
  rows = list(report["groups"].items()) + [("overall", report["overall"])]
  width = max(len(name) for name, _ in rows)
  lines = [f"{'group':<{width}}  " + "  ".join(f"{c:>11}" for c in columns)
           + f"  {'cells':>6}  {'present':>7}"]
  for name, scores in rows:
    if name == "overall":
      lines.append("-" * len(lines[0]))
    cells = "  ".join(f"{'-':>11}" if scores[c] is None else f"{scores[c]:>11.3f}"
                      for c in columns)
    lines.append(f"{name:<{width}}  {cells}  {scores['cells']:>6}  "
                 f"{scores['reference_present']:>7}")
  return "\n".join(lines)
