"""What the datasets read from a config's `data` block alike: their settings (the fields of a
dataclass, other keys refused), species chosen by name or position ("A:B") and held out, and
the rows of a species x trait CSV table.

Messages call a dataset's species as it does (`one` and `many`: "class" and "classes" for
EuroSAT), one line each.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

import numpy as np

from traitjax.data import schema
from traitjax.data import vocabulary

# How many names a message lists before it gives their count instead.
_NAMES_LISTED = 12


def config_items(config, cls: type, what: str) -> dict[str, Any]:
  """The settings of a mapping or ConfigDict for the dataclass `cls`, without `name`, lists and
  tuples as tuples (hashable, as cached datasets need); ValueError names any key that is not a
  field of `cls` ("unknown <what> settings")."""
  items = dict(config.items() if hasattr(config, "items") else config)
  items.pop("name", None)
  unknown = set(items) - {f.name for f in dataclasses.fields(cls)}
  if unknown:
    raise ValueError(f"unknown {what} settings: {sorted(unknown)}")
  return {k: tuple(v) if isinstance(v, (list, tuple)) else v for k, v in items.items()}


def by_position(spec: str, ids: Sequence, field: str, kinds: str = "class ids") -> np.ndarray:
  """The ids at positions "A:B" (A to B - 1) of `ids`, in their order; ValueError names
  `field` when `spec` is not "A:B" (where `kinds` would be the other way to choose) or reaches
  beyond `ids`."""
  try:
    start, stop = (int(part) for part in spec.split(":"))
  except ValueError:
    raise ValueError(f"{field}: {kinds} or positions 'A:B', got {spec!r}") from None
  if not 0 <= start < stop <= len(ids):
    raise ValueError(f"{field} {spec!r}: positions beyond the {len(ids)} species there are")
  return np.asarray(ids)[start:stop]


def select(chosen: Sequence[str] | str, names: tuple[str, ...], where: str,
           one: str = "species", many: str = "species") -> tuple[str, ...]:
  """The used names, in the order of `names` (those found `where`): `chosen` names (each one
  of `names`), positions "A:B" among `names`, or every name when `chosen` is empty."""
  if isinstance(chosen, str):
    return tuple(by_position(chosen, names, "species", f"{one} names").tolist())
  if not len(chosen):
    return names
  require_known(chosen, names, "species", where, many)
  return tuple(name for name in names if name in chosen)


def heldout(heldout_species: Sequence[str] | str, used: tuple[str, ...], names: tuple[str, ...],
            where: str, one: str = "species", many: str = "species") -> frozenset[str]:
  """The held-out names: "all" of `used`, positions "A:B" among `used`, or names among them
  (each one of `names`, those found `where`)."""
  if heldout_species == "all":
    return frozenset(used)  # A root of species none of which was trained.
  if isinstance(heldout_species, str):
    return frozenset(by_position(heldout_species, used, "heldout_species",
                                 f"{one} names").tolist())
  require_known(heldout_species, names, "heldout_species", where, many)
  unused = sorted(set(heldout_species) - set(used))
  if unused:
    raise ValueError(f"held-out {many} {unused} are not among the used {many}")
  return frozenset(heldout_species)


def require_known(chosen: Sequence[str], names: Sequence[str], field: str, where: str,
                  many: str = "species") -> None:
  """ValueError naming the `chosen` names of `field` that are not among `names` (those found
  `where`), and those that are."""
  unknown = [name for name in chosen if name not in names]
  if unknown:
    there = ", ".join(names[:_NAMES_LISTED])
    if len(names) > _NAMES_LISTED:
      there += f", ... ({len(names)} in all)"
    raise ValueError(f"{field} {unknown} are not {many} in {where} (those there: {there})")


def table_rows(path: str, vocabulary_path: str, names: tuple[str, ...],
               one: str = "species") -> schema.TraitTable:
  """The rows of `names` and the columns of the vocabulary's traits, in their order, of the
  CSV table at `path` (`schema.TraitTable.to_csv`'s layout); ValueError names the rows it
  lacks or repeats and the traits it lacks or adds, FileNotFoundError a missing file."""
  table = schema.TraitTable.from_csv(path)
  traits = vocabulary.read_traits(vocabulary_path)
  if sorted(table.traits) != sorted(traits):
    missing = [name for name in traits if name not in table.traits]
    extra = [name for name in table.traits if name not in traits]
    repeated = sorted({name for name in table.traits if table.traits.count(name) > 1})
    raise ValueError(f"{path}: its traits differ from the vocabulary {vocabulary_path}: "
                     f"{len(missing)} missing (e.g. {missing[:3]}), {len(extra)} unknown "
                     f"(e.g. {extra[:3]}), {len(repeated)} repeated (e.g. {repeated[:3]})")
  repeated = sorted({name for name in table.species if table.species.count(name) > 1})
  absent = [name for name in names if name not in table.species]
  if repeated or absent:
    raise ValueError(f"{path}: needs one row for each {one}; {absent} have none, {repeated} "
                     f"more than one")
  rows = [table.species.index(name) for name in names]
  columns = [table.traits.index(name) for name in traits]
  return schema.TraitTable(table.values[np.ix_(rows, columns)], species=names, traits=traits)


def offered_splits(val: bool, test: bool, zeroshot: bool) -> tuple[str, ...]:
  """The splits a dataset offers, in the order "train", "val", "test", "zeroshot"."""
  has = {"train": True, "val": val, "test": test, "zeroshot": zeroshot}
  return tuple(split for split, present in has.items() if present)


def sorted_indices(parts: list[np.ndarray]) -> np.ndarray:
  """int64 [n]: the example ids of `parts` (disjoint arrays) joined, ascending."""
  return np.sort(np.concatenate(parts or [np.zeros(0, np.int64)])).astype(np.int64)
