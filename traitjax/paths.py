"""Where traitjax finds what it does not ship: the shared folder of data sets and weights, and
the checkout's own data files (trait vocabularies, tables, descriptions).

Every command, config, benchmark, notebook and test asks `shared_path` for the shared folder,
so `$TRAITJAX_SHARED` moves all of them at once.
"""

import os
import pathlib

# The folder of data sets and weights: $TRAITJAX_SHARED, else `shared` beside the checkout.
SHARED_ENVIRONMENT_VARIABLE = "TRAITJAX_SHARED"
# The checkout: the folder of traitjax/, data/ and configs/.
REPO = pathlib.Path(__file__).resolve().parents[1]


def shared_path(*parts: str) -> str:
  """An absolute path under the shared folder: $TRAITJAX_SHARED if set, else the folder
  `shared` beside the checkout (the same wherever a command runs from)."""
  base = os.environ.get(SHARED_ENVIRONMENT_VARIABLE) or REPO.parent / "shared"
  return os.path.join(os.fspath(base), *parts)


def repo_path(*parts: str) -> str:
  """An absolute path under the checkout, e.g. `repo_path("data", "traits", "eurosat.txt")`."""
  return os.fspath(REPO.joinpath(*parts))
