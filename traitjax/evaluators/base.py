"""What every evaluator is: a split, a period, a section of metrics.json, and a function of the
gathered predictions."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable


@dataclasses.dataclass(frozen=True)
class Context:
  """What an evaluator may read beside the predictions: the task (its model, table and the
  counts it was sized with), the trained parameters, the evaluated split's data source,
  `predictions_of(split)`: the predictions of another split (e.g. a validation split to fit a
  calibration on), each split passed over once per evaluation, and `predict_source(source)`: the
  predictions of any data source (e.g. a split's photos degraded), in a pass of its own at
  every call."""

  task: Any
  params: Any
  source: Any
  predictions_of: Callable[[str], dict] | None = None
  predict_source: Callable[[Any], dict] | None = None


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

  def __post_init__(self):
    if self.every < 0:
      raise ValueError(f"config.evals.{self.name}.every must be >= 0, got {self.every}")

  @property
  def path(self) -> tuple[str, ...]:
    section = self.name if self.section is None else self.section
    return tuple(section.split(".")) if section else ()

  def unavailable(self, task) -> str | None:
    """Why `task` cannot be evaluated this way (None: it can)."""
    del task
    return None

  def __call__(self, predictions: dict, context: Context) -> dict | None:
    """The report of this evaluator (None: nothing to report on these predictions)."""
    raise NotImplementedError
