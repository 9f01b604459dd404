"""Flags of the benchmarks that read CUB photos with ImageNet EfficientNet-Lite0 (imported by
the scripts beside it, which Python runs with this folder on its path)."""

from absl import flags

from traitjax import paths

CUB_ROOT = flags.DEFINE_string("cub_root", paths.shared_path("data", "cub25"),
                               "Folder holding CUB_200_2011/.")
WEIGHTS = flags.DEFINE_string(
    "weights", paths.shared_path("weights", "efficientnet_lite0_imagenet.safetensors"),
    "EfficientNet-Lite0 ImageNet weights (EfficientNet-PyTorch layout).")
