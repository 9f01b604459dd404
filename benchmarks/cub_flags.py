"""Flags of the benchmarks that read CUB photos with ImageNet EfficientNet-Lite0 (imported by
the scripts beside it, which Python runs with this folder on its path)."""

import pathlib

from absl import flags

SHARED = pathlib.Path(__file__).resolve().parents[1].parent / "shared"
CUB_ROOT = flags.DEFINE_string("cub_root", str(SHARED / "data" / "cub25"),
                               "Folder holding CUB_200_2011/.")
WEIGHTS = flags.DEFINE_string(
    "weights", str(SHARED / "weights" / "efficientnet_lite0_imagenet.safetensors"),
    "EfficientNet-Lite0 ImageNet weights (EfficientNet-PyTorch layout).")
