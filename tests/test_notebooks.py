"""The colab/ notebooks: stored without outputs, a first cell that installs traitjax only in
Colab, one cell tagged `parameters` (papermill's convention), and each run end to end with
`small = True` injected after that cell, as a reader would run it."""

import pathlib
import time

import nbformat
from nbclient import NotebookClient
import pytest

from tests import conftest

pytestmark = pytest.mark.slow  # Every notebook runs end to end.

COLAB = conftest.REPO / "colab"
NOTEBOOKS = sorted(COLAB.glob("*.ipynb"))
# What each notebook reads from the shared folder beside the checkout.
NEEDS = {"01_quickstart": (), "02_birds_zero_shot": (conftest.CUB25, conftest.SHARED / "weights"),
         "03_descriptions_to_traits": (conftest.CUB25,),
         "04_part_discovery": (conftest.CUB25, conftest.SHARED / "weights"),
         "05_habitats": (conftest.EUROSAT, conftest.SHARED / "weights")}


def _parameter_cells(notebook) -> list[int]:
  return [i for i, cell in enumerate(notebook.cells)
          if "parameters" in cell.metadata.get("tags", ())]


def test_every_notebook_is_listed_and_linked_from_the_readme():
  assert sorted(p.stem for p in NOTEBOOKS) == sorted(NEEDS)
  readme = (conftest.REPO / "README.md").read_text()
  for path in NOTEBOOKS:
    assert f"blob/main/colab/{path.name}" in readme, f"no Open-in-Colab link to {path.name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_clean_with_one_install_and_one_parameter_cell(path):
  notebook = nbformat.read(path, as_version=4)
  nbformat.validate(notebook)
  code = [cell for cell in notebook.cells if cell.cell_type == "code"]
  for cell in code:
    assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has outputs"
  assert "google.colab" in code[0].source and "setup_colab.py" in code[0].source
  parameters = _parameter_cells(notebook)
  assert len(parameters) == 1, f"{path.name}: {len(parameters)} cells tagged parameters"
  assert "small = False" in notebook.cells[parameters[0]].source.splitlines()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_end_to_end_when_small(path, tmp_path):
  for needed in NEEDS[path.stem]:
    if not pathlib.Path(needed).exists():
      pytest.skip(f"{needed} not found")
  notebook = nbformat.read(path, as_version=4)
  injected = nbformat.v4.new_code_cell(
      f"small = True\nworkdir = {str(tmp_path / 'workdir')!r}")
  notebook.cells.insert(_parameter_cells(notebook)[0] + 1, injected)
  client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                          resources={"metadata": {"path": str(COLAB)}})
  start = time.perf_counter()
  client.execute()  # A failing cell raises CellExecutionError with its traceback.
  print(f"{path.name} ran in {time.perf_counter() - start:.0f} s")
  images = [output for cell in notebook.cells for output in cell.get("outputs", [])
            if "image/png" in output.get("data", {})]
  assert images, f"{path.name} showed no figure"
