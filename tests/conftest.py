"""Shared test helpers."""

import os
import pathlib

# Tests compile many small programs and run each on tiny shapes: XLA's backend optimisation
# costs more time than it saves there (the fast lane takes a third less). Set before any test
# initialises jax's CPU backend; `python -m traitjax.main` processes that tests start keep
# their own flags (run_main.environment).
os.environ["XLA_FLAGS"] = " ".join(
    [os.environ.get("XLA_FLAGS", ""), "--xla_backend_optimization_level=0"]).strip()

from jax.experimental.compilation_cache import compilation_cache
import pytest

from tests import run_main
from traitjax import config_lib
from traitjax import paths

REPO = pathlib.Path(__file__).resolve().parents[1]
SHARED = pathlib.Path(paths.shared_path())
CUB25 = SHARED / "data" / "cub25"  # Real-data tests skip when it is absent.
EUROSAT = SHARED / "data" / "eurosat"  # So do EuroSAT's.
MINILM = SHARED / "weights" / "all-MiniLM-L6-v2"  # So do the sentence encoder's.


@pytest.fixture(scope="session", autouse=True)
def persistent_compilation_cache(tmp_path_factory):
  """One compilation cache for the whole run: the many smoke trainings of the same configs, in
  this process and in the `python -m traitjax.main` processes tests start, compile each program
  once."""
  path = run_main.compilation_cache_dir(tmp_path_factory)
  compilation_cache.set_cache_dir(str(path))
  os.environ["JAX_COMPILATION_CACHE_DIR"] = str(path)
  return path


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

