"""Backbone features computed once and kept on disk, for models whose whole backbone is frozen.

A frozen backbone makes the same feature map of the same photo at every step, so training,
evaluation, sweeps and `explain` read it from the cache instead of running the backbone: each
entry is what the backbone makes of one view of one photo (its spatial feature map, so evidence
maps, the pointing game and slots keep working), with the keypoints and whether the photo could
be read.

Where: `config.input.feature_cache`, a folder; a relative one lies beside the workdir (the
default, `feature_cache`, is shared by every workdir of a folder, so every point of a sweep
reads one cache); "" turns it off. Under it, one folder per backbone signature: a hash of the
backbone's module and of its variables (so of its weights file), the compute dtype and this
format; in it, one file per view of a photo, named by a hash of the photo's key
(`photo_key(index)` of its source: the file's path, size and time, how it is cut and sized, how
it is degraded) and the view. A changed photo or setting is another entry, never a stale one.

Views: evaluation reads the plain photo; training with augmentation reads one of
`config.input.cached_views` augmented views of each photo, drawn once (flip and zoom, as
`pipeline.augment` draws them, seeded by the photo's key), one picked at random at each step
(`training_views`). With `cached_views` 0, or without augmentation, training reads the plain
photo.

On disk: entries are written to a temporary file and renamed, so several processes may fill
one cache at once and a crash leaves nothing half written; an entry whose size is not an
entry's (cut short) is computed again with one warning; a full disk stops the run in one line,
its temporary file removed.

The cache is refused, in one log line, where the backbone's output would not be the same at
every step: a backbone with a trained parameter, batch norm that updates in training, a task
that runs the backbone on a second view of its own, or data drawn anew rather than read from
files (`refusal`).
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import tempfile
from typing import Sequence
import zipfile

from absl import logging
import jax
import ml_collections
import numpy as np

from traitjax import optim
from traitjax import writers
from traitjax.data import pipeline
from traitjax.data import schema

# Bumped when what an entry holds changes: older entries are then never read.
FORMAT = 1
PLAIN = "plain"
# The views of a photo are drawn from generators seeded by this and the photo's key: every run,
# whatever its seed, reads the same views.
VIEWS_SEED = 0


def folder(config: ml_collections.ConfigDict, workdir: str) -> str:
  """The cache folder of a run in `workdir` ("" = none): `config.input.feature_cache`, a
  relative one beside the workdir."""
  where = config.input.get("feature_cache", "")
  if not where:
    return ""
  return os.path.join(os.path.dirname(os.path.abspath(workdir)), where)


def refusal(config: ml_collections.ConfigDict, task, state) -> str | None:
  """Why the backbone's output may differ from step to step (None: it may be cached)."""
  model = getattr(task, "model", None)
  if getattr(model, "backbone", None) is None or "backbone" not in state.params:
    return "the model has no backbone"
  frozen = jax.tree_util.tree_leaves_with_path(
      optim.frozen_mask(config.optim, state.params)["backbone"])
  training = [jax.tree_util.keystr(path) for path, leaf in frozen if not leaf]
  if training:
    return (f"the backbone trains ({len(training)} of its {len(frozen)} parameters, e.g. "
            f"backbone{training[0]}; optim.frozen=('backbone',) freezes it)")
  if "backbone" in state.model_state.get("batch_stats", {}) and not model.frozen_batch_norm:
    return "the backbone's batch norm updates in training (model.frozen_batch_norm=False)"
  if getattr(task, "runs_backbone_on_second_view", False):
    return "the task runs the backbone on a second view of each photo (its equivariance loss)"
  return None


def backbone_signature(backbone, variables: dict) -> str:
  """A hash of what decides the backbone's output: its module (kind, stages, dtype) and every
  variable, with the format of the entries."""
  digest = hashlib.sha256(f"{FORMAT}|{backbone!r}".encode())
  for path, leaf in jax.tree_util.tree_leaves_with_path(variables):
    leaf = np.asarray(leaf)
    digest.update(f"{jax.tree_util.keystr(path)}|{leaf.dtype}|{leaf.shape}".encode())
    digest.update(np.ascontiguousarray(leaf).tobytes())
  return digest.hexdigest()[:24]


