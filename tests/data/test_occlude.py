"""Photos with one square hidden (traitjax.data.occlude)."""

import numpy as np
import pytest

from traitjax.data import occlude
from traitjax.data import schema


def test_the_square_takes_the_photo_s_mean_colour_and_nothing_else_changes():
  image = np.zeros((40, 80, 3), np.uint8)
  image[:, 40:] = 200  # Mean colour 100.
  hidden = occlude.occlude(image, (0.25, 0.5), 0.5)  # A 20 px square at (20, 20).
  changed = np.any(hidden != image, -1)
  rows, columns = np.nonzero(changed)
  assert (rows.min(), rows.max(), columns.min(), columns.max()) == (10, 29, 10, 29)
  assert np.all(hidden[10:30, 10:30] == 100)
  at_edge = occlude.occlude(image, (1.0, 0.0), 0.5)  # Cut by the photo's corner.
  assert np.all(at_edge[:10, 70:] == 100) and np.all(at_edge[10:, :] == image[10:, :])
  with pytest.raises(ValueError, match="occluder side"):
    occlude.occlude(image, (0.5, 0.5), 0.0)


class _Photos:
  """Three photos of two species, each named by its file."""

  trait_table, part_names, image_size = None, (), 8
  seen_species, species_train_counts = np.ones(2, bool), np.ones(2)
  split, labels = "test", np.array([0, 1, 1])

  def __len__(self):
    return 3

  def __getitem__(self, index):
    return {schema.IMAGE: np.full((8, 8, 3), 40 * index, np.uint8),
            schema.SPECIES: np.int32(self.labels[index]), schema.INDEX: np.int32(index)}

  def photo_key(self, index):
    return f"photo_{index}.jpg"


def test_an_occluded_source_names_each_item_by_its_photo_and_square():
  source = _Photos()
  hidden = occlude.OccludedSource(source, [2, 2, 1], [(0.5, 0.5), (0.2, 0.8), (0.5, 0.5)], 0.25)
  assert len(hidden) == 3 and list(hidden.labels) == [1, 1, 1]
  first, second = hidden[0], hidden[1]
  assert first[schema.INDEX] == 0 and second[schema.INDEX] == 1
  assert first[schema.SPECIES] == 1
  np.testing.assert_array_equal(first[schema.IMAGE], source[2][schema.IMAGE])  # One colour.
  assert [hidden.photo_key(k) for k in range(3)] == [
      "photo_2.jpg|occluded=0.5000,0.5000,0.25", "photo_2.jpg|occluded=0.2000,0.8000,0.25",
      "photo_1.jpg|occluded=0.5000,0.5000,0.25"]
