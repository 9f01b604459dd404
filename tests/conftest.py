"""Shared test helpers."""

import pathlib

from traitjax import config_lib

REPO = pathlib.Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CUB25 = SHARED / "data" / "cub25"  # Real-data tests skip when it is absent.


def load_config_module(name: str):
  """The module of configs/<name>.py, as `--config=configs/<name>.py` loads it."""
  return config_lib.load_config_file(REPO / "configs" / f"{name}.py")
