"""What the datasets read from a config's `data` block alike: their settings (the fields of a
dataclass, other keys refused) and species chosen by position ("A:B")."""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

import numpy as np


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
