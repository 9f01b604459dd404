"""The parts a slot-attention workdir found, drawn on photos of its evaluation split
(`python -m traitjax.plot_metrics --plot=slots` draws them)."""

import json
import os

import jax
from matplotlib import figure as figure_lib
import numpy as np

from traitjax import checkpoints
from traitjax import plots
from traitjax.data import pipeline
from traitjax.data import schema


def slot_masks(workdir: str, num_photos: int, split: str = "test") -> figure_lib.Figure:
  """`plots.slot_mask_figure` of the newest checkpoint of a slot-attention `workdir` (its saved
  config) on `num_photos` photos spread evenly over `split`, the slots labelled with their
  names in the workdir's metrics.json if there is one."""
  config = checkpoints.saved_config(workdir)
  if config.task != "slots":
    raise ValueError(f"{workdir} trained task {config.task!r}; slot masks need task 'slots'")
  task, state, source = checkpoints.restore_for_eval(config, workdir, split)
  indices = np.linspace(0, len(source) - 1, min(num_photos, len(source))).astype(int)
  batch = pipeline.finish_batch(
      {k: np.stack([source[int(i)][k] for i in indices]) for k in schema.EXAMPLE_DTYPES})
  outputs = jax.device_get(jax.jit(task.predict)(state.params, state.model_state, batch))
  names = None
  metrics_path = os.path.join(workdir, "metrics.json")
  if os.path.isfile(metrics_path):
    with open(metrics_path) as f:
      names = json.load(f).get("slot_names", {}).get("slots")
  return plots.slot_mask_figure(batch[schema.IMAGE], outputs, task.model.num_slots, names)
