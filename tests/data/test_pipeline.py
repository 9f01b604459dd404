"""Tests for traitjax.data.pipeline (grain input pipelines) and traitjax.data.sources."""

import math
import os

import numpy as np
import pytest

from traitjax.data import pipeline
from traitjax.data import schema
from traitjax.data import sources
from traitjax.data import synthetic_flora
from tests import conftest

SMALL = dict(name="synthetic_flora", num_species=20, max_train_per_species=40, imbalance=10.0,
             image_size=32)
BATCH_DTYPES = {**schema.EXAMPLE_DTYPES, schema.IMAGE: np.float32}


class FakeSource:
  """A Source with cheap examples whose pixels and labels encode the index.

  Examples in `invalid` come back as unreadable files do: real index, valid False.
  """

  part_names = ("head", "tail")
  image_size = 8

  def __init__(self, n, invalid=(), split="test"):
    self.labels = (np.arange(n) % 4).astype(np.int32)
    self.trait_table = schema.TraitTable(
        np.array([[1, 0, 0.5], [0, 1, np.nan], [1, 1, 0], [0, 0, 1]], np.float32),
        species=("a", "b", "c", "d"), traits=("colour::red", "colour::blue", "size"))
    self.seen_species = np.ones(4, bool)
    self.species_train_counts = np.bincount(self.labels, minlength=4)
    self.invalid = frozenset(invalid)
    self.split = split

  def __len__(self):
    return len(self.labels)

  def __getitem__(self, index):
    index = int(index)
    valid = index not in self.invalid
    species = int(self.labels[index])
    return {
        schema.IMAGE: np.full((8, 8, 3), index % 256 if valid else 0, np.uint8),
        schema.SPECIES: np.int32(species),
        schema.TRAITS: self.trait_table.values[species].copy(),
        schema.TRAITS_VISIBLE: np.full(3, np.nan, np.float32),
        schema.PARTS: np.array([[0.25, 0.5, 1], [0, 0, 0]], np.float32),
        schema.VALID: np.bool_(valid),
        schema.INDEX: np.int32(index),
        schema.DEGRADATION: np.int32(0),
        schema.DEGRADATION_STRENGTH: np.float32(0),
    }


def _flora_source(split="train"):
  return sources.make_source(SMALL, split)


def _close(iterator):
  if hasattr(iterator, "close"):
    iterator.close()


def _check_batch(batch, batch_size, image_size, num_traits, num_parts):
  """The batch contract: keys, dtypes, shapes, image range."""
  assert batch.keys() == BATCH_DTYPES.keys()
  for key, dtype in BATCH_DTYPES.items():
    assert batch[key].dtype == dtype, key
  assert batch[schema.IMAGE].shape == (batch_size, image_size, image_size, 3)
  assert batch[schema.IMAGE].min() >= -1 and batch[schema.IMAGE].max() <= 1
  for key in (schema.SPECIES, schema.VALID, schema.INDEX, schema.DEGRADATION,
              schema.DEGRADATION_STRENGTH):
    assert batch[key].shape == (batch_size,), key
  assert batch[schema.TRAITS].shape == batch[schema.TRAITS_VISIBLE].shape == (batch_size,
                                                                                num_traits)
  assert batch[schema.PARTS].shape == (batch_size, num_parts, 3)


# ---- eval ----------------------------------------------------------------------------------


@pytest.mark.parametrize("num_examples,hosts,global_batch", [
    (37, 1, 8), (37, 2, 8), (37, 3, 9), (37, 4, 8), (37, 8, 8), (2, 4, 4)])
