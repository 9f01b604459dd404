"""Decoding image files of any kind into fixed-size RGB arrays.

JPEGs are decoded at a reduced scale (libjpeg's DCT scaling, `Image.draft`) whenever the output
still gets at least as many pixels as it needs, which makes large photos cheap. Pixels are used as
stored: EXIF orientation is not applied, so annotations in file coordinates stay valid. A region
is squashed to the output square, or with `pad_to_square` resized whole, its aspect kept, into
the middle of a black square (photos on a black background).
"""

from __future__ import annotations

import contextlib
import math
import os
import struct
from typing import BinaryIO, Iterator, Sequence

from absl import logging
import numpy as np
from PIL import Image, JpegImagePlugin

_JPEG_MAGIC = b"\xff\xd8\xff"
_READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error,
                Image.DecompressionBombError)


class ImageDecodeError(Exception):
  """A file that is missing, truncated, not an image or otherwise unreadable."""


def decode_image(path: str | os.PathLike, size: int,
                 box: Sequence[float] | None = None) -> np.ndarray:
  """uint8 [size, size, 3]: the image, or its `box` = (x0, y0, x1, y1) in original pixels.

  The region is squashed to a square with an antialiasing bilinear filter. Raises
  ImageDecodeError naming the file and the reason when it cannot be read.
  """
  return decode_region(path, size, box)[0]


def decode_region(path: str | os.PathLike, size: int, box: Sequence[float] | None = None,
                  pad_to_square: bool = False
                  ) -> tuple[np.ndarray, tuple[float, float, float, float]]:
  """`decode_image` and the region (x0, y0, x1, y1) of the original image that it shows.

  The region is `box` clipped to the image, or the whole image; a box with no area inside the
  image raises ValueError. With `pad_to_square` the region keeps its aspect: its longer side
  spans the output, centred, and black fills the rest.
  """
  path = os.fspath(path)
  with _reading(path):
    f = open(path, "rb")
  with f:
    with _reading(path):
      image, is_jpeg = _open(f)
    region = _clip_box(box, image.size, path)
    with _reading(path):
      pixels = _load_region(image, is_jpeg, region, size, pad_to_square)
  return pixels, region


def photo_key(path: str | os.PathLike, size: int, box: Sequence[float] | None = None,
              pad_to_square: bool = False) -> str:
  """What decides the pixels `decode_region` gives, without reading the file: the file (its
  path, size and modification time: a changed photo gets another key) and how it is cut and
  sized."""
  path = os.path.abspath(os.fspath(path))
  try:
    stat = os.stat(path)
    file = f"{path}:{stat.st_size}:{stat.st_mtime_ns}"
  except OSError:
    file = f"{path}:missing"
  box = "whole" if box is None else ",".join(f"{float(x):.6g}" for x in box)
  return f"{file}|size={size}|box={box}|pad={int(pad_to_square)}"


class SkippingDecoder:
  """`decode_region` for a data source: a file that cannot be read gives a zero image and no
  region (the source counts the example as invalid), with one warning per file, naming the
  file as `what` ("CUB image")."""

  def __init__(self, what: str):
    self.what = what
    self._warned: set[str] = set()

  def __call__(self, path: str, size: int, box: Sequence[float] | None = None,
               pad_to_square: bool = False
               ) -> tuple[np.ndarray, tuple[float, float, float, float] | None]:
    try:
      return decode_region(path, size, box, pad_to_square)
    except ImageDecodeError as e:
      if path not in self._warned:
        self._warned.add(path)
        logging.warning("%s skipped (counted as invalid): %s", self.what, e)
      return np.zeros((size, size, 3), np.uint8), None


@contextlib.contextmanager
def _reading(path: str) -> Iterator[None]:
  try:
    yield
  except _READ_ERRORS as e:
    # PIL names an unrecognised file by its Python object; say what it means instead.
    reason = ("not an image file PIL can read" if isinstance(e, Image.UnidentifiedImageError)
              else f"{type(e).__name__}: {e}")
    raise ImageDecodeError(f"cannot decode image {path}: {reason}") from e


