"""Tests for traitjax.data.schema: the TraitTable and the example contract."""

import dataclasses
import json

import numpy as np
import pytest

from traitjax.data import schema
from traitjax.data import synthetic_flora

TRAITS = ("leaf_shape::ovate", "leaf_shape::round", "petal_colour::red", "height")


def _table(values=None):
  if values is None:
    values = [[0.9, 0.1, np.nan, 0.5], [0.0, 1.0, 0.25, np.nan], [0.49, 0.51, 1.0, 0.0]]
  return schema.TraitTable(np.asarray(values, np.float32), species=("a", "b", "c"),
                           traits=TRAITS)


def _random_binary(shape=(300, 60), seed=0):
  values = (np.random.default_rng(seed).random(shape) < 0.5).astype(np.float32)
  return schema.TraitTable(values, species=[f"s{i}" for i in range(shape[0])],
                           traits=[f"g{j // 3}::v{j % 3}" for j in range(shape[1])])


def test_groups_are_derived_from_trait_names():
  """`group::value` gives the group; a name without `::` is its own group."""
  table = _table()
  assert table.groups == ("leaf_shape", "leaf_shape", "petal_colour", "height")
  assert table.group_names() == ("leaf_shape", "petal_colour", "height")
  assert table.group_indices().tolist() == [0, 0, 1, 2]
  assert table.num_species == 3 and table.num_traits == 4
  assert schema.group_of("a::b::c") == "a"
  explicit = schema.TraitTable(np.zeros((1, 2)), species=["x"], traits=["p", "q"],
                               groups=["g", "g"])
  assert explicit.groups == ("g", "g") and explicit.values.dtype == np.float32


@pytest.mark.parametrize("values,species,traits,match", [
    (np.zeros((2, 3)), ["a", "b"], ["t1", "t2"], r"shape \(2, 3\).*\(2 species, 2 traits\)"),
    (np.zeros((3, 2)), ["a", "b"], ["t1", "t2"], r"shape \(3, 2\)"),
    (np.zeros(2), ["a", "b"], ["t1", "t2"], r"shape \(2,\)"),
    ([[0.5, 1.01]], ["a"], ["t1", "t2"], r"\[0, 1\]"),
    ([[-0.01, 0.5]], ["a"], ["t1", "t2"], r"\[0, 1\]"),
    ([[np.nan, 2.0]], ["a"], ["t1", "t2"], r"\[0, 1\]"),
])
def test_invalid_tables_raise(values, species, traits, match):
  """A values matrix of the wrong shape or with values outside [0, 1] is refused."""
  with pytest.raises(ValueError, match=match):
    schema.TraitTable(np.asarray(values, np.float32), species=species, traits=traits)


def test_group_count_must_match_traits():
  """Explicit groups must name one group per trait."""
  with pytest.raises(ValueError, match="1 groups for 2 traits"):
    schema.TraitTable(np.zeros((1, 2)), species=["a"], traits=["x", "y"], groups=["g"])


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_infinite_values_raise(bad):
  """Infinity lies outside [0, 1] and is not NaN, so the table must refuse it."""
  with pytest.raises(ValueError, match=r"\[0, 1\]"):
    schema.TraitTable(np.array([[bad, 0.5]], np.float32), species=["a"], traits=["x", "y"])


def test_threshold_binarises_and_keeps_nan():
  """threshold(level): 1 where value >= level, 0 below, NaN stays NaN."""
  table = _table()
  binary = table.threshold(0.5).values
  expected = np.array([[1, 0, np.nan, 1], [0, 1, 0, np.nan], [0, 1, 1, 0]], np.float32)
  np.testing.assert_array_equal(binary, expected)
  low = table.threshold(0.2).values
  assert low[1, 2] == 1.0 and low[0, 1] == 0.0 and np.isnan(low[0, 2])
  assert table.threshold().species == table.species and table.threshold().traits == TRAITS