def test_eval_sees_every_example_exactly_once(num_examples, hosts, global_batch):
  """Across hosts each index comes once, in order per host; padding is index -1, invalid and
  labelled unknown; every host yields eval_batches_per_host full batches; unreadable examples
  are counted as skipped."""
  invalid = {i for i in (3, 13, 36) if i < num_examples}
  source = FakeSource(num_examples, invalid)
  per_host = global_batch // hosts
  seen = []
  totals = {"num_examples": 0, "num_skipped": 0}
  for host in range(hosts):
    shard = pipeline.HostShard(host, hosts)
    batches = list(pipeline.eval_dataset(source, global_batch, shard=shard))
    count = pipeline.eval_batches_per_host(num_examples, global_batch, shard)
    assert len(batches) == count
    # As few batches as the busiest host (host 0) needs.
    busiest = math.ceil(num_examples / hosts)
    assert (count - 1) * per_host < max(busiest, 1) <= count * per_host
    index = np.concatenate([b[schema.INDEX] for b in batches])
    mine = np.arange(host, num_examples, hosts)
    np.testing.assert_array_equal(index[:len(mine)], mine)
    assert np.all(index[len(mine):] == -1)
    for batch in batches:
      _check_batch(batch, per_host, 8, 3, 2)
      real = batch[schema.INDEX] >= 0
      assert not batch[schema.VALID][~real].any()
      assert np.all(batch[schema.SPECIES][~real] == -1)
      assert np.isnan(batch[schema.TRAITS][~real]).all()
      assert np.all(batch[schema.DEGRADATION][~real] == -1)
      expected_valid = [int(i) not in invalid for i in batch[schema.INDEX][real]]
      np.testing.assert_array_equal(batch[schema.VALID][real], expected_valid)
      for row in np.flatnonzero(real & batch[schema.VALID]):
        i = int(batch[schema.INDEX][row])
        np.testing.assert_array_equal(batch[schema.IMAGE][row],
                                      schema.image_to_float(source[i][schema.IMAGE]))
        assert batch[schema.SPECIES][row] == i % 4
      for key, value in pipeline.example_counts(batch).items():
        totals[key] += value
    seen.extend(index[index >= 0].tolist())
  assert sorted(seen) == list(range(num_examples))
  assert totals == {"num_examples": num_examples - len(invalid), "num_skipped": len(invalid)}


def test_batch_must_divide_over_hosts():
  """A global batch that does not split evenly, or a bad host index, raises."""
  with pytest.raises(ValueError, match="8 does not divide over 3 hosts"):
    pipeline.eval_dataset(FakeSource(10), 8, shard=pipeline.HostShard(0, 3))
  with pytest.raises(ValueError, match="outside"):
    pipeline.HostShard(2, 2)
  assert pipeline.HostShard(1, 4).per_host(32) == 8


def test_example_counts_and_padding_like():
  """example_counts separates valid, skipped (real, invalid) and padding (index -1)."""
  batch = {schema.INDEX: np.array([0, 5, 7, -1, -1]),
           schema.VALID: np.array([True, False, True, False, False])}
  assert pipeline.example_counts(batch) == {"num_examples": 2, "num_skipped": 1}
  example = FakeSource(3)[2]
  pad = pipeline.padding_like(example)
  assert pad.keys() == example.keys()
  for key in example:
    assert np.asarray(pad[key]).dtype == np.asarray(example[key]).dtype, key
    assert np.shape(pad[key]) == np.shape(example[key]), key
  assert pad[schema.INDEX] == -1 and pad[schema.SPECIES] == -1 and not pad[schema.VALID]
  assert np.isnan(pad[schema.TRAITS]).all() and not pad[schema.IMAGE].any()


# ---- train ---------------------------------------------------------------------------------


def _indices(iterator, num_batches):
  return np.concatenate([next(iterator)[schema.INDEX] for _ in range(num_batches)])


def test_train_epochs_visit_every_example_once():
  """In the stream of training examples every epoch is a permutation of the source,
  reshuffled each epoch; batches are full and the order depends on the seed."""
  source = FakeSource(37)
  iterator = iter(pipeline.train_dataset(source, 8, seed=0, augmentation=False))
  stream = _indices(iterator, 10)  # 80 examples: two whole epochs of 37.
  first, second = stream[:37], stream[37:74]
  np.testing.assert_array_equal(np.sort(first), np.arange(37))
  np.testing.assert_array_equal(np.sort(second), np.arange(37))
  assert not np.array_equal(first, second) and not np.array_equal(first, np.arange(37))
  # The first epoch's 4 whole batches: 32 distinct examples, 5 left for the next batch.
  assert len(set(stream[:32])) == 32
  again = _indices(iter(pipeline.train_dataset(source, 8, seed=0, augmentation=False)), 10)
  np.testing.assert_array_equal(stream, again)
  other = _indices(iter(pipeline.train_dataset(source, 8, seed=1, augmentation=False)), 10)
  assert not np.array_equal(stream, other)


