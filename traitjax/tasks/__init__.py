"""Tasks: one object per experiment family (model + loss + predictions).

The trainer only calls a task's pure functions:
  init(rng, batch) -> flax variables {"params": ..., other collections}
  loss(params, model_state, batch, rng) -> (scalar, (new_model_state, measurements)), where
    measurements is a free dict of named scalars (every loss term, accuracies, ...) that the
    trainer averages and logs as they are
  predict(params, model_state, batch, with_maps=False) -> dict of per-example arrays, which the
    evaluators of `config.evals` read (traitjax/evaluators); with_maps adds the evidence maps
    trait_maps [B, h, w, T] (only an evaluator that reads them asks)
"""

from traitjax.tasks import concepts
from traitjax.tasks import slots

TASKS = {"concepts": concepts.ConceptsTask, "slots": slots.SlotsTask}


def make_task(config, source):
  """The task `config.task` names, sized for `source` (its trait table and species)."""
  if config.task not in TASKS:
    raise ValueError(f"unknown task {config.task!r}; known: {sorted(TASKS)}")
  return TASKS[config.task].from_config(config, source)