def test_rows_selects_and_orders_species():
  """rows() keeps the named species, in the order given, with their values."""
  table = _table()
  picked = table.rows([2, 0])
  assert picked.species == ("c", "a") and picked.traits == TRAITS
  np.testing.assert_array_equal(picked.values, table.values[[2, 0]])
  assert picked.groups == table.groups
  assert table.rows([1, 1]).species == ("b", "b")
  assert table.rows([]).values.shape == (0, 4)


def test_csv_round_trip_keeps_nan_names_and_groups(tmp_path):
  """to_csv / from_csv preserve species, traits, derived groups, values and NaN cells."""
  table = _table([[0.9, 0.1, np.nan, 0.5], [0.0, 1.0, 0.2345678, np.nan],
                  [0.49, 0.51, 1.0, 0.0]])
  path = tmp_path / "table.csv"
  table.to_csv(path)
  lines = path.read_text().splitlines()
  assert lines[0] == "species," + ",".join(TRAITS)
  assert lines[1].startswith("a,0.9,0.1,,")
  loaded = schema.TraitTable.from_csv(path)
  assert loaded.species == table.species and loaded.traits == table.traits
  assert loaded.groups == ("leaf_shape", "leaf_shape", "petal_colour", "height")
  np.testing.assert_array_equal(np.isnan(loaded.values), np.isnan(table.values))
  np.testing.assert_allclose(loaded.values, table.values, atol=1e-6)


def test_json_round_trip_keeps_nan_names_and_groups(tmp_path):
  """to_json / from_json preserve everything, explicit groups included; NaN is null."""
  table = schema.TraitTable(_table().values, species=("a", "b", "c"), traits=TRAITS,
                            groups=("leaf", "leaf", "flower", "size"))
  path = tmp_path / "table.json"
  table.to_json(path)
  payload = json.loads(path.read_text())
  assert payload["values"][0][2] is None and payload["groups"][2] == "flower"
  loaded = schema.TraitTable.from_json(path)
  assert loaded.species == table.species and loaded.traits == table.traits
  assert loaded.groups == table.groups
  np.testing.assert_array_equal(loaded.values, table.values)  # NaN compares equal here.


def test_from_json_without_groups_derives_them(tmp_path):
  """A JSON table without a groups field gets groups from the trait names."""
  path = tmp_path / "table.json"
  path.write_text(json.dumps({"species": ["a"], "traits": ["x::1", "x::2", "y"],
                              "values": [[1, None, 0]]}))
  loaded = schema.TraitTable.from_json(path)
  assert loaded.groups == ("x", "x", "y")
  np.testing.assert_array_equal(loaded.values, [[1, np.nan, 0]])
  path.write_text(json.dumps({"species": ["a"], "values": [[1]]}))
  with pytest.raises(ValueError, match=r"table.json: missing field 'traits'"):
    schema.TraitTable.from_json(path)


def test_from_csv_errors_name_file_and_line(tmp_path):
  """A bad CSV row is reported as path:line with what is wrong."""
  path = tmp_path / "bad.csv"
  path.write_text("species,x::1,x::2\na,1,0\nb,0.5,oops\n")
  with pytest.raises(ValueError, match=r"bad\.csv:3: .*oops"):
    schema.TraitTable.from_csv(path)
  path.write_text("species,x::1,x::2\na,1,0\nb,1,0\nc,1\n")
  with pytest.raises(ValueError, match=r"bad\.csv:4: 1 values for 2 traits"):
    schema.TraitTable.from_csv(path)
  path.write_text("name,x::1\na,1\n")
  with pytest.raises(ValueError, match=r"bad\.csv: the header must start with 'species'"):
    schema.TraitTable.from_csv(path)
  path.write_text("species,x::1\na,1.5\n")
  with pytest.raises(ValueError, match=r"\[0, 1\]"):
    schema.TraitTable.from_csv(path)


