"""The notebooks' install cell, run as Colab would run it: in a fresh virtual environment whose
preinstalled packages (this environment's, jax among them) play Colab's, with the Colab check
forced on (TRAITJAX_COLAB=1), traitjax cloned from this checkout and every download read from a
local mirror (TRAITJAX_COLAB_MIRROR)."""

import ast
import json
import os
import pathlib
import subprocess
import sys
import sysconfig
import tarfile

import nbformat
import pytest

from tests import conftest
from tests import test_eurosat_sample

pytestmark = pytest.mark.slow  # A virtual environment, a clone and pip.

NOTEBOOKS = sorted((conftest.REPO / "colab").glob("*.ipynb"))
sys.path.insert(0, str(conftest.REPO / "colab"))
import setup_colab  # pylint: disable=g-import-not-at-top,wrong-import-position


def _install_cell(path: pathlib.Path) -> str:
  return nbformat.read(path, as_version=4).cells[1].source


def _needs(path: pathlib.Path) -> list[str]:
  """The inputs a notebook's install cell asks setup_colab.py for: the rest of the list
  `[sys.executable, <setup_colab.py>, ...]`."""
  command, = [node for node in ast.walk(ast.parse(_install_cell(path)))
              if isinstance(node, ast.List) and len(node.elts) >= 2
              and "setup_colab.py" in ast.unparse(node.elts[1])]
  return [ast.literal_eval(element) for element in command.elts[2:]]


def test_every_install_cell_asks_for_known_inputs_only():
  needs = {path.stem: _needs(path) for path in NOTEBOOKS}
  assert needs["01_quickstart"] == []
  assert needs["02_birds_zero_shot"] == ["cub", "efficientnet", "encoder"]
  for names in needs.values():
    assert set(names) <= set(setup_colab.FETCHERS)


def _mirror(folder: pathlib.Path) -> pathlib.Path:
  """Local stand-ins of every download: CUB's tgz, EuroSAT's zip (official layout), the
  converted backbone and the encoder's files (contents are only copied, never read)."""
  folder.mkdir()
  cub = folder / "cub"
  (cub / "CUB_200_2011").mkdir(parents=True)
  (cub / "CUB_200_2011" / "images.txt").write_text("1 001.Black_footed_Albatross/a.jpg\n")
  (cub / "attributes.txt").write_text("1 has_bill_shape::curved\n")
  with tarfile.open(folder / "CUB_200_2011.tgz", "w:gz") as tar:
    for item in cub.iterdir():
      tar.add(item, arcname=item.name)
  test_eurosat_sample._official_zip(folder / "EuroSAT_RGB.zip")
  (folder / "efficientnet_lite0_imagenet.safetensors").write_bytes(b"backbone")
  for name in setup_colab.ENCODER_FILES:
    (folder / name).write_text(name)
  return folder


def test_the_install_cell_installs_traitjax_beside_the_runtimes_jax_and_fetches_inputs(tmp_path):
  venv = tmp_path / "venv"
  subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
  python = venv / "bin" / "python"
  site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                        capture_output=True, text=True, check=True).stdout.strip()
  # The runtime's preinstalled packages: this environment's, seen by the fresh one.
  pathlib.Path(site, "runtime_packages.pth").write_text(sysconfig.get_path("purelib") + "\n")
  env = {**os.environ, "TRAITJAX_COLAB": "1", "TRAITJAX_HOME": str(tmp_path / "traitjax"),
         "TRAITJAX_REPO": conftest.REPO.as_uri(),
         "TRAITJAX_COLAB_MIRROR": str(_mirror(tmp_path / "mirror"))}
  env.pop("TRAITJAX_SHARED", None)
  for path in (conftest.REPO / "colab" / "02_birds_zero_shot.ipynb",
               conftest.REPO / "colab" / "05_habitats.ipynb"):
    result = subprocess.run([python, "-c", _install_cell(path)], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
  where = json.loads(subprocess.run(
      [python, "-c", "import json, jax, traitjax; "
                     "print(json.dumps([traitjax.__file__, jax.__file__, jax.__version__]))"],
      env={**env, "TRAITJAX_COLAB": ""}, cwd=tmp_path / "mirror", capture_output=True, text=True,
      check=True).stdout)
  assert where[0] == str(tmp_path / "traitjax" / "traitjax" / "__init__.py")
  assert pathlib.Path(where[1]).is_relative_to(sysconfig.get_path("purelib"))  # Kept, not replaced.
  assert not list(pathlib.Path(site).glob("jax*"))
  shared = tmp_path / "shared"
  assert (shared / "data" / "cub25" / "CUB_200_2011" / "images.txt").is_file()
  assert (shared / "data" / "cub25" / "attributes.txt").is_file()
  assert len(list((shared / "data" / "eurosat" / "EuroSAT_RGB").rglob("*.jpg"))) == 12_000
  assert (shared / "weights" / "efficientnet_lite0_imagenet.safetensors").read_bytes() \
      == b"backbone"
  assert sorted(p.name for p in (shared / "weights" / "all-MiniLM-L6-v2").iterdir()) \
      == sorted(setup_colab.ENCODER_FILES)
