"""Grain input pipelines: source -> (shard, shuffle, augment) -> batch -> float images.

Train: one global stream, reshuffled every epoch, repeated forever, augmented with transforms
that keep trait meaning (horizontal flip, a mild zoom); each host reads and decodes only its own
rows of every global batch, so the global batches do not depend on the number of hosts. Work can
be spread over worker processes. The iterator's `get_state()` / `set_state()` make a resumed run
see exactly the examples it would have.

Eval: deterministic order; every example exactly once across all hosts; every host yields the
same number of batches; the last batch is padded with examples whose `valid` is False.
Examples that could not be decoded arrive with `valid` False and their real `index`, so they are
counted (`example_counts`) rather than lost.
"""

from __future__ import annotations

import dataclasses
import math
import signal
import sys
from typing import Any, Mapping, Protocol, Sequence

from absl import flags
import grain
import numpy as np
from PIL import Image

from traitjax.data import schema

MIN_ZOOM = 0.85  # The strongest zoom keeps 85% of each side.
CROP_MARGIN = 0.02  # Visible keypoints stay at least this far inside the crop.


class Source(Protocol):
  """What pipelines and models need of a data source (see FloraSource, CubSource)."""

  trait_table: schema.TraitTable
  part_names: Sequence[str]
  labels: np.ndarray          # int32 [N] species row of each example (no decoding needed)
  seen_species: np.ndarray    # bool [S]
  species_train_counts: np.ndarray  # int [S]
  image_size: int
  split: str

  def __len__(self) -> int: ...

  def __getitem__(self, index: int) -> dict[str, np.ndarray]: ...


# What a source says about its dataset, as opposed to its examples: a source that wraps
# another (a subset, degraded photos, splits read as one) says the same.
DATASET_ATTRIBUTES = ("trait_table", "part_names", "seen_species", "species_train_counts",
                      "image_size")


def take_dataset_attributes(wrapper, source: Source) -> None:
  """Sets `DATASET_ATTRIBUTES` of `wrapper` to those of the `source` it wraps."""
  for name in DATASET_ATTRIBUTES:
    setattr(wrapper, name, getattr(source, name))


@dataclasses.dataclass(frozen=True)
class HostShard:
  """Which share of the data this host reads."""

  index: int = 0
  count: int = 1

  def __post_init__(self):
    if not 0 <= self.index < self.count:
      raise ValueError(f"process index {self.index} outside [0, {self.count})")

  def per_host(self, global_batch_size: int) -> int:
    if global_batch_size % self.count:
      raise ValueError(
          f"global batch size {global_batch_size} does not divide over {self.count} hosts")
    return global_batch_size // self.count


