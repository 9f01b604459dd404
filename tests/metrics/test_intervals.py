"""Wilson intervals against values computed by hand."""

import pytest

from traitjax.metrics import intervals


def test_wilson_matches_the_formula_and_stays_in_bounds():
  # 0.488125 of 1600 photos: the reasoning page's [46.4, 51.3]%.
  low, high = intervals.wilson(0.488125, 1600)
  assert (round(low, 3), round(high, 3)) == (0.464, 0.513)
  low, high = intervals.wilson(0.0, 10)
  assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)  # 3.84 / 13.84
  assert intervals.wilson(1.0, 10)[1] == pytest.approx(1.0)
  with pytest.raises(ValueError, match="one photo"):
    intervals.wilson(0.5, 0)
