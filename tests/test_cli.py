"""The command-line plumbing (traitjax.cli): one-line errors for bad flags, and flags defined by
the commands alone."""

import os
import pkgutil
import subprocess
import sys

import pytest

import traitjax
from tests import conftest

COMMANDS = ("traitjax.main", "traitjax.describe", "traitjax.plot_metrics", "traitjax.sweep",
            "traitjax.data.flora_files", "traitjax.data.preview")


@pytest.mark.parametrize("module", ["traitjax.main", "traitjax.sweep"])
def test_a_mistyped_override_stops_at_start_with_one_line(module, tmp_path):
  result = subprocess.run(
      [sys.executable, "-m", module, "--config=configs/noise_sweep.py", "--config.sweep.nme=x",
       f"--workdir={tmp_path}"], cwd=conftest.REPO, capture_output=True, text=True, timeout=120)
  assert result.returncode != 0
  assert result.stderr.strip().splitlines()[-1].startswith("traitjax: bad flag or config:")
  assert 'Did you mean "name"' in result.stderr
  assert not os.listdir(tmp_path)


def test_importing_the_library_defines_no_flag():
  """Every module but the commands imports without defining a flag (in a fresh process, where no
  test has imported a command; flags of the libraries traitjax uses do not count)."""
  library = sorted(
      module.name for module in pkgutil.walk_packages(traitjax.__path__, "traitjax.")
      if module.name not in COMMANDS)
  assert {"traitjax.cli", "traitjax.grid", "traitjax.plots", "traitjax.language.tables",
          "traitjax.data.summary", "traitjax.data.synthetic"} <= set(library)
  script = (
      "import importlib, sys\n"
      "from absl import flags\n"
      "for name in sys.argv[1:]:\n"
      "  importlib.import_module(name)\n"
      "print({module: sorted(flag.name for flag in defined)\n"
      "       for module, defined in flags.FLAGS.flags_by_module_dict().items()\n"
      "       if module.split('.')[0] == 'traitjax'})\n")
  result = subprocess.run([sys.executable, "-c", script, *library], cwd=conftest.REPO,
                          capture_output=True, text=True, timeout=300)
  assert result.returncode == 0, result.stderr
  assert result.stdout.strip().splitlines()[-1] == "{}"
