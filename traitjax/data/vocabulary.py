"""Trait vocabularies as files: the trait names a table's columns follow.

A traits file lists trait names, either in CUB's ``attributes.txt`` format (``<id> <name>`` per
line, ids 1, 2, ...) or one phrase per line (each phrase a trait of its own).
"""

from __future__ import annotations

import os
import re
from typing import Sequence

_CUB_LINE = re.compile(r"^(\d+)\s+(\S+)$")


def read_lines(path: str | os.PathLike, what: str) -> list[str]:
  """The lines of a text file; FileNotFoundError names `what` it should have been."""
  path = os.fspath(path)
  if not os.path.isfile(path):
    raise FileNotFoundError(f"{what} not found: {path}")
  with open(path, encoding="utf-8") as f:
    return f.read().splitlines()


def read_traits(path: str | os.PathLike) -> tuple[str, ...]:
  """Trait names from a traits file: ``<id> <name>`` lines with ids 1, 2, ... (CUB's
  attributes.txt), or otherwise one phrase per line (each phrase a trait of its own). Blank
  lines are skipped.

  Raises:
    FileNotFoundError when the file is missing; ValueError when it lists no trait, repeats one,
    or numbers its lines other than 1, 2, ...
  """
  lines = [line.strip() for line in read_lines(path, "traits file")]
  lines = [line for line in lines if line]
  if not lines:
    raise ValueError(f"{os.fspath(path)}: no traits listed")
  matches = [_CUB_LINE.match(line) for line in lines]
  if all(matches):
    ids = [int(m.group(1)) for m in matches]
    if ids != list(range(1, len(ids) + 1)):
      raise ValueError(f"{os.fspath(path)}: trait ids must be 1, 2, ... in order "
                       f"(attributes.txt format)")
    names = [m.group(2) for m in matches]
  else:
    names = lines
  duplicates = sorted({name for name in names if names.count(name) > 1})
  if duplicates:
    raise ValueError(f"{os.fspath(path)}: repeated traits {duplicates[:5]}")
  return tuple(names)


def write_traits(path: str | os.PathLike, names: Sequence[str]) -> None:
  """Writes trait names as ``<id> <name>`` lines, ids from 1 (CUB's attributes.txt)."""
  with open(path, "w", encoding="utf-8") as f:
    f.writelines(f"{index} {name}\n" for index, name in enumerate(names, start=1))
