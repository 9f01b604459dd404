"""Degraded photos: blur, darkness and a partial view, at a strength in [0, 1], on any photo.

Each degradation is a pure function of a uint8 [H, W, 3] photo, its strength and (where it draws
anything) a numpy generator; strength 0 returns the photo unchanged. A strength means the same
here and in the synthetic flora, which renders its degraded photos with the same `blur`, the
same `partial_view` of its scene and the same `dark` constants (its dark photos are lit less
before its camera's noise, rather than a finished photo darkened):

- `blur`: a Gaussian of standard deviation `strength * min(H, W) / SIDE_PER_BLUR_SIGMA` (an
  out-of-focus or shaken photo; 5.6 px at strength 1 on a 224 px photo).
- `dark`: an underexposed photo: brightness times `1 - DARK_GAIN * strength`, then sensor noise
  of standard deviation `DARK_NOISE * strength` (of 255), which a dark photo shows more.
- `partial`: only part of the subject in view, as in a photo taken too close or badly framed: a
  view of `1 - PARTIAL_SHRINK * strength` of each side, placed at random, is enlarged back to
  the photo's size. Cropping rather than an occluder: a pasted occluder is an artefact no camera
  makes, while framing that cuts off the subject is the common failure (on CUB's bird-box crops
  it cuts off part of the bird). Keypoints follow the view (`parts_in_view`).

`DegradedSource` applies one kind at one strength to every photo of any data source.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from traitjax.data import pipeline
from traitjax.data import schema

SIDE_PER_BLUR_SIGMA = 40.0  # At strength 1 the Gaussian's sigma is the photo's side / 40.
DARK_GAIN = 0.82  # Brightness lost at strength 1.
DARK_NOISE = 6.0  # Sensor noise standard deviation at strength 1, of 255.
PARTIAL_SHRINK = 0.55  # The share of each side out of view at strength 1.

KINDS = schema.DEGRADATIONS[1:]


def _check_strength(strength: float) -> None:
  if not 0.0 <= strength <= 1.0:
    raise ValueError(f"degradation strength must lie in [0, 1], got {strength}")


def blur(image: np.ndarray, strength: float) -> np.ndarray:
  """uint8 [H, W, 3] blurred by a Gaussian of sigma `strength * min(H, W) /
  SIDE_PER_BLUR_SIGMA` px (PIL's GaussianBlur)."""
  _check_strength(strength)
  if strength == 0:
    return image
  sigma = strength * min(image.shape[:2]) / SIDE_PER_BLUR_SIGMA
  return np.asarray(Image.fromarray(image).filter(ImageFilter.GaussianBlur(radius=sigma)))


def dark(image: np.ndarray, strength: float, rng: np.random.Generator) -> np.ndarray:
  """uint8 [H, W, 3] darkened to `1 - DARK_GAIN * strength` of its brightness, with Gaussian
  sensor noise of standard deviation `DARK_NOISE * strength`."""
  _check_strength(strength)
  if strength == 0:
    return image
  pixels = image.astype(np.float32) * np.float32(1.0 - DARK_GAIN * strength)
  pixels += rng.normal(0.0, DARK_NOISE * strength, pixels.shape).astype(np.float32)
  return np.clip(np.round(pixels), 0, 255).astype(np.uint8)


def view_side(strength: float) -> float:
  """The side of a partial view at `strength`, in fractions of the photo's (or scene's) side."""
  _check_strength(strength)
  return 1.0 - PARTIAL_SHRINK * strength


def partial_view(strength: float, rng: np.random.Generator) -> tuple[float, float, float]:
  """(x0, y0, side) of a square view of side `view_side(strength)` placed uniformly at random
  inside the unit square. Draws two uniforms whatever the strength, so one generator state
  anchors the views of every strength alike."""
  side = view_side(strength)
  x0, y0 = rng.uniform(0.0, 1.0 - side, 2)
  return float(x0), float(y0), side


def partial(image: np.ndarray, strength: float, rng: np.random.Generator
            ) -> tuple[np.ndarray, tuple[float, float, float]]:
  """uint8 [H, W, 3] showing only the `partial_view` (enlarged back to H x W, bilinear), and that
  view (x0, y0, side, in fractions of the photo) for `parts_in_view`."""
  view = partial_view(strength, rng)
  if strength == 0:
    return image, view
  x0, y0, side = view
  height, width = image.shape[:2]
  box = (x0 * width, y0 * height, (x0 + side) * width, (y0 + side) * height)
  return np.asarray(Image.fromarray(image).resize((width, height), Image.BILINEAR, box=box)), view


def parts_in_view(parts: np.ndarray, view: tuple[float, float, float]) -> np.ndarray:
  """float32 [P, 3] keypoints (x, y, visible) in [0, 1] of the photo -> of the `view`; those
  outside it become (0, 0, 0), as sources mark keypoints out of the photo."""
  x0, y0, side = view
  xy = (parts[:, :2] - (x0, y0)) / side
  inside = (parts[:, 2] > 0) & np.all((xy >= 0) & (xy <= 1), axis=1)
  moved = np.concatenate([xy, parts[:, 2:]], axis=1)
  return np.where(inside[:, None], moved, 0.0).astype(np.float32)


class DegradedSource:
  """Every photo of `source` degraded by `kind` (one of KINDS) at `strength`; examples follow
  schema.py with `degradation` and `degradation_strength` set to them.

  The generator of example i is seeded by (seed, i) alone: the same photo gets the same noise
  and the same view anchor at every strength and kind, so curves over strength compare like with
  like, in any process. A partial view moves the keypoints with it and sets `traits_visible` to
  NaN: which traits stay in view is not known from keypoints alone. A source whose photos are
  already degraded (synthetic flora with `degraded_fraction` > 0) gets a second degradation on
  those, and the fields name only this one.
  """

  def __init__(self, source, kind: str, strength: float, seed: int = 0):
    if kind not in KINDS:
      raise ValueError(f"degradation kind must be one of {KINDS}, got {kind!r}")
    _check_strength(strength)
    self.source = source
    self.kind = kind
    self.strength = float(strength)
    self.seed = seed
    pipeline.take_dataset_attributes(self, source)
    self.labels, self.split = source.labels, source.split

  def __len__(self) -> int:
    return len(self.source)

  def __repr__(self) -> str:
    return f"DegradedSource({self.source!r}, {self.kind!r}, {self.strength})"

  def __getitem__(self, index: int) -> dict[str, np.ndarray]:
    example = dict(self.source[index])
    rng = np.random.default_rng([self.seed, int(index)])
    image = example[schema.IMAGE]
    if self.kind == "blur":
      image = blur(image, self.strength)
    elif self.kind == "dark":
      image = dark(image, self.strength, rng)
    else:
      image, view = partial(image, self.strength, rng)
      example[schema.PARTS] = parts_in_view(example[schema.PARTS], view)
    example[schema.IMAGE] = np.ascontiguousarray(image)
    return {**example, **self._degraded(example)}

  def annotations(self, index: int) -> dict[str, np.ndarray]:
    """Example `index` without what its pixels decide (schema.py)."""
    annotations = self.source.annotations(index)
    return {**annotations, **self._degraded(annotations)}

  def photo_key(self, index: int) -> str:
    """What decides the pixels of example `index`: its photo's, and how it is degraded."""
    return (f"{self.source.photo_key(index)}|{self.kind}={self.strength:g}|"
            f"seed={self.seed},{int(index)}")

  def _degraded(self, example: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The fields this degradation sets: its kind and strength, and no visible-trait truth
    once part of the photo is out of view."""
    fields = {schema.DEGRADATION: np.int32(schema.DEGRADATIONS.index(self.kind)),
              schema.DEGRADATION_STRENGTH: np.float32(self.strength)}
    if self.kind == "partial" and self.strength > 0:
      fields[schema.TRAITS_VISIBLE] = np.full_like(example[schema.TRAITS_VISIBLE], np.nan)
    return fields
