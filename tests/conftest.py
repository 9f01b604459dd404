"""Shared test helpers."""

import pathlib

import pytest

from traitjax import config_lib

REPO = pathlib.Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CUB25 = SHARED / "data" / "cub25"  # Real-data tests skip when it is absent.
EUROSAT = SHARED / "data" / "eurosat"  # So do EuroSAT's.
MINILM = SHARED / "weights" / "all-MiniLM-L6-v2"  # So do the sentence encoder's.


@pytest.fixture(scope="session")
def minilm():
  """The all-MiniLM-L6-v2 `TextEncoder`, loaded once for the whole run."""
  if not MINILM.is_dir():
    pytest.skip(f"all-MiniLM-L6-v2 not found at {MINILM}")
  from traitjax.models import text  # pylint: disable=g-import-not-at-top
  return text.TextEncoder(MINILM)


def load_config_module(name: str):
  """The module of configs/<name>.py, as `--config=configs/<name>.py` loads it."""
  return config_lib.load_config_file(REPO / "configs" / f"{name}.py")
