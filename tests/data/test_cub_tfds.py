"""Builds the CUB TFDS dataset from a tiny generated CUB layout and reads it back."""

import sys

import numpy as np
from PIL import Image
import tensorflow_datasets as tfds

from traitjax.data import cub_tfds

# (image id, class id, is_train); class 2 has no images in this layout.
IMAGES = [(1, 1, 1), (2, 1, 0), (3, 3, 1), (4, 3, 1), (5, 3, 0)]


def _write_layout(root):
  """A CUB_200_2011 folder with 5 tiny images of 2 species and attributes.txt beside it."""
  base = root / "CUB_200_2011"
  (base / "parts").mkdir(parents=True)
  (base / "attributes").mkdir()
  classes = [f"{c:03d}.Bird_{c}" for c in range(1, 4)]
  images, labels, split, boxes, locs = [], [], [], [], []
  for image_id, class_id, is_train in IMAGES:
    relative = f"{classes[class_id - 1]}/Bird_{image_id}.jpg"
    (base / "images" / classes[class_id - 1]).mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40 + image_id, 30), (50 * image_id, 0, 0)).save(base / "images" / relative)
    images.append(f"{image_id} {relative}")
    labels.append(f"{image_id} {class_id}")
    split.append(f"{image_id} {is_train}")
    boxes.append(f"{image_id} 2.0 3.0 20.0 10.0")
    locs += [f"{image_id} {p} {p + image_id}.0 {p}.0 {p % 2}" for p in range(1, 16)]
  files = {
      "images.txt": images, "image_class_labels.txt": labels, "train_test_split.txt": split,
      "bounding_boxes.txt": boxes, "parts/part_locs.txt": locs,
      "classes.txt": [f"{i} {name}" for i, name in enumerate(classes, start=1)],
      "parts/parts.txt": [f"{p} part {p}" for p in range(1, 16)],
      "attributes/class_attribute_labels_continuous.txt": [
          " ".join(f"{(c * 7 + t) % 101}.0" for t in range(312)) for c in range(3)],
  }
  for name, lines in files.items():
    (base / name).write_text("\n".join(lines) + "\n")
  (root / "attributes.txt").write_text(
      "".join(f"{t} has_group_{t // 10}::value_{t}\n" for t in range(1, 313)))
  return root


def test_builds_array_record_and_reads_back_without_tensorflow(tmp_path):
  manual_dir = _write_layout(tmp_path / "manual")
  builder = cub_tfds.build(manual_dir, tmp_path / "tfds")
  assert builder.info.splits["train"].num_examples == 3
  assert builder.info.splits["test"].num_examples == 2
  assert list((tmp_path / "tfds").rglob("*.array_record-*"))

  sources = tfds.data_source("cub2011", data_dir=tmp_path / "tfds")
  train = sorted((sources["train"][i] for i in range(3)), key=lambda e: e["image_id"])
  assert [e["image_id"] for e in train] == [1, 3, 4]
  assert [e["species"] for e in train] == [0, 2, 2]
  first = train[0]
  assert first["image"].shape == (30, 41, 3) and first["image"].dtype == np.uint8
  np.testing.assert_allclose(first["image"][..., 0].mean(), 50, atol=3)
  np.testing.assert_allclose(first["traits"][:3], [0.0, 0.01, 0.02], atol=1e-6)
  np.testing.assert_allclose(first["parts"][:2], [[2, 1, 1], [3, 2, 0]])
  np.testing.assert_allclose(first["bbox"], [2, 3, 22, 13])
  test = builder.as_data_source()["test"]
  assert sorted(test[i]["image_id"] for i in range(len(test))) == [2, 5]
  assert "tensorflow" not in sys.modules