class FeatureCache:
  """The cache of one backbone: `wrap(source)` computes what is missing and reads the rest.

  Attributes:
    directory: the folder of this backbone's entries.
  """

  def __init__(self, root: str, backbone, variables: dict, image_size: int, num_parts: int,
               batch_size: int, num_workers: int = 0):
    self.directory = os.path.join(root, backbone_signature(backbone, variables))
    self.batch_size = batch_size
    self.num_workers = num_workers
    self._variables = variables
    self._features = jax.jit(
        lambda variables, images: backbone.apply(
            variables, images.astype(backbone.dtype), train=False)["feature_map"])
    shape = jax.eval_shape(self._features, variables,
                           jax.ShapeDtypeStruct((1, image_size, image_size, 3), np.float32))
    self.entry_size = _entry_size(shape.shape[1:], shape.dtype, num_parts)

  def wrap(self, source, views: int = 0,
           shard: pipeline.HostShard = pipeline.HostShard()) -> CachedSource:
    """`source` read from the cache, its entries computed first where they are missing: the
    plain view of the examples this host reads (`shard`), or for training with `views`
    augmented views, each of them of every example (a host reads rows of every example over
    an epoch)."""
    if views:
      needed = [(i, _view_name(v)) for i in range(len(source)) for v in range(1, views + 1)]
    else:  # The evaluation pipeline pads a host's last batch with one shaped like the first.
      indices = {*range(shard.index, len(source), shard.count), *range(min(len(source), 1))}
      needed = [(i, PLAIN) for i in sorted(indices)]
    self._fill(source, needed)
    return CachedSource(source, self.directory, views)

  def feature_maps(self, source, indices: Sequence[int]) -> list[np.ndarray]:
    """The feature maps of the plain photos `indices` of `source` (any source that names its
    photos' keys, e.g. a user's photo files), computed where missing."""
    self._fill(source, [(index, PLAIN) for index in indices])
    return [read_entry(entry_path(self.directory, source, index, PLAIN))["feature_map"]
            for index in indices]

  def _fill(self, source, needed: Sequence[tuple[int, str]]) -> None:
    missing = []
    for index, view in needed:
      path = entry_path(self.directory, source, index, view)
      if os.path.isfile(path):
        if os.path.getsize(path) == self.entry_size:
          continue
        logging.warning("feature cache: entry %s is cut short (%d bytes of %d): computed again",
                        path, os.path.getsize(path), self.entry_size)
      missing.append((index, view))
    if not missing:
      return
    logging.info("feature cache: computing %d views of %r into %s", len(missing), source,
                 self.directory)
    progress = writers.Progress(len(missing), 0, unit="view")
    views = _Views(source, missing)
    done = 0
    for batch in pipeline.eval_dataset(views, self.batch_size, num_workers=self.num_workers):
      feature_maps = np.asarray(self._features(self._variables, batch[schema.IMAGE]))
      for row, position in enumerate(batch[schema.INDEX]):
        if position < 0:  # Padding of the last batch.
          continue
        index, view = missing[position]
        _write(entry_path(self.directory, source, index, view), feature_maps[row],
               batch[schema.PARTS][row], batch[schema.VALID][row])
        done += 1
      progress.report(done, {})


def open_for_run(config: ml_collections.ConfigDict, workdir: str, task, state,
                 source) -> FeatureCache | None:
  """The cache a run in `workdir` reads (`source` gives the photos' size and keypoints), or
  None: turned off, or refused (the reason logged in one line)."""
  root = folder(config, workdir)
  if not root:
    return None
  reason = refusal(config, task, state)
  if reason is None and not hasattr(source, "photo_key"):
    reason = "the data names no photo file to key the cache by (e.g. the synthetic flora)"
  if reason:
    logging.info("feature cache not used: %s", reason)
    return None
  variables = jax.device_get({
      collection: tree["backbone"]
      for collection, tree in {"params": state.params, **state.model_state}.items()
      if "backbone" in tree})
  return FeatureCache(root, task.model.backbone, variables, source.image_size,
                      len(source.part_names), config.input.batch_size,
                      config.input.num_workers)


def training_views(config: ml_collections.ConfigDict) -> int:
  """The augmented views per photo training reads from a cache: `input.cached_views` with
  augmentation, none (the plain photo) without."""
  return config.input.get("cached_views", 0) if config.input.augmentation else 0