def test_missing_files_raise_file_not_found_naming_the_path(tmp_path):
  """from_csv and from_json raise FileNotFoundError with the path in the message."""
  for reader, name in ((schema.TraitTable.from_csv, "absent.csv"),
                       (schema.TraitTable.from_json, "absent.json")):
    path = tmp_path / name
    with pytest.raises(FileNotFoundError, match=str(path)):
      reader(path)


def test_add_noise_realises_the_configured_rates():
  """Missing, false-positive and false-negative rates land within 2 points of the settings.

  On 300 x 60 cells (about 9000 per class) the standard error of each rate is under 0.5
  points, so 2 points is more than 4 standard errors.
  """
  table = _random_binary()
  clean = table.values
  noisy = table.add_noise(np.random.default_rng(1), false_positive=0.1, false_negative=0.2,
                          missing=0.15).values
  missing = np.isnan(noisy)
  known = ~missing
  assert abs(missing.mean() - 0.15) < 0.02
  fp = noisy[known & (clean == 0)].mean()
  fn = 1.0 - noisy[known & (clean == 1)].mean()
  assert abs(fp - 0.1) < 0.02 and abs(fn - 0.2) < 0.02
  assert set(np.unique(noisy[known])) == {0.0, 1.0}
  # Going missing does not depend on the value.
  assert abs(missing[clean == 1].mean() - missing[clean == 0].mean()) < 0.03


def test_add_noise_with_zero_rates_keeps_a_binary_table():
  """Rates of 0 leave a binary table as it is, NaN cells included."""
  values = _random_binary(seed=3).values
  values[::7, ::5] = np.nan
  table = schema.TraitTable(values, species=[f"s{i}" for i in range(300)],
                            traits=[f"t{j}" for j in range(60)])
  noisy = table.add_noise(np.random.default_rng(0))
  np.testing.assert_array_equal(noisy.values, table.values)
  assert noisy.species == table.species and noisy.traits == table.traits


def test_add_noise_binarises_graded_values_and_checks_rates():
  """Graded values are thresholded at 0.5; a rate outside [0, 1] names itself."""
  table = _table()
  noisy = table.add_noise(np.random.default_rng(0)).values
  np.testing.assert_array_equal(noisy, table.threshold(0.5).values)
  with pytest.raises(ValueError, match="false_negative rate"):
    table.add_noise(np.random.default_rng(0), false_negative=1.5)
  with pytest.raises(ValueError, match="missing rate"):
    table.add_noise(np.random.default_rng(0), missing=-0.1)
  every = table.add_noise(np.random.default_rng(0), false_positive=1.0, false_negative=1.0)
  known = ~np.isnan(table.values)
  np.testing.assert_array_equal(every.values[known], 1.0 - table.threshold().values[known])


def test_add_noise_on_a_graded_table_keeps_frequencies_and_flips_v_to_one_minus_v():
  table = _table()
  np.testing.assert_array_equal(
      table.add_noise(np.random.default_rng(0), graded=True).values, table.values)
  every = table.add_noise(np.random.default_rng(0), false_positive=1.0, false_negative=1.0,
                          graded=True)
  known = ~np.isnan(table.values)
  np.testing.assert_allclose(every.values[known], 1.0 - table.values[known])


def test_image_to_float_maps_to_minus_one_one():
  """0 -> -1, 255 -> 1, float32."""
  out = schema.image_to_float(np.array([0, 255, 51], np.uint8))
  assert out.dtype == np.float32
  np.testing.assert_allclose(out, [-1.0, 1.0, 51 * 2 / 255 - 1], atol=1e-6)


@pytest.fixture(scope="module")
def flora_example():
  flora = synthetic_flora.Flora(synthetic_flora.Config(num_species=20, max_train_per_species=40,
                                                imbalance=10))
  return synthetic_flora.FloraSource(flora, "train")[0]


