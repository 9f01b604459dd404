"""The architecture holds: pyproject.toml's import-linter contracts (commands above the library,
the library in layers, datasets and evaluator types independent) are kept, and an import that
runs back up a layer breaks them, naming the import."""

import os
import pkgutil
import shutil
import subprocess
import sys
import tomllib

from importlinter import configuration
from importlinter.application import use_cases
import pytest

from tests import conftest
import traitjax

PYPROJECT = str(conftest.REPO / "pyproject.toml")


def test_the_import_contracts_are_kept(capsys):
  configuration.configure()  # What the lint-imports command does first.
  kept = use_cases.lint_imports(config_filename=PYPROJECT, cache_dir=None, no_logo=True)
  report = capsys.readouterr().out
  assert kept, report
  assert "4 kept, 0 broken" in report


def test_every_module_of_traitjax_has_a_layer():
  with open(PYPROJECT, "rb") as f:
    contracts = tomllib.load(f)["tool"]["importlinter"]["contracts"]
  layered = {name.strip() for line in contracts[0]["layers"]
             for name in line.replace(":", "|").split("|")}
  modules = {f"traitjax.{info.name}" for info in pkgutil.iter_modules(traitjax.__path__)}
  assert modules == layered


@pytest.mark.slow
def test_an_import_back_up_a_layer_breaks_a_contract_naming_it(tmp_path):
  """A copy of the package where the batch contract imports the trainer."""
  shutil.copytree(conftest.REPO / "traitjax", tmp_path / "traitjax",
                  ignore=shutil.ignore_patterns("__pycache__"))
  shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")
  schema = tmp_path / "traitjax" / "data" / "schema.py"
  schema.write_text(schema.read_text() + "\nfrom traitjax import train  # Back up the layers.\n")
  env = {**os.environ, "PYTHONPATH": str(tmp_path)}
  result = subprocess.run(
      [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
       "sys.exit(lint_imports_command())", "--no-cache"],
      cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
  assert result.returncode == 1, result.stdout + result.stderr
  assert "Commands above the library, and the library in layers BROKEN" in result.stdout
  assert "traitjax.data.schema -> traitjax.train" in result.stdout