class CachedSource:
  """`source` with each photo's feature map in place of its pixels (schema.py's
  `feature_map`), read from the entries of a `FeatureCache` (which computes them). Picklable,
  for the input pipeline's worker processes.

  `views` > 0: `view(index, rng)` is one of that many augmented views of the photo, drawn by
  `rng` (what the training pipeline reads with augmentation); `source[index]` is the plain
  view."""

  def __init__(self, source, directory: str, views: int = 0):
    self.source, self.directory, self.views = source, directory, views
    pipeline.take_dataset_attributes(self, source)
    self.labels, self.split = source.labels, source.split
    for name in ("organ_classes", "organ_trait_mask"):  # Where photos show one organ each.
      if hasattr(source, name):
        setattr(self, name, getattr(source, name))

  def __len__(self) -> int:
    return len(self.source)

  def __repr__(self) -> str:
    return f"CachedSource({self.source!r}, views={self.views})"

  def __getitem__(self, index: int) -> dict[str, np.ndarray]:
    return self._example(int(index), PLAIN)

  def view(self, index: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A training example: one of the augmented views drawn by `rng`, else the plain one."""
    if not self.views:
      return self._example(int(index), PLAIN)
    return self._example(int(index), _view_name(int(rng.integers(1, self.views + 1))))

  def _example(self, index: int, view: str) -> dict[str, np.ndarray]:
    entry = read_entry(entry_path(self.directory, self.source, index, view))
    return {**self.source.annotations(index), schema.FEATURE_MAP: entry["feature_map"],
            schema.PARTS: entry["parts"], schema.VALID: entry["valid"]}


def entry_path(directory: str, source, index: int, view: str) -> str:
  """The file of `view` of example `index` of `source` in a backbone's `directory`."""
  key = hashlib.sha256(f"{source.photo_key(index)}|{view}".encode()).hexdigest()[:32]
  return os.path.join(directory, key[:2], f"{key}.npz")


def read_entry(path: str) -> dict[str, np.ndarray]:
  """The feature_map, parts and valid of an entry; ValueError in one line when it cannot be
  read (a corrupt entry of the right size: delete it and it is computed again)."""
  try:
    with np.load(path) as entry:
      return {name: entry[name] for name in ("feature_map", "parts", "valid")}
  except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
    raise ValueError(f"feature cache entry {path} is unreadable ({type(e).__name__}: {e}); "
                     f"delete it and run again") from None


class _Views:
  """The photos `needed` [(index, view)] of `source` as a source of image examples (a view
  augmented by a generator seeded by the photo's key), `index` counting them."""

  def __init__(self, source, needed: Sequence[tuple[int, str]]):
    self.source, self.needed = source, list(needed)

  def __len__(self) -> int:
    return len(self.needed)

  def __getitem__(self, position: int) -> dict[str, np.ndarray]:
    index, view = self.needed[int(position)]
    example = self.source[index]
    if view != PLAIN:
      key = hashlib.sha256(self.source.photo_key(index).encode()).digest()
      rng = np.random.default_rng([VIEWS_SEED, int(view.removeprefix("augmented")),
                                   int.from_bytes(key[:8], "little")])
      example = pipeline.augment(example, rng)
    return {**example, schema.INDEX: np.int32(position)}


def _view_name(number: int) -> str:
  return f"augmented{number}"


def _entry_bytes(feature_map: np.ndarray, parts: np.ndarray, valid) -> bytes:
  buffer = io.BytesIO()
  np.savez(buffer, feature_map=_stored(feature_map), parts=np.asarray(parts, np.float32),
           valid=np.bool_(valid))
  return buffer.getvalue()


def _stored(feature_map: np.ndarray) -> np.ndarray:
  """A feature map as an entry holds it: numpy's own floats as they are, others (bfloat16,
  which .npy files do not describe) as float32, which holds them exactly."""
  if np.dtype(feature_map.dtype) in (np.float16, np.float32, np.float64):
    return feature_map
  return np.asarray(feature_map, np.float32)


def _entry_size(shape: tuple[int, ...], dtype, num_parts: int) -> int:
  """The size in bytes of every entry of a backbone (np.savez writes a fixed layout)."""
  return len(_entry_bytes(np.zeros(shape, dtype), np.zeros((num_parts, 3), np.float32), True))


def _write(path: str, feature_map: np.ndarray, parts: np.ndarray, valid) -> None:
  """Writes one entry atomically (a temporary file renamed); a full disk is one line, the
  temporary file removed."""
  os.makedirs(os.path.dirname(path), exist_ok=True)
  handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
  try:
    with os.fdopen(handle, "wb") as f:
      f.write(_entry_bytes(feature_map, parts, valid))
    os.replace(temporary, path)
  except OSError as e:
    if os.path.exists(temporary):
      os.remove(temporary)
    if e.errno == errno.ENOSPC:
      raise OSError(errno.ENOSPC, f"feature cache: no space left on the disk of "
                    f"{os.path.dirname(os.path.dirname(path))} (turn the cache off with "
                    f"--config.input.feature_cache='' or give it another folder)") from None
    raise