def test_train_hosts_split_each_global_batch():
  """With 2 hosts, host i reads rows [4i, 4i + 4) of every global batch of 8: the two hosts'
  batches, joined in host order, are exactly the one-host batches, augmentation included (any
  host count trains on the same data); within an epoch the hosts read different examples."""
  source = FakeSource(37)
  one = iter(pipeline.train_dataset(source, 8, seed=0))
  hosts = [iter(pipeline.train_dataset(source, 8, seed=0, shard=pipeline.HostShard(h, 2)))
           for h in range(2)]
  for step in range(10):  # Two epochs and more.
    whole = next(one)
    parts = [next(it) for it in hosts]
    assert parts[0][schema.INDEX].shape == (4,)
    for key in whole:
      np.testing.assert_array_equal(np.concatenate([p[key] for p in parts]), whole[key])
    if step < 4:  # Batches inside the first epoch (a later one may straddle two epochs).
      assert not set(parts[0][schema.INDEX]) & set(parts[1][schema.INDEX])


def test_train_examples_keep_their_content():
  """Each training image and its labels belong to the index it carries (after augment)."""
  source = FakeSource(37)
  batch = next(iter(pipeline.train_dataset(source, 8, seed=2)))
  for row, i in enumerate(batch[schema.INDEX]):
    np.testing.assert_allclose(batch[schema.IMAGE][row], schema.image_to_float(
        np.full((8, 8, 3), i, np.uint8)), atol=1e-6)
    assert batch[schema.SPECIES][row] == i % 4
    np.testing.assert_array_equal(batch[schema.TRAITS][row], source[int(i)][schema.TRAITS])


@pytest.mark.parametrize("num_workers", [0, pytest.param(2, marks=pytest.mark.slow)])
def test_train_iterator_resumes_exactly(num_workers):
  """State taken after k batches, restored into a new iterator, gives the same next batches,
  bit for bit (in-process and with worker processes)."""
  source = _flora_source()
  dataset = pipeline.train_dataset(source, 8, seed=3, num_workers=num_workers)
  iterator = iter(dataset)
  try:
    before = [next(iterator) for _ in range(3)]
    state = iterator.get_state()
    expected = [next(iterator) for _ in range(4)]
  finally:
    _close(iterator)
  resumed = iter(pipeline.train_dataset(source, 8, seed=3, num_workers=num_workers))
  try:
    resumed.set_state(state)
    got = [next(resumed) for _ in range(4)]
  finally:
    _close(resumed)
  for want, have in zip(expected, got):
    assert want.keys() == have.keys()
    for key in want:
      np.testing.assert_array_equal(want[key], have[key], err_msg=key)
  assert not np.array_equal(before[0][schema.INDEX], expected[0][schema.INDEX])


@pytest.mark.slow  # Starts two input worker processes.
def test_batches_from_input_workers_keep_no_shared_memory_once_the_pipeline_closes(monkeypatch):
  # On CPU, jax.device_put takes a NumPy array's memory without copying: a device array made
  # from a worker's shared-memory buffer kept that buffer alive past the pipeline, to be
  # reported leaked at exit.
  import jax  # pylint: disable=g-import-not-at-top
  from grain._src.python.ipc import shared_memory_array  # pylint: disable=g-import-not-at-top
  from traitjax import cli  # pylint: disable=g-import-not-at-top
  opened, open_buffer = [], shared_memory_array.SharedMemoryArray.from_metadata

  def from_metadata(metadata):
    opened.append(metadata.name)
    return open_buffer(metadata)

  monkeypatch.setattr(shared_memory_array.SharedMemoryArray, "from_metadata", from_metadata)
  iterator = iter(pipeline.train_dataset(_flora_source(), 8, seed=0, num_workers=2))
  kept = [jax.block_until_ready(jax.device_put(next(iterator))) for _ in range(3)]
  iterator.close()
  del iterator
  cli._release_shared_memory()  # pylint: disable=protected-access  (what every command's exit runs)
  assert opened and len(kept) == 3
  assert [name for name in opened if os.path.exists(f"/dev/shm/{name.lstrip('/')}")] == []


def test_train_and_eval_batches_follow_the_contract():
  """Flora batches: float32 images in [-1, 1] of [B, H, W, 3], other keys per schema."""
  source = _flora_source("train")
  batch = next(iter(pipeline.train_dataset(source, 8, seed=0)))
  _check_batch(batch, 8, 32, len(synthetic_flora.TRAIT_NAMES), len(source.part_names))
  assert batch[schema.VALID].all() and np.all(batch[schema.INDEX] >= 0)
  assert batch[schema.IMAGE].min() < -0.5 and batch[schema.IMAGE].max() > 0.5
  val = _flora_source("val")
  batch = next(iter(pipeline.eval_dataset(val, 16)))
  _check_batch(batch, 16, 32, len(synthetic_flora.TRAIT_NAMES), len(val.part_names))
  np.testing.assert_array_equal(batch[schema.INDEX], np.arange(16))
  np.testing.assert_array_equal(batch[schema.IMAGE][3],
                                schema.image_to_float(val[3][schema.IMAGE]))


