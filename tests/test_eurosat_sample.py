"""The EuroSAT sample command on a tree the test writes in the official archive's layout."""

import os
import pathlib
import zipfile

import pytest

from traitjax import eurosat_sample
from traitjax import paths

# The official EuroSAT_RGB.zip: tiles per class, numbered from 1 (27,000 in all).
OFFICIAL_TILES = {"AnnualCrop": 3000, "Forest": 3000, "HerbaceousVegetation": 3000,
                  "Highway": 2500, "Industrial": 2500, "Pasture": 2000, "PermanentCrop": 2500,
                  "Residential": 3000, "River": 2500, "SeaLake": 3000}
SHARED_EUROSAT = pathlib.Path(paths.shared_path("data", "eurosat", "EuroSAT_RGB"))


def _official_zip(path: pathlib.Path, leave_out: str = "") -> pathlib.Path:
  """A zip in the official layout, EuroSAT_RGB/<Class>/<Class>_<n>.jpg; each tile's bytes are
  its name, so a copy can be checked against its source."""
  with zipfile.ZipFile(path, "w") as archive:
    for name, count in OFFICIAL_TILES.items():
      for n in range(1, count + 1):
        tile = f"{name}/{name}_{n}.jpg"
        if tile != leave_out:
          archive.writestr(f"EuroSAT_RGB/{tile}", tile)
  return path


def _listing(root: pathlib.Path) -> list[str]:
  return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_the_sample_is_1200_tiles_of_each_class_of_the_official_archive():
  names = eurosat_sample.sample_names()
  assert len(names) == len(set(names)) == 12_000
  for name, count in OFFICIAL_TILES.items():
    numbers = [int(n.rsplit("_", 1)[1][:-4]) for n in names if n.startswith(f"{name}/")]
    assert len(numbers) == 1200 and 1 <= min(numbers) and max(numbers) <= count


@pytest.mark.skipif(not SHARED_EUROSAT.is_dir(), reason=f"EuroSAT not found at {SHARED_EUROSAT}")
def test_the_sample_list_is_the_shared_folders_file_list():
  assert sorted(eurosat_sample.sample_names()) == _listing(SHARED_EUROSAT)


def test_copying_from_the_official_zip_gives_the_sample_and_resumes(tmp_path):
  archive = _official_zip(tmp_path / "EuroSAT_RGB.zip")
  out = tmp_path / "eurosat"
  assert eurosat_sample.copy_sample(str(archive), str(out)) == 12_000
  copied = out / "EuroSAT_RGB"
  assert _listing(copied) == sorted(eurosat_sample.sample_names())
  assert (copied / "River" / "River_1.jpg").read_text() == "River/River_1.jpg"
  os.remove(copied / "Forest" / "Forest_8.jpg")  # As if the copy had stopped there.
  assert eurosat_sample.copy_sample(str(archive), str(out)) == 1
  assert _listing(copied) == sorted(eurosat_sample.sample_names())


@pytest.mark.slow  # Writes 27,000 files.
def test_copying_from_the_extracted_folder_gives_the_same_files(tmp_path):
  with zipfile.ZipFile(_official_zip(tmp_path / "EuroSAT_RGB.zip")) as archive:
    archive.extractall(tmp_path / "extracted")
  eurosat_sample.copy_sample(str(tmp_path / "extracted"), str(tmp_path / "out"))
  assert _listing(tmp_path / "out" / "EuroSAT_RGB") == sorted(eurosat_sample.sample_names())


def test_an_archive_without_a_sampled_tile_is_refused_before_anything_is_copied(tmp_path):
  archive = _official_zip(tmp_path / "partial.zip", leave_out="Forest/Forest_8.jpg")
  with pytest.raises(ValueError, match=r"lacks 1 of the sample's 12000 tiles \(first: "
                                       r"Forest/Forest_8.jpg\)"):
    eurosat_sample.copy_sample(str(archive), str(tmp_path / "out"))
  assert not (tmp_path / "out").exists()
  with pytest.raises(ValueError, match="neither a zip archive nor a folder"):
    eurosat_sample.copy_sample(str(tmp_path / "nothing.zip"), str(tmp_path / "out"))
