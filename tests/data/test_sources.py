"""Sources built from other sources."""

import numpy as np
import pytest

from traitjax.data import schema
from traitjax.data import sources
from traitjax.data import synthetic


def test_a_subset_spreads_evenly_and_counts_its_examples_from_zero():
  source = synthetic.FloraSource(synthetic.Flora(synthetic.FloraConfig(
      num_species=20, max_train_per_species=40, imbalance=10, test_per_species=3)), "test")
  photos = sources.Subset.evenly_spaced(source, 7)
  np.testing.assert_array_equal(photos.indices, [0, 6, 13, 20, 27, 34, 41])
  assert len(source) == 48
  np.testing.assert_array_equal(photos.labels, source.labels[photos.indices])
  example = photos[2]
  assert example[schema.INDEX] == 2
  np.testing.assert_array_equal(example[schema.IMAGE], source[13][schema.IMAGE])
  assert len(sources.Subset.evenly_spaced(source, 0)) == len(source)
  with pytest.raises(ValueError, match=r"subset indices must lie in \[0, 48\)"):
    sources.Subset(source, [48])
