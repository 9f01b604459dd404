"""A user's photo files: found in folders, read whole under the batch contract."""

import numpy as np
from PIL import Image
import pytest

from traitjax.data import images
from traitjax.data import photo_files
from traitjax.data import schema


def test_find_takes_files_as_given_and_a_folders_photos_by_name(tmp_path):
  folder = tmp_path / "photos"
  (folder / "nested").mkdir(parents=True)
  for name in ("b.PNG", "a.jpg", "notes.txt", "nested/c.jpg"):
    (folder / name).write_bytes(b"x")
  odd = tmp_path / "photo_without_extension"
  odd.write_bytes(b"x")
  assert photo_files.find([str(folder), str(odd)]) == [
      str(folder / "a.jpg"), str(folder / "b.PNG"), str(odd)]
  with pytest.raises(FileNotFoundError, match="missing.jpg"):
    photo_files.find([str(tmp_path / "missing.jpg")])
  empty = tmp_path / "empty"
  empty.mkdir()
  (empty / "readme.txt").write_text("no photos here")
  with pytest.raises(ValueError, match="no photo files"):
    photo_files.find([str(empty)])


def test_read_gives_the_whole_photo_at_the_model_size_with_nothing_known(tmp_path):
  """A 40 x 20 photo, left half red and right half blue, squashed to 16 x 16: the halves stay
  halves (no crop); species unknown, traits NaN, no keypoints."""
  pixels = np.zeros((20, 40, 3), np.uint8)
  pixels[:, :20, 0] = 255
  pixels[:, 20:, 2] = 255
  Image.fromarray(pixels).save(tmp_path / "photo.png")
  example = photo_files.read(str(tmp_path / "photo.png"), 16, num_traits=5, num_parts=3,
                             index=7)
  schema.check_example(example, num_traits=5, num_parts=3)
  image = example[schema.IMAGE]
  assert image.shape == (16, 16, 3)
  assert image[:, :7, 0].min() == 255 and image[:, 9:, 2].min() == 255
  assert example[schema.SPECIES] == -1 and example[schema.INDEX] == 7
  assert np.isnan(example[schema.TRAITS]).all() and not example[schema.PARTS].any()


def test_read_names_an_unreadable_file(tmp_path):
  broken = tmp_path / "broken.jpg"
  broken.write_bytes(b"\xff\xd8\xff not really a jpeg")
  with pytest.raises(images.ImageDecodeError, match="broken.jpg"):
    photo_files.read(str(broken), 16, num_traits=5, num_parts=3)


def test_read_pads_to_a_black_square_when_the_source_does(tmp_path):
  path = tmp_path / "wide.png"
  Image.new("RGB", (40, 20), (200, 100, 50)).save(path)
  squashed = photo_files.read(str(path), 16, 3, 0)[schema.IMAGE]
  padded = photo_files.read(str(path), 16, 3, 0, pad_to_square=True)[schema.IMAGE]
  assert (squashed > 0).all()  # The photo fills the square.
  assert (padded[:3] == 0).all() and (padded[-3:] == 0).all()  # Black above and below.
  np.testing.assert_array_equal(padded[8, 8], [200, 100, 50])
