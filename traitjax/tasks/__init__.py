"""Tasks: one object per experiment family (model + loss + predictions + evaluation).

The trainer only calls a task's pure functions:
  init(rng, batch) -> flax variables {"params": ..., other collections}
  loss(params, model_state, batch, rng) -> (scalar, (new_model_state, metric outputs))
  predict(params, model_state, batch) -> dict of per-example arrays
  evaluate(predictions, source, params) -> dict of metrics for metrics.json (params for
    protocols that run part of the model again, e.g. few-shot species rows)
"""

from traitjax.tasks import concepts
from traitjax.tasks import slots

TASKS = {"concepts": concepts.ConceptsTask, "slots": slots.SlotsTask}


def make_task(config, source):
  """The task `config.task` names, sized for `source` (its trait table and species)."""
  if config.task not in TASKS:
    raise ValueError(f"unknown task {config.task!r}; known: {sorted(TASKS)}")
  return TASKS[config.task].from_config(config, source)
