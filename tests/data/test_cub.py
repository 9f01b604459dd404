"""Tests for traitjax.data.cub on the real cub25 subset (skipped when it is absent)."""

import collections
import logging
import os
import pathlib
import pickle
import shutil

import numpy as np
from PIL import Image
import pytest

from traitjax.data import cub
from traitjax.data import pipeline
from traitjax.data import schema
from tests import conftest

CUB_ROOT = conftest.CUB25
BASE = CUB_ROOT / "CUB_200_2011"


@pytest.fixture(scope="module")
def root():
  if not (BASE / "images.txt").is_file():
    pytest.skip(f"CUB data not found at {CUB_ROOT}")
  return CUB_ROOT


@pytest.fixture(scope="module")
def dataset(root):
  return cub.CubDataset(root)


def _rows(name):
  """The lines of an annotation file, split on whitespace."""
  return [line.split() for line in (BASE / name).read_text().splitlines() if line.strip()]


def _class_of_image():
  return {int(i): int(c) for i, c in _rows("image_class_labels.txt")}


def test_counts_and_names(dataset):
  assert len(dataset) == 1402
  assert dataset.num_species == 25 and dataset.class_ids == tuple(range(1, 26))
  assert dataset.species_names[0] == "001.Black_footed_Albatross"
  assert dataset.species_names[-1] == "025.Pelagic_Cormorant"
  table = dataset.trait_table
  assert table.values.shape == (25, 312)
  assert table.traits[1] == "has_bill_shape::dagger"
  assert table.groups[1] == "has_bill_shape" and len(table.group_names()) == 28
  assert len(dataset.part_names) == 15
  assert dataset.part_names[:2] == ("back", "beak") and dataset.part_names[6] == "left eye"
  assert np.all((table.values >= 0) & (table.values <= 1)) and table.values.max() > 0.9


def test_trait_values_are_the_continuous_table_over_100(dataset, root):
  raw = np.array(_rows("attributes/class_attribute_labels_continuous.txt"), np.float64)
  np.testing.assert_allclose(dataset.trait_table.values, raw[:25] / 100, atol=1e-6)
  binary = cub.CubDataset(root, trait_threshold=0.3).trait_table.values
  np.testing.assert_array_equal(binary, (raw[:25] / 100 >= 0.3).astype(np.float32))
  with pytest.raises(ValueError, match="percent"):
    cub.CubDataset(root, trait_threshold=30)


def test_official_splits(dataset):
  is_train = {int(i): int(t) for i, t in _rows("train_test_split.txt")}
  train = dataset.split_indices("train")
  test = dataset.split_indices("test")
  assert len(train) == sum(is_train.values())
  assert len(test) == len(is_train) - sum(is_train.values())
  assert len(train) + len(test) == len(dataset.split_indices("all")) == 1402
  assert all(is_train[i] == 1 for i in dataset.image_ids[train])
  assert len(dataset.split_indices("zeroshot")) == 0
  np.testing.assert_array_equal(dataset.species_train_counts,
                                np.bincount(dataset.labels[train], minlength=25))
  with pytest.raises(ValueError, match="train, val, test, zeroshot, all"):
    dataset.split_indices("valid")
  with pytest.raises(ValueError, match="val_fraction"):
    dataset.split_indices("val")


def test_heldout_species_and_validation_share(root):
  heldout = (2, 5)
  dataset = cub.CubDataset(root, heldout_species=heldout, val_fraction=0.2, seed=3)
  splits = {s: dataset.split_indices(s) for s in ("train", "val", "test", "zeroshot")}
  joined = np.concatenate(list(splits.values()))
  assert len(joined) == len(np.unique(joined)) == 1402
  heldout_rows = [dataset.class_ids.index(c) for c in heldout]
  assert not dataset.seen_species[heldout_rows].any() and dataset.seen_species.sum() == 23
  for split in ("train", "val", "test"):
    assert not np.isin(dataset.labels[splits[split]], heldout_rows).any()
  classes = _class_of_image()
  assert len(splits["zeroshot"]) == sum(c in heldout for c in classes.values())
  assert set(dataset.labels[splits["zeroshot"]]) == set(heldout_rows)
  assert dataset.species_train_counts[heldout_rows].tolist() == [0, 0]
  official = cub.CubDataset(root, heldout_species=heldout).split_indices("train")
  assert len(splits["train"]) + len(splits["val"]) == len(official)
  per_species = np.bincount(dataset.labels[official], minlength=25)
  np.testing.assert_array_equal(np.bincount(dataset.labels[splits["val"]], minlength=25),
                                np.round(0.2 * per_species))
  same = cub.CubDataset(root, heldout_species=heldout, val_fraction=0.2, seed=3)
  np.testing.assert_array_equal(same.split_indices("val"), splits["val"])
  other = cub.CubDataset(root, heldout_species=heldout, val_fraction=0.2, seed=4)
  assert not np.array_equal(other.split_indices("val"), splits["val"])
  with pytest.raises(ValueError, match=r"\[30\]"):
    cub.CubDataset(root, species=(1, 2), heldout_species=(30,))


