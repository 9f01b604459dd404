"""What every evaluator is: a split, a period, a section of metrics.json, and a function of the
gathered predictions; and what it may read beside them (`Context`).

An evaluator type is a module of this package (or any module, by its dotted path) that defines
`Evaluator`, a subclass of `base.Evaluator`; `config.evals.NAME.type` names the module.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np

from traitjax.data import schema


@dataclasses.dataclass(frozen=True)
class Context:
  """What an evaluator may read beside the predictions: the task (its model, table and the
  counts it was sized with), the trained parameters, the evaluated split's data source,
  `predictions_of(split)`: the predictions of another split, each split passed over once per
  evaluation, `predict_source(source)`: the predictions of any data source (e.g. a split's
  photos degraded), in a pass of its own at every call, and `trust()`: the
  `traitjax.trust.Trust` of this evaluation (fitted on `config.trust.fit_split` when first
  asked for, or the workdir's saved one)."""

  task: Any
  params: Any
  source: Any
  predictions_of: Callable[[str], dict] | None = None
  predict_source: Callable[[Any], dict] | None = None
  trust: Callable[[], Any] | None = None

  @property
  def table(self) -> schema.TraitTable:
    """The species rows the task's species head reads (the source's table, with the rows the
    task replaced)."""
    return species_table(self.task, self.source)

  @property
  def organs(self) -> Organs | None:
    """The organs the source's photos each show one of (`organs_of`); None for data without
    organs."""
    return organs_of(self.source)


@dataclasses.dataclass(frozen=True)
class Organs:
  """The organs a source's photos each show one of: their `names` (the batch field ``organ``
  indexes them) and `trait_mask` bool [organs, T], which traits a photo of each can show."""

  names: tuple[str, ...]
  trait_mask: np.ndarray

  def shown(self, organs: np.ndarray) -> np.ndarray:
    """bool [N, T]: the traits each photo of `organs` [N] (indices into `names`) can show."""
    return self.trait_mask[np.asarray(organs)]


def organs_of(source) -> Organs | None:
  """The source's organs (its `organ_classes`, the names the batch field ``organ`` indexes,
  and `organ_trait_mask`), or None where it has none."""
  names = getattr(source, "organ_classes", None)
  mask = getattr(source, "organ_trait_mask", None)
  if names is None or mask is None:
    return None
  return Organs(tuple(names), np.asarray(mask, bool))


def without_slots(task) -> str | None:
  """Why a slot evaluator cannot serve `task` (None: its model has slots)."""
  return None if hasattr(task.model, "num_slots") else "its model has no slots"


def species_table(task, source) -> schema.TraitTable:
  """The source's trait table with the values `task` reads in place of its own, if any."""
  values = getattr(task, "species_table", None)
  table = source.trait_table
  return table if values is None else dataclasses.replace(table, values=values)


@dataclasses.dataclass(frozen=True)
class Evaluator:
  """One entry of `config.evals`.

  Attributes:
    name: its key in `config.evals`; the prefix of its scalars in metrics.jsonl and TensorBoard.
    split: the data split it reads (evaluators of one split share one pass over it).
    every: also run every this many training steps (its scalars logged, not in metrics.json);
      0 = only once training ends.
    section: where its report goes in metrics.json: a dotted path of nested keys, "" for the
      top level; None = `name`.
  """

  name: str
  split: str = "test"
  every: int = 0
  section: str | None = None

  # Whether it reads `Context.trust()` (then config.trust.fit_split must name a split).
  needs_trust = False
  # Whether it reads the evidence maps `trait_maps` (large: `task.predict` makes them only for
  # the splits of an evaluator that reads them).
  needs_trait_maps = False
  # The batch fields it reads beyond those every pass gathers (`runner.GATHERED_FIELDS`), e.g. the
  # keypoints.
  batch_fields = ()

  def __post_init__(self):
    if self.every < 0:
      raise ValueError(f"config.evals.{self.name}.every must be >= 0, got {self.every}")

  @property
  def kind(self) -> str:
    """Its type in `config.evals`: the name of the module that defines it."""
    return type(self).__module__.rsplit(".", 1)[-1]

  @property
  def path(self) -> tuple[str, ...]:
    section = self.name if self.section is None else self.section
    return tuple(section.split(".")) if section else ()

  def other_splits(self) -> dict[str, str]:
    """The splits it reads beside its own (through `Context.predictions_of`), by the field
    that names each, so that a split the data lacks stops the run at start; none by
    default."""
    return {}

  def unavailable(self, task) -> str | None:
    """Why `task` cannot be evaluated this way (None: it can)."""
    del task
    return None

  def __call__(self, predictions: dict, context: Context) -> dict | None:
    """The report of this evaluator (None: nothing to report on these predictions)."""
    raise NotImplementedError

  def figures(self, report: dict) -> dict:
    """Figures of its report worth a look (name -> matplotlib Figure), written as PNGs
    beside metrics.json; none by default."""
    del report
    return {}
