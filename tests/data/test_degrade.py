"""Degraded photos: blur, darkness and partial views on real rendered photos, and a source whose
every photo is degraded."""

import numpy as np
import pytest

from traitjax.data import degrade
from traitjax.data import schema
from traitjax.data import synthetic_flora

STRENGTHS = (0.0, 0.25, 0.5, 0.75, 1.0)


@pytest.fixture(scope="module")
def clean_flora():
  """A small flora whose photos are not degraded by the data (64 px)."""
  config = synthetic_flora.Config(num_species=20, max_train_per_species=40, imbalance=10,
                                 degraded_fraction=0.0)
  return synthetic_flora.FloraSource(synthetic_flora.Flora(config), "test")


@pytest.fixture(scope="module")
def photo(clean_flora):
  return clean_flora[0][schema.IMAGE]


def _high_frequency_energy(image):
  """Mean squared difference between neighbouring pixels."""
  pixels = image.astype(np.float64)
  return np.mean(np.diff(pixels, axis=0) ** 2) + np.mean(np.diff(pixels, axis=1) ** 2)


def test_strength_zero_is_the_identity(photo):
  rng = np.random.default_rng(0)
  np.testing.assert_array_equal(degrade.blur(photo, 0.0), photo)
  np.testing.assert_array_equal(degrade.dark(photo, 0.0, rng), photo)
  np.testing.assert_array_equal(degrade.partial(photo, 0.0, rng)[0], photo)


def test_blur_lowers_high_frequency_energy_monotonically(photo):
  energy = [_high_frequency_energy(degrade.blur(photo, s)) for s in STRENGTHS]
  assert all(a > b for a, b in zip(energy, energy[1:])), energy
  # Sigma 1.6 px at strength 1 on 64 px: most of the pixel-to-pixel energy is gone.
  assert energy[-1] < 0.25 * energy[0]
  assert degrade.blur(photo, 0.5).shape == photo.shape


def test_dark_lowers_brightness_by_its_gain_and_adds_noise(photo):
  means = [degrade.dark(photo, s, np.random.default_rng(1)).mean() for s in STRENGTHS]
  assert all(a > b for a, b in zip(means, means[1:])), means
  darkened = degrade.dark(photo, 0.5, np.random.default_rng(1)).astype(np.float64)
  expected = photo * (1 - 0.5 * degrade.DARK_GAIN)
  assert darkened.mean() == pytest.approx(expected.mean(), abs=0.3)
  assert np.std(darkened - expected) == pytest.approx(0.5 * degrade.DARK_NOISE, rel=0.1)
  # The same generator state gives the same photo.
  np.testing.assert_array_equal(degrade.dark(photo, 0.5, np.random.default_rng(1)),
                                darkened.astype(np.uint8))


def test_partial_shows_a_square_of_the_photo_and_moves_the_keypoints():
  # A horizontal ramp 0..252: a view of side w shows a ramp of about w times the range.
  ramp = np.repeat(np.repeat(np.arange(64, dtype=np.uint8)[None, :, None] * 4, 64, 0), 3, 2)
  for strength in (0.25, 1.0):
    shown, (x0, y0, side) = degrade.partial(ramp, strength, np.random.default_rng(2))
    assert side == pytest.approx(1 - degrade.PARTIAL_SHRINK * strength)
    assert 0 <= x0 <= 1 - side and 0 <= y0 <= 1 - side
    assert shown.shape == ramp.shape
    assert np.ptp(shown[32, :, 0].astype(float)) == pytest.approx(side * 252, abs=6)
    assert shown[32, 0, 0] == pytest.approx(x0 * 256, abs=4)
  # One generator state anchors the views of every strength at the same relative place.
  anchors = [degrade.partial_view(s, np.random.default_rng(3)) for s in (0.25, 0.75)]
  assert anchors[0][0] / (1 - anchors[0][2]) == pytest.approx(anchors[1][0] / (1 - anchors[1][2]))
  parts = np.array([[0.1, 0.1, 1.0], [0.5, 0.5, 1.0], [0.5, 0.5, 0.0]], np.float32)
  moved = degrade.parts_in_view(parts, (0.25, 0.25, 0.5))
  np.testing.assert_allclose(moved, [[0, 0, 0], [0.5, 0.5, 1.0], [0, 0, 0]])


@pytest.mark.parametrize("strength", [-0.1, 1.5])
def test_a_strength_outside_zero_one_is_refused(photo, strength):
  with pytest.raises(ValueError, match="degradation strength must lie in"):
    degrade.blur(photo, strength)
  with pytest.raises(ValueError, match="degradation strength must lie in"):
    degrade.DegradedSource([], "dark", strength)


def test_degraded_source_degrades_every_photo_reproducibly(clean_flora):
  with pytest.raises(ValueError, match="degradation kind must be one of"):
    degrade.DegradedSource(clean_flora, "fog", 0.5)
  dark = degrade.DegradedSource(clean_flora, "dark", 0.5, seed=7)
  assert len(dark) == len(clean_flora) and dark.trait_table is clean_flora.trait_table
  for index in (0, 5):
    original, degraded = clean_flora[index], dark[index]
    np.testing.assert_array_equal(
        degraded[schema.IMAGE],
        degrade.dark(original[schema.IMAGE], 0.5, np.random.default_rng([7, index])))
    np.testing.assert_array_equal(dark[index][schema.IMAGE], degraded[schema.IMAGE])
    assert degraded[schema.DEGRADATION] == schema.DEGRADATIONS.index("dark")
    assert degraded[schema.DEGRADATION_STRENGTH] == np.float32(0.5)
    schema.check_example(degraded, clean_flora.trait_table.num_traits,
                         len(clean_flora.part_names))
    np.testing.assert_array_equal(degraded[schema.TRAITS_VISIBLE], original[schema.TRAITS_VISIBLE])
  partial = degrade.DegradedSource(clean_flora, "partial", 0.75)[0]
  _, view = degrade.partial(clean_flora[0][schema.IMAGE], 0.75, np.random.default_rng([0, 0]))
  np.testing.assert_array_equal(partial[schema.PARTS],
                                degrade.parts_in_view(clean_flora[0][schema.PARTS], view))
  assert np.isnan(partial[schema.TRAITS_VISIBLE]).all()
  assert partial[schema.DEGRADATION] == schema.DEGRADATIONS.index("partial")