def _open(f: BinaryIO) -> tuple[Image.Image, bool]:
  """The lazily opened image and whether it is a JPEG."""
  is_jpeg = f.read(len(_JPEG_MAGIC)) == _JPEG_MAGIC
  f.seek(0)
  if is_jpeg:
    # Image.open refuses files beyond PIL's decompression-bomb limit before `draft` could shrink
    # them, so JPEGs are opened by their plugin and the limit applies to the decoded size.
    return JpegImagePlugin.JpegImageFile(f), True
  return Image.open(f), False


def _clip_box(box: Sequence[float] | None, image_size: tuple[int, int],
              path: str) -> tuple[float, float, float, float]:
  width, height = image_size
  if box is None:
    return 0.0, 0.0, float(width), float(height)
  x0, y0, x1, y1 = (float(c) for c in box)
  x0, x1 = max(0.0, x0), min(float(width), x1)
  y0, y1 = max(0.0, y0), min(float(height), y1)
  if x1 <= x0 or y1 <= y0:
    raise ValueError(f"box {tuple(box)} has no area inside {path} ({width}x{height})")
  return x0, y0, x1, y1


def _load_region(image: Image.Image, is_jpeg: bool, region: tuple[float, float, float, float],
                 size: int, pad_to_square: bool) -> np.ndarray:
  """Decodes (at reduced scale for JPEGs), converts to RGB, crops and resizes (and pads)."""
  shown = _shown_size(region, size) if pad_to_square else (size, size)
  scale = _draft(image, region, shown) if is_jpeg else 1.0
  limit = Image.MAX_IMAGE_PIXELS
  width, height = image.size
  if limit is not None and width * height > 2 * limit:
    raise Image.DecompressionBombError(
        f"decoding needs {width}x{height} pixels, beyond PIL's limit of {2 * limit}")
  image.load()
  scaled = tuple(c * scale for c in region)
  resized = _to_rgb(image).resize(shown, Image.BILINEAR, box=scaled)
  if shown == (size, size):
    return np.asarray(resized, np.uint8)
  square = Image.new("RGB", (size, size))
  square.paste(resized, ((size - shown[0]) // 2, (size - shown[1]) // 2))
  return np.asarray(square, np.uint8)


def _shown_size(region: tuple[float, float, float, float], size: int) -> tuple[int, int]:
  """(width, height) of `region` resized, aspect kept, so that its longer side is `size`."""
  x0, y0, x1, y1 = region
  longer = max(x1 - x0, y1 - y0)
  return (max(1, round(size * (x1 - x0) / longer)), max(1, round(size * (y1 - y0) / longer)))


def _draft(image: Image.Image, region: tuple[float, float, float, float],
           shown: tuple[int, int]) -> float:
  """Asks libjpeg for the smallest scale that keeps `region` >= `shown` (width, height) pixels;
  returns it."""
  width, height = image.size
  x0, y0, x1, y1 = region
  request = (math.ceil(shown[0] * width / (x1 - x0)), math.ceil(shown[1] * height / (y1 - y0)))
  drafted = image.draft("RGB", request)
  return 1.0 if drafted is None else drafted[1][2] / width


def _to_rgb(image: Image.Image) -> Image.Image:
  """Any PIL mode -> RGB; 16/32-bit integer images are read as 16-bit, floats as 0..255."""
  if image.mode == "RGB":
    return image
  if image.mode.startswith("I"):
    pixels = np.clip(np.asarray(image, np.float32) / 257.0, 0, 255)
    return Image.fromarray(pixels.astype(np.uint8)).convert("RGB")
  if image.mode == "F":
    return Image.fromarray(np.clip(np.asarray(image), 0, 255).astype(np.uint8)).convert("RGB")
  return image.convert("RGB")

