r"""Makes the EuroSAT sample that traitjax's EuroSAT numbers rest on, from the official archive.

  python -m traitjax.eurosat_sample --archive=EuroSAT_RGB.zip --out=../shared/data/eurosat

`--archive` is the official EuroSAT_RGB.zip (Zenodo record 7711810) or the folder it extracts
to; the 12,000 tiles listed in data/eurosat_sample.txt (1,200 of each class) are copied to
OUT/EuroSAT_RGB/<Class>/<Class>_<n>.jpg, the layout `configs/eurosat*.py` read. The configs'
seeded split of that sample then gives the documented splits; the whole archive would give
others. Tiles already copied are kept, so an interrupted copy resumes.
"""

import os
import re
import shutil
import zipfile

from absl import flags

from traitjax import cli
from traitjax import paths
from traitjax import writers

_ARCHIVE = flags.DEFINE_string("archive", None,
                               "EuroSAT_RGB.zip or the folder it extracts to.")
_OUT = flags.DEFINE_string("out", None, "Folder to write EuroSAT_RGB/<Class>/ into.")
flags.mark_flags_as_required(["archive", "out"])

SAMPLE_FILE = paths.repo_path("data", "eurosat_sample.txt")
# A tile's path inside the archive ends in <Class>/<Class>_<n>.jpg, whatever folder holds it.
_TILE = re.compile(r"(?:^|/)([A-Za-z]+)/\1_(\d+)\.jpg$")


def sample_names(sample_file: str = SAMPLE_FILE) -> list[str]:
  """The sample's tiles as `<Class>/<Class>_<n>.jpg`, in the order of the file."""
  names = []
  with open(sample_file) as f:
    for line in f:
      if line.strip() and not line.startswith("#"):
        name, *numbers = line.split()
        names += [f"{name}/{name}_{n}.jpg" for n in numbers]
  return names


def _archive_tiles(archive: str) -> tuple[dict[str, str], zipfile.ZipFile | None]:
  """{`<Class>/<Class>_<n>.jpg`: where it is in `archive`} and the open zip (None for a folder)."""
  if os.path.isdir(archive):
    members = [os.path.relpath(os.path.join(d, f), archive).replace(os.sep, "/")
               for d, _, files in os.walk(archive) for f in files]
    opened = None
  elif zipfile.is_zipfile(archive):
    opened = zipfile.ZipFile(archive)
    members = opened.namelist()
  else:
    raise ValueError(f"{archive} is neither a zip archive nor a folder")
  tiles = {}
  for member in members:
    match = _TILE.search(member)
    if match:
      tiles[f"{match[1]}/{match[1]}_{match[2]}.jpg"] = member
  return tiles, opened


def copy_sample(archive: str, out: str, sample_file: str = SAMPLE_FILE) -> int:
  """Copies the sample's tiles from `archive` to `out`/EuroSAT_RGB; returns how many were
  copied (tiles already there are kept). Every tile is checked present before any is copied."""
  wanted = sample_names(sample_file)
  tiles, opened = _archive_tiles(archive)
  missing = [name for name in wanted if name not in tiles]
  if missing:
    raise ValueError(f"{archive} lacks {len(missing)} of the sample's {len(wanted)} tiles "
                     f"(first: {missing[0]}); is it EuroSAT_RGB.zip?")
  progress = writers.Progress(len(wanted), 0, unit="tile")
  copied = 0
  for i, name in enumerate(wanted, start=1):
    target = os.path.join(out, "EuroSAT_RGB", *name.split("/"))
    if not os.path.isfile(target):
      os.makedirs(os.path.dirname(target), exist_ok=True)
      with (opened.open(tiles[name]) if opened else open(os.path.join(archive, tiles[name]), "rb")
            ) as source, open(target + ".tmp", "wb") as f:
        shutil.copyfileobj(source, f)
      os.replace(target + ".tmp", target)  # A stopped copy leaves no partial tile.
      copied += 1
    if i % 2000 == 0 or i == len(wanted):
      progress.report(i, {})  # Logs the line.
  if opened:
    opened.close()
  return copied


def main(argv):
  del argv
  copied = copy_sample(_ARCHIVE.value, _OUT.value)
  print(f"{copied} tiles copied, {len(sample_names()) - copied} already there: "
        f"{os.path.join(_OUT.value, 'EuroSAT_RGB')}")


if __name__ == "__main__":
  cli.run(main)
