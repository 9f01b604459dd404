"""The marked tables of the docs pages (README.md and docs/*.md), rendered from the stored results
(`tables`, `stored`): checked against the pages or written into them.

A page marks a table with `<!-- results: NAME -->` on the line before it and `<!-- /results -->`
on the line after; everything between the two is generated.
"""

import dataclasses
import glob
import itertools
import os
import re

from traitjax.results import readme  # noqa: F401  (registers README's table)
from traitjax.results import stored
from traitjax.results import tables

START = re.compile(r"<!-- results: ([\w.-]+) -->")
END = "<!-- /results -->"


class Drift(Exception):
  """A page's table differs from what its results render (`--check` exits 1)."""
  exit_code = 1


@dataclasses.dataclass(frozen=True)
class Marked:
  """One marked table: its page (relative to the root), name, and the lines of the page between
  its markers (0-based `start` is the first of them) against those its results render."""
  page: str
  name: str
  start: int
  lines: list[str]
  rendered: list[str]

  def first_difference(self) -> int | None:
    """The 1-based line of the page where the table first differs; None where it matches."""
    for i, (line, wanted) in enumerate(itertools.zip_longest(self.lines, self.rendered)):
      if line != wanted:
        return self.start + i + 1
    return None


def pages(root: str) -> list[str]:
  """README.md and docs/*.md under `root` (those that exist), relative to it."""
  found = ["README.md"] if os.path.isfile(os.path.join(root, "README.md")) else []
  return found + sorted(os.path.relpath(page, root)
                        for page in glob.glob(os.path.join(root, "docs", "*.md")))


def marks(lines: list[str], page: str) -> list[tuple[str, int, int]]:
  """(name, first line, end marker's line) of each marked table in a page's lines, 0-based.

  Raises:
    ValueError at a start marker without an end before the next start or the end of the page,
    or an end marker without a start.
  """
  found, open_mark = [], None  # open_mark: (name, first line) of a table not yet ended.
  for number, line in enumerate(lines):
    start = START.fullmatch(line.strip())
    if start:
      if open_mark is not None:
        break
      # The table's first line (0-based) is the number of the marker's line (1-based).
      open_mark = (start.group(1), number + 1)
    elif line.strip() == END:
      if open_mark is None:
        raise ValueError(f"{page}:{number + 1}: {END} without <!-- results: NAME --> before it")
      found.append((*open_mark, number))
      open_mark = None
  if open_mark is not None:
    raise ValueError(f"{page}:{open_mark[1]}: a table without {END}")
  return found


def render(root: str, page: str, name: str, line: int | None = None) -> list[str]:
  """The lines table `name` renders on `page` (marked at `line`) from its result files.

  Raises:
    ValueError for a name with no renderer; FileNotFoundError for a result file it reads that
    is missing; each naming the page (and line) and the table.
  """
  where = page if line is None else f"{page}:{line}"
  if name not in tables.TABLES:
    raise ValueError(f"{where}: table {name!r} has no renderer in traitjax/results/tables.py "
                     f"(known: {', '.join(sorted(tables.TABLES))})")
  table = tables.TABLES[name]
  files = {}
  for file in table.files:
    try:
      files[file] = stored.load(root, file)
    except FileNotFoundError as e:
      raise FileNotFoundError(f"{where}: table {name}: {e}") from None
  page_folder = os.path.join(root, os.path.dirname(page))
  folder = os.path.relpath(os.path.join(root, stored.FOLDER), page_folder).replace(os.sep, "/")
  return table.render(tables.Results(files, folder))


def collect(root: str) -> list[Marked]:
  """Every marked table of the pages under `root`, rendered; all rendered before any is
  compared or written, so a missing renderer or result file stops everything."""
  found = []
  for page in pages(root):
    with open(os.path.join(root, page)) as f:
      lines = f.read().split("\n")
    for name, start, end in marks(lines, page):
      found.append(Marked(page, name, start, lines[start:end],
                          render(root, page, name, line=start)))
  return found


def check(root: str) -> str:
  """Says "N tables match" when every marked table reads as its results render.

  Raises:
    Drift naming the first page, line and table that differ; the errors of `collect`.
  """
  found = collect(root)
  for marked in found:
    line = marked.first_difference()
    if line is not None:
      raise Drift(f"{marked.page}:{line}: table {marked.name} differs from what its results "
                  f"render (python -m traitjax.results rewrites it)")
  return f"{len(found)} tables match"


def rewrite(root: str) -> str:
  """Writes every marked table as its results render; says how many changed."""
  found = collect(root)
  changed = [marked for marked in found if marked.first_difference() is not None]
  for page in dict.fromkeys(marked.page for marked in changed):
    path = os.path.join(root, page)
    with open(path) as f:
      lines = f.read().split("\n")
    # From the last table up, so that a table of another length leaves the others' lines.
    for marked in sorted((m for m in changed if m.page == page), key=lambda m: -m.start):
      lines[marked.start:marked.start + len(marked.lines)] = marked.rendered
    with open(path, "w") as f:
      f.write("\n".join(lines))
  if not changed:
    return f"{len(found)} tables match, none rewritten"
  return (f"rewrote {len(changed)} of {len(found)} tables: "
          + ", ".join(f"{m.page} {m.name}" for m in changed))
