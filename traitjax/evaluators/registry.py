"""Evaluators chosen by config: each entry of `config.evals` names a `type` and its fields, e.g.

  config.evals.test = dict(type="classification", split="test", section="")
  config.evals.intervention = dict(type="intervention", split="test", ks=(0, 4, 16))
  config.evals.zeroshot = dict(type="zeroshot", split="test+zeroshot")

A type is found by its name, as big_vision finds its evaluators: the module
`traitjax.evaluators.<type>` (or any module, by its dotted path) defines `Evaluator`, a
`base.Evaluator`. `from_config` checks every entry before training starts: an unknown type or a
field its type does not take stops the run in one line, and so does a split the data does not
offer (`check_splits`). A new evaluator is a module here, nothing else.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

from absl import logging
import ml_collections

from traitjax.data import sources
from traitjax.evaluators import base


def get(kind: str) -> type[base.Evaluator]:
  """The `Evaluator` class of the type `kind`; ValueError (the types there are) when none."""
  found = None
  if kind and isinstance(kind, str):
    path = kind if "." in kind else f"{__package__}.{kind}"
    try:
      found = getattr(importlib.import_module(path), "Evaluator", None)
    except ModuleNotFoundError as e:
      if e.name is None or not path.startswith(e.name):
        raise  # The module exists but imports one that does not.
  if not _is_evaluator(found):
    raise ValueError(f"unknown type {kind!r}; known: {', '.join(types())}")
  return found


def types() -> tuple[str, ...]:
  """The evaluator types of this package."""
  package = importlib.import_module(__package__)
  return tuple(sorted(
      info.name for info in pkgutil.iter_modules(package.__path__)
      if _is_evaluator(getattr(importlib.import_module(f"{__package__}.{info.name}"),
                               "Evaluator", None))))


def _is_evaluator(found) -> bool:
  return (isinstance(found, type) and issubclass(found, base.Evaluator)
          and found is not base.Evaluator)


def from_config(evals: ml_collections.ConfigDict) -> list[base.Evaluator]:
  """The evaluators of `config.evals` (in name order, as ConfigDict keeps keys). Raises
  ValueError naming the entry for an unknown type, a field its type does not take, or a bad
  value."""
  result = []
  for name, fields in evals.items():
    fields = dict(fields)
    kind = fields.pop("type", None)
    try:
      evaluator_class = get(kind)
    except ValueError as e:
      raise ValueError(f"config.evals.{name}: {e}") from None
    known = {field.name for field in dataclasses.fields(evaluator_class)} - {"name"}
    unknown = sorted(set(fields) - known)
    if unknown:
      raise ValueError(f"config.evals.{name}: type {kind} takes no field {', '.join(unknown)}; "
                       f"its fields: {', '.join(sorted(known))}")
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
    result.append(evaluator_class(name=name, **fields))
  return result


def check_splits(evaluators: list[base.Evaluator], config: ml_collections.ConfigDict,
                 trust_saved: bool = False) -> None:
  """Raises ValueError naming the field when an evaluator reads a split the data does not
  offer, or needs a trust fit that config.trust.fit_split cannot give (unless `trust_saved`:
  the workdir's trust.json is read instead)."""
  offered = sources.splits(config.data)
  for evaluator in evaluators:
    fields = [("split", split) for split in evaluator.split.split("+")]
    for field, split in fields + list(evaluator.other_splits().items()):
      if split not in offered:
        raise ValueError(f"config.evals.{evaluator.name}.{field}: the data has no split "
                         f"{split!r}; it has {', '.join(offered)}")
    if evaluator.needs_trust and not trust_saved:
      fit_split = config.trust.fit_split
      if fit_split not in offered:
        raise ValueError(
            f"config.trust.fit_split: evaluator {evaluator.name} needs a trust fit on a split "
            f"the data offers ({', '.join(offered)}), got {fit_split!r} (CUB: a val split "
            "comes with data.val_fraction > 0)")


def applicable(evaluators: list[base.Evaluator], task) -> list[base.Evaluator]:
  """The evaluators `task` can serve; each one left out is named in a warning (e.g. test-time
  intervention on a black box, whose species head reads no traits)."""
  kept = []
  for evaluator in evaluators:
    reason = evaluator.unavailable(task)
    if reason:
      logging.warning("evaluator %s (%s) skipped: %s", evaluator.name, evaluator.kind, reason)
    else:
      kept.append(evaluator)
  return kept