def test_train_on_an_empty_source_raises():
  """A split with nothing to train on says so."""
  with pytest.raises(ValueError, match="no training examples"):
    pipeline.train_dataset(FakeSource(0), 2, seed=0, shard=pipeline.HostShard(1, 2))


# ---- augment -------------------------------------------------------------------------------


class _Ends:
  """An rng stand-in that draws the low or high end of every uniform range."""

  def __init__(self, high, flip):
    self.high = high
    self.flip = flip

  def uniform(self, low=0.0, high=1.0, size=None):
    value = high if self.high else low
    return value if size is None else np.full(size, value)

  def random(self, size=None):
    return 0.0 if self.flip else 0.999


def _dots(size=64):
  """A black photo with a white dot and a red dot, keypoints on them, one invisible part."""
  image = np.zeros((size, size, 3), np.uint8)
  image[20, 45] = 255
  image[50, 10] = (255, 0, 0)
  parts = np.array([[45.5 / size, 20.5 / size, 1], [10.5 / size, 50.5 / size, 1], [0, 0, 0],
                    [1.5 / size, 0.5, 1]], np.float32)
  return {schema.IMAGE: image, schema.PARTS: parts, schema.SPECIES: np.int32(3),
          schema.TRAITS: np.array([1, 0, np.nan], np.float32),
          schema.TRAITS_VISIBLE: np.array([np.nan, 0, 1], np.float32)}


def test_flip_mirrors_pixels_and_keypoints():
  """Without a crop, a flip mirrors the image exactly and maps visible x to 1 - x."""
  example = _dots()
  out = pipeline.augment(example, _Ends(high=True, flip=True))
  np.testing.assert_array_equal(out[schema.IMAGE], example[schema.IMAGE][:, ::-1])
  expected = example[schema.PARTS].copy()
  expected[[0, 1, 3], 0] = 1 - expected[[0, 1, 3], 0]
  np.testing.assert_allclose(out[schema.PARTS], expected, atol=1e-6)
  same = pipeline.augment(example, _Ends(high=True, flip=False))
  np.testing.assert_array_equal(same[schema.IMAGE], example[schema.IMAGE])
  np.testing.assert_array_equal(same[schema.PARTS], example[schema.PARTS])


def test_crop_zooms_and_keeps_visible_keypoints_in_view():
  """The strongest crop (zoom MIN_ZOOM at the top-left) rescales visible keypoints; invisible
  ones stay (0, 0, 0)."""
  example = _dots()
  example[schema.PARTS][3] = 0
  out = pipeline.augment(example, _Ends(high=False, flip=False))
  zoom = pipeline.MIN_ZOOM
  np.testing.assert_array_equal(out[schema.PARTS][2:], 0)
  np.testing.assert_allclose(out[schema.PARTS][:2, :2], example[schema.PARTS][:2, :2] / zoom,
                             atol=1e-6)
  assert np.all(out[schema.PARTS][:2, 2] == 1)
  assert not np.array_equal(out[schema.IMAGE], example[schema.IMAGE])


def test_no_crop_when_visible_keypoints_span_the_photo():
  """Keypoints near both left and right borders leave no crop that keeps them: no zoom."""
  example = _dots()
  example[schema.PARTS][2] = (0.97, 0.5, 1)
  out = pipeline.augment(example, _Ends(high=False, flip=False))
  np.testing.assert_array_equal(out[schema.IMAGE], example[schema.IMAGE])
  np.testing.assert_array_equal(out[schema.PARTS], example[schema.PARTS])