def test_species_subset(root, dataset):
  subset = cub.CubDataset(root, species=(10, 1, 3))
  assert subset.class_ids == (1, 3, 10)
  assert subset.species_names == ("001.Black_footed_Albatross", "003.Sooty_Albatross",
                                  "010.Red_winged_Blackbird")
  np.testing.assert_array_equal(subset.trait_table.values, dataset.trait_table.values[[0, 2, 9]])
  classes = _class_of_image()
  assert len(subset) == sum(c in (1, 3, 10) for c in classes.values())
  np.testing.assert_array_equal(np.array(subset.class_ids)[subset.labels],
                                [classes[i] for i in subset.image_ids])
  with pytest.raises(ValueError, match=r"\[40\] have no images"):
    cub.CubDataset(root, species=(1, 40))


def test_source_examples_follow_the_contract(dataset):
  source = cub.CubSource(dataset, "test", image_size=96)
  np.testing.assert_array_equal(source.labels, dataset.labels[dataset.split_indices("test")])
  for index in (0, len(source) - 1):
    example = source[index]
    schema.check_example(example, num_traits=312, num_parts=15)
    assert example["image"].shape == (96, 96, 3)
    assert example["valid"] and example["index"] == index
    np.testing.assert_array_equal(example["traits"],
                                  dataset.trait_table.values[source.labels[index]])
    assert np.isnan(example["traits_visible"]).all()
    assert example["degradation"] == -1 and np.isnan(example["degradation_strength"])
  restored = pickle.loads(pickle.dumps(source))
  np.testing.assert_array_equal(restored[3]["image"], source[3]["image"])
  with pytest.raises(IndexError):
    source[len(source)]


def test_keypoints_against_raw_annotations(dataset):
  image_id = 1
  example = int(np.flatnonzero(dataset.image_ids == image_id)[0])
  part_rows = [r for r in _rows("parts/part_locs.txt") if int(r[0]) == image_id]
  beak = next(r for r in part_rows if int(r[1]) == 2)
  x, y = float(beak[2]), float(beak[3])
  assert int(beak[4]) == 1
  box_x, box_y, box_w, box_h = (float(v) for v in _rows("bounding_boxes.txt")[image_id - 1][1:])
  with Image.open(dataset.image_path(example)) as image:
    width, height = image.size

  split = "train" if dataset.is_official_train[example] else "test"
  position = int(np.flatnonzero(dataset.split_indices(split) == example)[0])
  whole = cub.CubSource(dataset, split, image_size=64)[position]["parts"]
  np.testing.assert_allclose(whole[1], (x / width, y / height, 1.0), atol=1e-5)

  margin = 0.1
  x0 = max(0.0, box_x - margin * box_w)
  y0 = max(0.0, box_y - margin * box_h)
  x1 = min(width, box_x + box_w + margin * box_w)
  y1 = min(height, box_y + box_h + margin * box_h)
  cropped = cub.CubSource(dataset, split, 64, crop_to_bbox=True, bbox_margin=margin)[position]
  np.testing.assert_allclose(cropped["parts"][1], ((x - x0) / (x1 - x0), (y - y0) / (y1 - y0),
                                                   1.0), atol=1e-5)
  raw_visible = {int(r[1]) - 1 for r in part_rows if int(r[4]) == 1}
  assert {int(i) for i in np.flatnonzero(whole[:, 2])} == raw_visible
  for parts in (whole, cropped["parts"]):
    assert np.all((parts[:, :2] >= 0) & (parts[:, :2] <= 1))
    np.testing.assert_array_equal(parts[parts[:, 2] == 0], 0.0)


