"""Where traitjax finds the shared folder and its own data files (traitjax.paths)."""

import os

from traitjax import paths


def test_shared_paths_follow_the_environment_variable(monkeypatch, tmp_path):
  monkeypatch.setenv(paths.SHARED_ENVIRONMENT_VARIABLE, str(tmp_path))
  assert paths.shared_path("data", "cub25") == os.path.join(tmp_path, "data", "cub25")
  monkeypatch.delenv(paths.SHARED_ENVIRONMENT_VARIABLE)
  assert paths.shared_path("weights") == str(paths.REPO.parent / "shared" / "weights")


def test_repo_paths_are_the_checkouts_files():
  assert os.path.isfile(paths.repo_path("data", "traits", "eurosat.txt"))
  assert paths.repo_path("configs") == os.path.join(os.path.dirname(os.path.dirname(
      os.path.abspath(paths.__file__))), "configs")
