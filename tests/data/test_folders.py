"""Tests for traitjax.data.folders: what the folder datasets share, on lists made up here (the
datasets themselves are tested in test_eurosat.py and test_leafsnap_guide.py)."""

import operator

import numpy as np
import pytest

from traitjax.data import folders


def test_test_root_items_follow_the_root_s_and_repeats_are_left_out():
  listed = {"a": [("r/a/1.jpg", "leaf"), ("r/a/2.jpg", "bark")], "b": [("r/b/1.jpg", "leaf")]}
  test_listed = {"a": [("t/a/2.jpg", "bark"), ("t/a/3.jpg", "leaf")]}
  items, labels, from_test_root, repeated = folders.merge_test_root(
      ("a", "b"), listed, test_listed, file=operator.itemgetter(0))
  assert [path for path, _ in items] == ["r/a/1.jpg", "r/a/2.jpg", "t/a/3.jpg", "r/b/1.jpg"]
  assert labels.dtype == np.int32 and labels.tolist() == [0, 0, 0, 1]
  assert from_test_root.tolist() == [False, False, True, False] and repeated == 1
  with pytest.raises(ValueError, match=r"^test_fraction must lie in \[0, 1\), got 1.0$"):
    folders.check_fractions(0.0, 1.0)


class _Halves(folders.FolderDataset):
  """Species 0 and 1 seen, 2 held out; each seen species' root photos in order, its first
  `test_fraction` test and the next `val_fraction` val."""

  def __init__(self, from_test_root, val_fraction, test_fraction, with_test_root):
    self.species_names = ("a", "b", "c")
    self.seen_species = np.array([True, True, False])
    self.labels = np.repeat(np.arange(3, dtype=np.int32), 4)
    self.image_paths = [f"{i}.jpg" for i in range(len(self.labels))]
    self.from_test_root = np.asarray(from_test_root, bool)
    self._split(val_fraction, test_fraction, 0, with_test_root)

  def _shuffled_shares(self, name, examples, val_fraction, test_fraction, seed):
    num_test = int(test_fraction * len(examples))
    return [(examples, num_test, int(val_fraction * (len(examples) - num_test)))]


def test_the_splits_are_cut_from_each_species_shares():
  dataset = _Halves([False] * 12, 0.5, 0.5, with_test_root=False)
  assert {s: dataset.split_indices(s).tolist() for s in ("train", "val", "test", "zeroshot")} \
      == {"train": [3, 7], "val": [2, 6], "test": [0, 1, 4, 5], "zeroshot": [8, 9, 10, 11]}
  np.testing.assert_array_equal(dataset.species_train_counts, [1, 1, 0])
  assert len(dataset) == 12 and dataset.num_species == 3 and dataset.part_names == ()
  assert dataset.split_indices("all").tolist() == list(range(12))
  # With a test_root, its photos of the seen species are test, even with test_fraction 0.
  with_root = _Halves([False, False, True, True] * 3, 0.0, 0.0, with_test_root=True)
  assert with_root.split_indices("test").tolist() == [2, 3, 6, 7]
  assert with_root.split_indices("train").tolist() == [0, 1, 4, 5]
  for split, message in (("tset", r"unknown split 'tset'; valid splits: train, val, test"),
                         ("val", "split 'val' is empty: the dataset was built with "
                                 "val_fraction=0")):
    with pytest.raises(ValueError, match=message):
      with_root.split_indices(split)
  with pytest.raises(ValueError, match="test_fraction=0 and no test_root"):
    _Halves([False] * 12, 0.0, 0.0, with_test_root=False).split_indices("test")