def _copy_layout(root, destination, num_images=None):
  """The annotation files copied and the first `num_images` listed images (default all)
  symlinked, so the shared data is never written."""
  base = destination / "CUB_200_2011"
  for name in ("images.txt", "image_class_labels.txt", "train_test_split.txt",
               "bounding_boxes.txt", "classes.txt", "parts", "attributes"):
    source = root / "CUB_200_2011" / name
    if source.is_dir():
      shutil.copytree(source, base / name)
    else:
      base.mkdir(parents=True, exist_ok=True)
      shutil.copy(source, base / name)
  shutil.copy(root / "attributes.txt", destination / "attributes.txt")
  for _, relative in _rows("images.txt")[:num_images]:
    link = base / "images" / relative
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(root / "CUB_200_2011" / "images" / relative)
  return destination


def copy_species(root, destination, class_ids):
  """A CUB root of the species `class_ids` of `root` alone: `_copy_layout` with every
  per-image annotation cut to their images (and only those linked)."""
  _copy_layout(root, destination, num_images=0)
  kept = {str(i) for i, c in _class_of_image().items() if c in class_ids}
  base = destination / "CUB_200_2011"
  for name in ("images.txt", "image_class_labels.txt", "train_test_split.txt",
               "bounding_boxes.txt", "parts/part_locs.txt"):
    lines = (BASE / name).read_text().splitlines()
    (base / name).write_text("".join(f"{line}\n" for line in lines
                                     if line.split() and line.split()[0] in kept))
  for image_id, relative in _rows("images.txt"):
    if image_id in kept:
      link = base / "images" / relative
      link.parent.mkdir(parents=True, exist_ok=True)
      link.symlink_to(root / "CUB_200_2011" / "images" / relative)
  return destination


def test_keypoint_outside_the_crop_becomes_invisible(root, tmp_path):
  copy = _copy_layout(root, tmp_path, num_images=60)
  boxes = copy / "CUB_200_2011" / "bounding_boxes.txt"
  lines = boxes.read_text().splitlines()
  assert lines[0] == "1 60.0 27.0 325.0 304.0"
  lines[0] = "1 60.0 27.0 100.0 304.0"  # x0 + w = 160: the beak falls outside.
  boxes.write_text("\n".join(lines) + "\n")
  dataset = cub.CubDataset(copy, species=(1,))
  cropped = cub.CubSource(dataset, "all", image_size=32, crop_to_bbox=True, bbox_margin=0.0)[0]
  assert cropped["parts"][1].tolist() == [0.0, 0.0, 0.0]  # beak at (312, 182)
  np.testing.assert_allclose(cropped["parts"][9], ((100 - 60) / 100, (221 - 27) / 304, 1.0),
                             atol=1e-6)  # nape at (100, 221)
  assert cub.CubSource(dataset, "all", image_size=32)[0]["parts"][1, 2] == 1.0


def _replace(dataset, example, write):
  """Replaces one image link by a file written by `write(path)`."""
  path = pathlib.Path(dataset.image_path(example))
  path.unlink()
  write(path)


def test_damaged_files_are_counted_not_lost(root, tmp_path, caplog):
  copy = cub.CubDataset(_copy_layout(root, tmp_path), species=(1,))
  assert len(copy) == 60
  first_image = pathlib.Path(copy.image_path(0))

  def truncated(path):
    path.write_bytes(first_image.read_bytes()[:2000])

  def grayscale(path):
    Image.new("L", (300, 200), 90).save(path)

  def cmyk(path):
    Image.new("CMYK", (300, 200), (0, 255, 255, 0)).save(path)

  def huge(path):  # 240M pixels: beyond PIL's decompression-bomb limit.
    Image.new("L", (20000, 12000), 200).save(path, quality=10)

  writers = {3: truncated, 5: lambda path: path.write_text("not a JPEG"), 7: grayscale,
             9: cmyk, 11: huge}
  for example, write in writers.items():
    _replace(copy, example, write)
  source = cub.CubSource(cub.CubDataset(tmp_path, species=(1,)), "all", image_size=64)

  for example in (7, 9, 11):
    item = source[example]
    assert item["valid"] and item["image"].shape == (64, 64, 3)
  assert np.abs(source[7]["image"].astype(int) - 90).max() <= 2
  assert source[9]["image"][..., 0].mean() > 200 and source[9]["image"][..., 1].mean() < 50
  assert np.abs(source[11]["image"].astype(int) - 200).max() <= 2

  with caplog.at_level(logging.WARNING):
    bad = source[3]
    source[3]
  assert not bad["valid"] and not bad["image"].any() and not bad["parts"].any()
  assert bad["species"] == source.labels[3] and bad["index"] == 3
  schema.check_example(bad, num_traits=312, num_parts=15)
  assert sum(str(copy.image_path(3)) in r.getMessage() for r in caplog.records) == 1

  counts = collections.Counter()
  seen, skipped = [], []
  for batch in pipeline.eval_dataset(source, global_batch_size=16):
    counts.update(pipeline.example_counts(batch))
    real = batch["index"] >= 0
    seen += batch["index"][real].tolist()
    skipped += batch["index"][real & ~batch["valid"]].tolist()
  assert counts == {"num_examples": 58, "num_skipped": 2}
  assert sorted(seen) == list(range(60)) and sorted(skipped) == [3, 5]