def test_check_example_accepts_a_flora_example(flora_example):
  """A FloraSource example meets the contract."""
  num_parts = len(synthetic_flora.flora_render.PART_NAMES)
  schema.check_example(flora_example, len(synthetic_flora.TRAIT_NAMES), num_parts)
  with pytest.raises(ValueError, match="'traits'.*shape"):
    schema.check_example(flora_example, len(synthetic_flora.TRAIT_NAMES) + 1, num_parts)
  with pytest.raises(ValueError, match="'parts'.*shape"):
    schema.check_example(flora_example, len(synthetic_flora.TRAIT_NAMES), num_parts + 1)


@pytest.mark.parametrize("key,value,match", [
    ("image", np.zeros((8, 8, 3), np.float32), "'image'.*float32.*uint8"),
    ("species", np.int64(3), "'species'.*int64.*int32"),
    ("traits", np.zeros(42, np.float64), "'traits'.*float64.*float32"),
    ("valid", np.int32(1), "'valid'.*int32.*bool"),
    ("image", np.zeros((8, 8), np.uint8), r"'image'.*\[H, W, 3\]"),
])
def test_check_example_rejects_wrong_dtype_or_shape(flora_example, key, value, match):
  """The first key with the wrong dtype (or image shape) is named."""
  with pytest.raises(ValueError, match=match):
    schema.check_example({**flora_example, key: value}, 42, 5)


def test_check_example_names_missing_keys(flora_example):
  """Missing keys are listed."""
  example = dict(flora_example)
  del example["index"], example["valid"]
  with pytest.raises(ValueError, match=r"lacks keys \['index', 'valid'\]"):
    schema.check_example(example, 42, 5)


def test_csv_tolerates_blank_lines(tmp_path):
  """Blank lines (a trailing newline from an editor) are not species rows."""
  path = tmp_path / "table.csv"
  path.write_text("species,g::a,g::b\nfirst,1,\n\nsecond,0,0.5\n\n")
  table = schema.TraitTable.from_csv(path)
  assert table.species == ("first", "second")
  np.testing.assert_array_equal(table.values, [[1, np.nan], [0, 0.5]])


def test_with_rows_replaces_the_named_species_rows_matching_traits_by_name():
  table = _table()
  parsed = schema.TraitTable(np.array([[0.2, np.nan, 0.7, 1.0]], np.float32), species=("b",),
                             traits=TRAITS[::-1])
  replaced = table.with_rows(parsed)
  np.testing.assert_array_equal(replaced.values[[0, 2]], table.values[[0, 2]])
  np.testing.assert_allclose(replaced.values[1], [1.0, 0.7, np.nan, 0.2], rtol=1e-6)
  with pytest.raises(ValueError, match="not in the table"):
    table.with_rows(dataclasses.replace(parsed, species=("z",)))
  with pytest.raises(ValueError, match="traits differ"):
    table.with_rows(schema.TraitTable(np.zeros((1, 3), np.float32), species=("b",),
                                      traits=TRAITS[:3]))



def test_with_species_replaces_known_rows_and_appends_new_ones_after_the_others():
  """A species described but never in the table joins as a new last row (the others keep
  their row numbers); a known one has its row replaced; traits are matched by name."""
  table = _table()
  rows = schema.TraitTable(np.array([[0.2, np.nan, 0.7, 1.0], [0.0, 0.5, 1.0, 0.25]],
                                    np.float32), species=("new", "b"), traits=TRAITS[::-1])
  extended = table.with_species(rows)
  assert extended.species == table.species + ("new",)
  np.testing.assert_array_equal(extended.values[[0, 2]], table.values[[0, 2]])
  np.testing.assert_allclose(extended.values[1], [0.25, 1.0, 0.5, 0.0])
  np.testing.assert_allclose(extended.values[3], [1.0, 0.7, np.nan, 0.2], rtol=1e-6)
  assert extended.traits == table.traits and extended.groups == table.groups
  with pytest.raises(ValueError, match="traits differ"):
    table.with_species(schema.TraitTable(np.zeros((1, 3), np.float32), species=("new",),
                                         traits=TRAITS[:3]))