"""CUB-200-2011 as a TFDS builder writing array_record files (no TensorFlow needed).

The manual dir is the extracted tarball folder (``CUB_200_2011/`` with ``attributes.txt``
beside it), parsed by `cub.CubDataset`. Images keep their original JPEG bytes; keypoints and
boxes stay in original pixels, as in the official files. Read back with
``tfds.data_source("cub2011", data_dir=...)`` or ``builder.as_data_source()``.
"""

from __future__ import annotations

import os

import numpy as np
import tensorflow_datasets as tfds

from traitjax.data import cub

NUM_CLASSES = 200
NUM_TRAITS = 312
NUM_PARTS = 15


class Cub2011(tfds.core.GeneratorBasedBuilder):
  """Official train/test splits of the species present in the manual dir.

  Features: image (JPEG), species (official class id - 1), traits float32 [312] (the species'
  continuous attribute percentages / 100), parts float32 [15, 3] (x, y, visible in pixels),
  bbox float32 [4] (x0, y0, x1, y1 in pixels), image_id (official id).
  """

  VERSION = tfds.core.Version("1.0.0")
  MANUAL_DOWNLOAD_INSTRUCTIONS = (
      "Extract CUB_200_2011.tgz and pass its folder (holding CUB_200_2011/ and attributes.txt) "
      "as the manual dir.")

  def _info(self) -> tfds.core.DatasetInfo:
    return tfds.core.DatasetInfo(
        builder=self,
        description="Caltech-UCSD Birds-200-2011 with species-level attribute percentages.",
        features=tfds.features.FeaturesDict({
            "image": tfds.features.Image(shape=(None, None, 3), encoding_format="jpeg"),
            "species": tfds.features.ClassLabel(num_classes=NUM_CLASSES),
            "traits": tfds.features.Tensor(shape=(NUM_TRAITS,), dtype=np.float32),
            "parts": tfds.features.Tensor(shape=(NUM_PARTS, 3), dtype=np.float32),
            "bbox": tfds.features.Tensor(shape=(4,), dtype=np.float32),
            "image_id": np.int64,
        }),
        supervised_keys=("image", "species"),
        homepage="https://www.vision.caltech.edu/datasets/cub_200_2011/",
    )

  def _split_generators(self, dl_manager: tfds.download.DownloadManager):
    dataset = cub.CubDataset(os.fspath(dl_manager.manual_dir))
    return {split: self._generate_examples(dataset, split) for split in ("train", "test")}

  def _generate_examples(self, dataset: cub.CubDataset, split: str):
    for example in dataset.split_indices(split):
      species = dataset.labels[example]
      yield int(dataset.image_ids[example]), {
          "image": dataset.image_path(example),
          "species": dataset.class_ids[species] - 1,
          "traits": dataset.trait_table.values[species],
          "parts": dataset.parts[example],
          "bbox": dataset.boxes[example],
          "image_id": int(dataset.image_ids[example]),
      }


def build(manual_dir: str | os.PathLike, data_dir: str | os.PathLike) -> Cub2011:
  """Writes the array_record files under `data_dir` (once) and returns the builder."""
  builder = Cub2011(data_dir=os.fspath(data_dir), file_format="array_record")
  builder.download_and_prepare(
      download_config=tfds.download.DownloadConfig(manual_dir=os.fspath(manual_dir)))
  return builder