def test_missing_files_are_named(root, tmp_path):
  with pytest.raises(FileNotFoundError, match="nowhere"):
    cub.CubDataset(tmp_path / "nowhere")

  annotations_only = _copy_layout(root, tmp_path / "annotations", num_images=0)
  boxes = annotations_only / "CUB_200_2011" / "bounding_boxes.txt"
  boxes.unlink()
  with pytest.raises(FileNotFoundError, match=str(boxes)):
    cub.CubDataset(annotations_only)

  names = tmp_path / "names"
  _copy_layout(root, names, num_images=0)
  (names / "attributes.txt").unlink()
  with pytest.raises(FileNotFoundError, match="attributes.txt"):
    cub.CubDataset(names)

  full = _copy_layout(root, tmp_path / "full")
  gone = pathlib.Path(cub.CubDataset(full, species=(4,)).image_path(10))
  gone.unlink()
  with pytest.raises(FileNotFoundError, match=f"1 of 1402 .*{gone}"):
    cub.CubDataset(full)


def test_root_may_be_the_cub_folder(root, tmp_path):
  inner = cub.CubDataset(root / "CUB_200_2011", species=(1,))
  assert len(inner) == 60
  copy = _copy_layout(root, tmp_path, num_images=60)
  os.replace(copy / "attributes.txt", copy / "CUB_200_2011" / "attributes.txt")
  moved = cub.CubDataset(copy / "CUB_200_2011", species=(1,))
  assert moved.trait_table.traits == inner.trait_table.traits


def test_species_by_position_name_the_first_species_of_any_root(root):
  """"A:B" picks species by their position among those under the root, so a smoke config fits
  any CUB root; held-out positions count among the chosen species."""
  dataset = cub.CubDataset(root, species="0:4", heldout_species="3:4")
  assert dataset.class_ids == (1, 2, 3, 4)
  assert dataset.seen_species.tolist() == [True, True, True, False]
  assert cub.CubDataset(root, species="4:7").class_ids == (5, 6, 7)
  for bad, message in (("0:400", r"positions beyond the 25 species"),
                       ("first four", r"class ids or positions 'A:B'")):
    with pytest.raises(ValueError, match=message):
      cub.CubDataset(root, species=bad)


def test_species_table_without_images(root, dataset):
  every = cub.read_species_table(root)
  assert every.values.shape == (200, 312)
  with_photos = cub.read_species_table(root, with_images=True)
  assert with_photos.species == dataset.species_names
  np.testing.assert_allclose(with_photos.values, dataset.trait_table.values, atol=1e-6)


def test_label_table_labels_train_and_val_photos_only(root, dataset, tmp_path):
  from traitjax.data import sources  # pylint: disable=g-import-not-at-top
  table = dataset.trait_table.rows(range(4))
  parsed = schema.TraitTable(np.full((4, 312), 0.25, np.float32),
                             species=tuple(name.split(".", 1)[1].replace("_", " ")
                                           for name in table.species), traits=table.traits)
  parsed.to_csv(tmp_path / "parsed.csv")
  data = {"name": "cub", "root": str(root), "species": "0:4", "val_fraction": 0.2,
          "label_table": str(tmp_path / "parsed.csv")}
  for split, expected in (("train", 0.25), ("val", 0.25)):
    source = sources.make_source(data, split)
    np.testing.assert_allclose(source[0][schema.TRAITS], expected)
  test = sources.make_source(data, "test")
  np.testing.assert_allclose(test[0][schema.TRAITS], table.values[test.labels[0]], atol=1e-6)
  (tmp_path / "short.csv").write_text(
      "species," + ",".join(table.traits) + "\n001.Black_footed_Albatross" + ",0" * 312 + "\n")
  with pytest.raises(ValueError, match="no row for 3 species"):
    sources.make_source(dict(data, label_table=str(tmp_path / "short.csv")), "train")