def test_augment_keeps_keypoints_on_their_content_and_traits_unchanged():
  """Over many random crops and flips: visible keypoints stay within 1 px of their dot and in
  view (also one 1.5 px from the border), invisible ones stay (0, 0, 0), labels are untouched;
  flips and zooms both occur."""
  example = _dots()
  size = example[schema.IMAGE].shape[0]
  flips = zooms = 0
  for seed in range(100):
    out = pipeline.augment(example, np.random.default_rng(seed))
    image = out[schema.IMAGE].astype(np.float32)
    assert image.shape == (size, size, 3) and out[schema.IMAGE].dtype == np.uint8
    for key in (schema.SPECIES, schema.TRAITS, schema.TRAITS_VISIBLE):
      np.testing.assert_array_equal(out[key], example[key])
    parts = out[schema.PARTS]
    assert parts.dtype == np.float32
    for k, brightness in ((0, image[..., 1]), (1, image[..., 0] - image[..., 1])):
      assert parts[k, 2] == 1  # Both dots are far enough from the border to stay in view.
      row, col = np.unravel_index(np.argmax(brightness), brightness.shape)
      assert np.hypot(parts[k, 0] * size - 0.5 - col, parts[k, 1] * size - 0.5 - row) <= 1.0
    np.testing.assert_array_equal(parts[2], 0)
    flips += parts[0, 0] < parts[1, 0]
    assert parts[3, 2] == 1 and 0 <= parts[3, 0] <= 1
    zooms += not np.isclose(abs(parts[0, 0] - parts[1, 0]), abs(45.5 - 10.5) / size)
  assert 20 < flips < 80
  assert 20 < zooms
  np.testing.assert_array_equal(example[schema.PARTS][0], (45.5 / 64, 20.5 / 64, 1))


# ---- sources and configs -------------------------------------------------------------------


@pytest.mark.parametrize("settings,match", [
    ({"name": "imagenet"}, "unknown dataset 'imagenet'"),
    ({"seed": 0}, "unknown dataset None"),
    ({"name": "synthetic_flora", "num_specie": 20}, r"synthetic flora settings: \['num_specie'\]"),
    ({"name": "cub", "root": "/x", "crop": True}, r"unknown CUB settings: \['crop'\]"),
    ({"name": "cub"}, "data.root"),
])
def test_make_source_refuses_unknown_names_and_keys(settings, match):
  """An unknown dataset or setting raises ValueError naming it."""
  with pytest.raises(ValueError, match=match):
    sources.make_source(settings, "train")


def test_make_source_builds_flora_splits_sharing_one_flora():
  """Splits of one config share the Flora; an unknown split is named."""
  train, test = _flora_source("train"), _flora_source("test")
  assert train.flora is test.flora and train.image_size == 32
  assert (train.split, len(test)) == ("train", 16 * 10)
  with pytest.raises(ValueError, match="'dev'"):
    sources.make_source(SMALL, "dev")


def test_splits_joined_by_plus_read_as_one_source_indexed_across_them():
  test, zeroshot = _flora_source("test"), _flora_source("zeroshot")
  joined = _flora_source("test+zeroshot")
  assert joined.split == "test+zeroshot" and len(joined) == len(test) + len(zeroshot)
  np.testing.assert_array_equal(joined.labels, np.concatenate([test.labels, zeroshot.labels]))
  assert joined.trait_table is test.trait_table
  last = joined[len(joined) - 1]
  np.testing.assert_array_equal(last[schema.IMAGE], zeroshot[len(zeroshot) - 1][schema.IMAGE])
  assert last[schema.INDEX] == len(joined) - 1 and joined[3][schema.INDEX] == 3
  with pytest.raises(IndexError):
    joined[len(joined)]


def test_smoke_config_builds_every_split():
  """configs/default.py:smoke gives a source and an eval batch for every split, and a train
  batch; its flora is the small one it describes."""
  module = conftest.load_config_module("default")
  config = module.get_config("smoke")
  with pytest.raises(ValueError, match="'huge'"):
    module.get_config("huge")
  assert module.get_config().data.num_species == 200
  batch_size = config.input.batch_size
  names = sources.splits(config.data)
  assert names == ("train", "val", "test", "zeroshot")
  for split in names:
    source = sources.make_source(config.data, split)
    assert source.split == split and len(source) > 0
    assert source.flora.config.num_species == config.data.num_species
    schema.check_example(source[0], source.trait_table.num_traits, len(source.part_names))
    batch = next(iter(pipeline.eval_dataset(source, batch_size,
                                            num_workers=config.input.num_workers)))
    _check_batch(batch, batch_size, config.data.image_size, source.trait_table.num_traits,
                 len(source.part_names))
  train = sources.make_source(config.data, "train")
  batch = next(iter(pipeline.train_dataset(train, batch_size, config.seed,
                                           augmentation=config.input.augmentation)))
  assert batch[schema.VALID].all()
