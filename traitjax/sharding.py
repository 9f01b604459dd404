"""Devices, mesh and batch placement: one `data` axis over every device of every host.

Params are replicated; batches are split along the leading axis. Each host feeds only its own
shard of the global batch (`jax.make_array_from_process_local_data`), so the same code runs on
one CPU, eight GPUs or a multi-host TPU slice.
"""

from __future__ import annotations

import jax
from jax.experimental import multihost_utils
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P
import numpy as np

DATA_AXIS = "data"


def initialize_distributed(coordinator: str = "", num_processes: int = 0,
                           process_id: int = -1) -> None:
  """jax.distributed for multi-host runs: explicit arguments, or auto-detection (SLURM,
  TPU pods, Kubernetes) when `coordinator` is "auto"; nothing for a single host ("")."""
  if not coordinator:
    return
  if coordinator == "auto":
    jax.distributed.initialize()
  else:
    jax.distributed.initialize(coordinator, num_processes=num_processes, process_id=process_id)


def make_mesh() -> jax.sharding.Mesh:
  return jax.make_mesh((jax.device_count(),), (DATA_AXIS,))


def replicated(mesh) -> NamedSharding:
  return NamedSharding(mesh, P())


def batch_sharded(mesh) -> NamedSharding:
  return NamedSharding(mesh, P(DATA_AXIS))


def global_batch(local_batch: dict[str, np.ndarray], mesh) -> dict[str, jax.Array]:
  """This host's numpy batch -> global arrays split over the data axis."""
  sharding = batch_sharded(mesh)
  return {k: jax.make_array_from_process_local_data(sharding, v)
          for k, v in local_batch.items()}


def to_host(tree):
  """Global arrays -> full numpy arrays on every host."""
  if jax.process_count() == 1:
    return jax.tree.map(np.asarray, tree)
  return multihost_utils.process_allgather(tree, tiled=True)


def _over_processes(value: int) -> np.ndarray:
  """An integer of every host, in one array (the value alone on one host)."""
  if jax.process_count() == 1:
    return np.asarray([value], np.int64)
  return np.asarray(multihost_utils.process_allgather(np.asarray(value, np.int64)))


def sum_over_processes(value: int) -> int:
  """The sum of an integer over every host (the value itself on one host)."""
  return int(_over_processes(value).sum())


def max_over_processes(value: int) -> int:
  """The largest of an integer over every host (the value itself on one host)."""
  return int(_over_processes(value).max())
