"""Tests for traitjax.data.images on small generated files."""

import warnings

import numpy as np
from PIL import Image, ImageFile
import pytest

from traitjax.data import images

RED, BLUE, GREEN, WHITE = (255, 0, 0), (0, 0, 255), (0, 255, 0), (255, 255, 255)


def _quadrants(width, height, mode="RGB"):
  """Top-left red, top-right blue, bottom-left green, bottom-right white."""
  image = Image.new("RGB", (width, height))
  for (x, y), colour in zip([(0, 0), (1, 0), (0, 1), (1, 1)], [RED, BLUE, GREEN, WHITE]):
    image.paste(colour, (x * width // 2, y * height // 2, (x + 1) * width // 2,
                         (y + 1) * height // 2))
  return image.convert(mode)


def _centre(pixels):
  size = pixels.shape[0]
  return pixels[size // 4: 3 * size // 4, size // 4: 3 * size // 4].reshape(-1, 3).mean(0)


def test_decodes_rgb_jpeg_to_square(tmp_path):
  path = tmp_path / "photo.jpg"
  _quadrants(300, 200).save(path, quality=95)
  pixels = images.decode_image(path, 64)
  assert pixels.shape == (64, 64, 3) and pixels.dtype == np.uint8
  np.testing.assert_allclose(pixels[8, 8], RED, atol=12)
  np.testing.assert_allclose(pixels[8, 56], BLUE, atol=12)
  np.testing.assert_allclose(pixels[56, 8], GREEN, atol=12)


@pytest.mark.parametrize("width,height", [(300, 200), (2400, 1600)])
def test_box_is_in_original_pixels_also_when_drafted(tmp_path, width, height):
  path = tmp_path / "photo.jpg"
  _quadrants(width, height).save(path, quality=95)
  box = (width / 2, 0, width, height / 2)  # The blue quadrant.
  pixels, region = images.decode_region(path, 32, box)
  np.testing.assert_allclose(_centre(pixels), BLUE, atol=12)
  assert region == box
  pixels = images.decode_image(path, 32, (width / 2, height / 2, width, height))
  np.testing.assert_allclose(_centre(pixels), WHITE, atol=12)


def test_box_is_clipped_to_the_image(tmp_path):
  path = tmp_path / "photo.png"
  _quadrants(100, 80).save(path)
  _, region = images.decode_region(path, 16, (-10, 40, 50, 200))
  assert region == (0.0, 40.0, 50.0, 80.0)
  with pytest.raises(ValueError, match="no area"):
    images.decode_image(path, 16, (120, 0, 150, 10))


@pytest.mark.parametrize("width,height", [(300, 150), (2400, 1200)])
def test_padding_to_square_keeps_the_aspect_on_black(tmp_path, width, height):
  path = tmp_path / "wide.jpg"
  _quadrants(width, height).save(path, quality=95)
  pixels, region = images.decode_region(path, 64, pad_to_square=True)
  assert pixels.shape == (64, 64, 3) and region == (0.0, 0.0, float(width), float(height))
  assert not pixels[:15].any() and not pixels[-15:].any()  # 32 rows of photo in the middle.
  np.testing.assert_allclose(pixels[20, 8], RED, atol=12)
  np.testing.assert_allclose(pixels[43, 56], WHITE, atol=12)
  tall_box = (0, 0, width / 4, height)  # Half as wide as high: 32 columns in the middle.
  tall = images.decode_image(path, 64, tall_box)
  padded, _ = images.decode_region(path, 64, tall_box, pad_to_square=True)
  assert not padded[:, :15].any() and not padded[:, -15:].any()
  np.testing.assert_allclose(padded[8, 32], RED, atol=12)
  np.testing.assert_allclose(padded[56, 32], GREEN, atol=12)
  np.testing.assert_allclose(tall[8, 8], RED, atol=12)  # Squashed, it fills the square.


@pytest.mark.parametrize("mode,suffix", [
    ("L", "jpg"), ("CMYK", "jpg"), ("P", "png"), ("RGBA", "png"), ("LA", "png"),
    ("1", "png"), ("I;16", "png"), ("I", "tiff"), ("F", "tiff")])
def test_any_mode_becomes_rgb(tmp_path, mode, suffix):
  path = tmp_path / f"image.{suffix}"
  if mode in ("I;16", "I"):
    Image.fromarray(np.full((40, 60), 65535, np.uint16)).convert(mode).save(path)
  elif mode == "F":
    Image.fromarray(np.full((40, 60), 255.0, np.float32)).save(path)
  else:
    Image.new("RGB", (60, 40), WHITE).convert(mode).save(path)
  pixels = images.decode_image(path, 24)
  assert pixels.shape == (24, 24, 3) and pixels.dtype == np.uint8
  np.testing.assert_allclose(_centre(pixels), WHITE, atol=3)


def test_jpeg_beyond_the_bomb_limit_decodes_without_warning(tmp_path, monkeypatch):
  path = tmp_path / "huge.jpg"
  _quadrants(3000, 2000).save(path, quality=90)
  monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)  # 6M pixels are then > 2x limit.
  with pytest.raises(Image.DecompressionBombError):
    Image.open(path)
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    pixels = images.decode_image(path, 64, (1500, 0, 3000, 1000))
  np.testing.assert_allclose(_centre(pixels), BLUE, atol=12)
  assert Image.MAX_IMAGE_PIXELS == 1_000_000


def test_bomb_that_cannot_be_shrunk_fails_cleanly(tmp_path, monkeypatch):
  path = tmp_path / "huge.png"
  _quadrants(3000, 2000).save(path, compress_level=1)
  monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
  with pytest.raises(images.ImageDecodeError, match="huge.png.*DecompressionBomb"):
    images.decode_image(path, 64)


def test_truncated_file_raises_decode_error(tmp_path):
  path = tmp_path / "cut.jpg"
  _quadrants(400, 300).save(path, quality=95)
  path.write_bytes(path.read_bytes()[:3000])
  with pytest.raises(images.ImageDecodeError, match="cut.jpg.*truncated"):
    images.decode_image(path, 32)
  assert not ImageFile.LOAD_TRUNCATED_IMAGES


def test_non_image_and_missing_file_raise_decode_error(tmp_path):
  path = tmp_path / "notes.jpg"
  path.write_text("not an image")
  with pytest.raises(images.ImageDecodeError, match="notes.jpg"):
    images.decode_image(path, 32)
  with pytest.raises(images.ImageDecodeError, match="absent.jpg"):
    images.decode_image(tmp_path / "absent.jpg", 32)
