"""clu metric collections (no `from __future__ import annotations` here: clu reads the class
annotations as metric types)."""

import flax
from clu import metrics


@flax.struct.dataclass
class TrainMetrics(metrics.Collection):
  """Averages over the steps since the last log line."""

  loss: metrics.Average.from_output("loss")
  species_loss: metrics.Average.from_output("species_loss")
  trait_loss: metrics.Average.from_output("trait_loss")
  species_accuracy: metrics.Average.from_output("species_accuracy")
  grad_norm: metrics.Average.from_output("grad_norm")
  nonfinite_steps: metrics.Average.from_output("nonfinite")
