"""Config blocks shared by the files in configs/ (each file stays one experiment)."""

import ml_collections


def input_config(batch_size: int, num_workers: int = 2) -> ml_collections.ConfigDict:
  """The grain pipeline: global batch size, worker processes, threads, prefetch, augmentation."""
  return ml_collections.ConfigDict({
      "batch_size": batch_size, "num_workers": num_workers, "num_threads": 1, "prefetch": 4,
      "augmentation": True})


def preview_config(num_images: int) -> ml_collections.ConfigDict:
  """What `python -m traitjax.data.preview` shows."""
  return ml_collections.ConfigDict({"split": "train", "num_images": num_images})