def augment(example: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
  """Horizontal flip and a zoom crop (side in [MIN_ZOOM, 1]); keypoints follow the pixels.

  Colour is a trait, so no colour jitter. The crop always keeps every visible keypoint in view
  (where no crop can, the photo is not zoomed), so what the photo shows, and therefore
  `traits_visible`, is unchanged.
  """
  image = example[schema.IMAGE]
  size = image.shape[0]
  parts = example[schema.PARTS].copy()
  seen = parts[:, 2] > 0
  zoom = rng.uniform(MIN_ZOOM, 1.0)
  low = np.zeros(2)
  high = np.full(2, 1.0 - zoom)
  if seen.any():
    # x0 <= min(keypoint) - margin and x0 + zoom >= max(keypoint) + margin, per axis.
    low = np.maximum(low, parts[seen, :2].max(0) + CROP_MARGIN - zoom)
    high = np.minimum(high, parts[seen, :2].min(0) - CROP_MARGIN)
  if zoom < 1.0 and np.all(low <= high):
    x0, y0 = rng.uniform(low, high)
    box = (x0 * size, y0 * size, (x0 + zoom) * size, (y0 + zoom) * size)
    image = np.asarray(Image.fromarray(image).resize((size, size), Image.BILINEAR, box=box))
    parts[:, :2] = (parts[:, :2] - (x0, y0)) / zoom
  if rng.random() < 0.5:
    image = image[:, ::-1]
    parts[:, 0] = 1.0 - parts[:, 0]
  parts = np.where(seen[:, None], parts, 0.0).astype(np.float32)
  return {**example, schema.IMAGE: np.ascontiguousarray(image), schema.PARTS: parts}


def finish_batch(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
  """uint8 images -> float32 in [-1, 1], once per batch (a feature cache's batch has none)."""
  if schema.IMAGE not in batch:
    return batch
  return {**batch, schema.IMAGE: schema.image_to_float(batch[schema.IMAGE])}


def _parallel(dataset: grain.MapDataset, num_workers: int, num_threads: int,
              prefetch: int) -> grain.IterDataset:
  iterable = dataset.to_iter_dataset(
      grain.ReadOptions(num_threads=num_threads, prefetch_buffer_size=prefetch))
  if num_workers > 0:
    # Grain's worker processes read absl flags; outside an absl app (notebooks, tests) nobody
    # parsed them, and the defaults are what we want.
    if not flags.FLAGS.is_parsed():
      flags.FLAGS.mark_as_parsed()
    iterable = iterable.mp_prefetch(grain.MultiprocessingOptions(num_workers=num_workers),
                                    worker_init_fn=_ignore_interrupts).map(_out_of_shared_memory)
  return iterable


def _out_of_shared_memory(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
  """A batch from the input workers copied out of the shared memory they sent it in.

  On CPU, JAX takes a NumPy array without copying it, so a device array made from the worker's
  buffer would keep that shared memory until it dies, possibly after the exit-time cleanup
  (multiprocessing then reports it leaked); the copy releases the buffer at once.
  """
  return {key: np.array(value) for key, value in batch.items()}


def _ignore_interrupts(worker_index: int, worker_count: int) -> None:
  """In a worker process: Ctrl-C reaches the whole process group, and the main process stops
  its workers itself (a worker interrupted on its own would print a traceback)."""
  del worker_index, worker_count
  signal.signal(signal.SIGINT, signal.SIG_IGN)


class _View:
  """Position's index -> its example from a source with views: one drawn by the position's
  generator with `augmentation`, else the plain one (picklable)."""

  def __init__(self, source, augmentation: bool):
    self.source, self.augmentation = source, augmentation

  def __call__(self, index: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    return self.source.view(index, rng) if self.augmentation else self.source[index]


class _HostRows:
  """Local position -> this host's rows of each global batch of `stream` (picklable)."""

  def __init__(self, stream: grain.MapDataset, global_batch_size: int, shard: HostShard):
    self.stream = stream
    self.global_batch_size = global_batch_size
    self.per_host = shard.per_host(global_batch_size)
    self.offset = shard.index * self.per_host

  def __call__(self, position: int) -> dict[str, np.ndarray]:
    batch, row = divmod(position, self.per_host)
    return self.stream[batch * self.global_batch_size + self.offset + row]


def train_dataset(source: Source, global_batch_size: int, seed: int, *,
                  shard: HostShard = HostShard(), augmentation: bool = True,
                  num_workers: int = 0, num_threads: int = 1,
                  prefetch: int = 4) -> grain.IterDataset:
  """Endless, shuffled, augmented batches: this host's rows of every global batch.

  One global stream (shuffled per epoch, augmented per position, from `seed`) is cut into
  global batches; host i reads and decodes only rows [i * B/n, (i + 1) * B/n) of each. The
  global batches are therefore the same for any number of hosts. A source with views of its
  own (a feature cache's, `view(index, rng)`) is augmented by the view each position draws.
  """
  per_host = shard.per_host(global_batch_size)
  if len(source) == 0:
    raise ValueError(f"{source!r} has no training examples")
  if hasattr(source, "view"):
    stream = grain.MapDataset.range(len(source)).seed(seed).shuffle().repeat(None)
    stream = stream.random_map(_View(source, augmentation))
  else:
    stream = grain.MapDataset.source(source).seed(seed).shuffle().repeat(None)
    if augmentation:
      stream = stream.random_map(augment)
  local = grain.MapDataset.range(sys.maxsize).map(_HostRows(stream, global_batch_size, shard))
  dataset = local.batch(per_host, drop_remainder=True).map(finish_batch)
  return _parallel(dataset, num_workers, num_threads, prefetch)


class _EvalElement:
  """Local position -> this host's example, or padding past the end (picklable for workers)."""

  def __init__(self, source: Source, shard: HostShard):
    self.source = source
    self.shard = shard
    self.padding = padding_like(source[0])

  def __call__(self, position: int) -> dict[str, np.ndarray]:
    index = self.shard.index + position * self.shard.count
    return self.source[index] if index < len(self.source) else self.padding


def padding_like(example: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
  """An example with the same shapes that counts for nothing (valid False, index -1)."""
  pad = {k: np.zeros_like(v) for k, v in example.items()}
  pad[schema.SPECIES] = np.int32(-1)
  pad[schema.INDEX] = np.int32(-1)
  pad[schema.DEGRADATION] = np.int32(-1)
  for key in (schema.TRAITS, schema.TRAITS_VISIBLE):
    pad[key] = np.full_like(example[key], np.nan)
  return pad


def eval_batches_per_host(num_examples: int, global_batch_size: int, shard: HostShard) -> int:
  """The same count on every host, so hosts never wait on each other."""
  return max(1, math.ceil(math.ceil(num_examples / shard.count) / shard.per_host(
      global_batch_size)))


def eval_dataset(source: Source, global_batch_size: int, *, shard: HostShard = HostShard(),
                 num_workers: int = 0, num_threads: int = 1,
                 prefetch: int = 4) -> grain.IterDataset:
  """One deterministic pass over this host's share of `source`, padded (see module docstring)."""
  per_host = shard.per_host(global_batch_size)
  length = eval_batches_per_host(len(source), global_batch_size, shard) * per_host
  dataset = grain.MapDataset.range(length).map(_EvalElement(source, shard))
  dataset = dataset.batch(per_host).map(finish_batch)
  return _parallel(dataset, num_workers, num_threads, prefetch)


def example_counts(batch: Mapping[str, Any]) -> dict[str, int]:
  """In one eval batch: num_examples (valid) and num_skipped (real but undecodable)."""
  is_real = np.asarray(batch[schema.INDEX]) >= 0
  is_valid = np.asarray(batch[schema.VALID])
  return {"num_examples": int(np.sum(is_valid)), "num_skipped": int(np.sum(is_real & ~is_valid))}
