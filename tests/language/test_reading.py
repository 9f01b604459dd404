"""Tests for traitjax.language.reading: each phenomenon of real descriptions on hand-written
sentences."""

import pytest

from traitjax.language import lexicon
from traitjax.language import reading

PLUMAGE = lexicon.PLUMAGE


def said(sentence, without=frozenset()):
  """{(part, aspect, value): (strength, negated)} of a sentence's mentions (sizes by inches)."""
  out = {}
  for m in reading.read_sentence(sentence, frozenset(without)).mentions:
    value = round(m.inches, 1) if m.aspect == lexicon.SIZE else m.value
    out[(m.part, m.aspect, value)] = (round(m.strength, 3), m.negated)
  return out


def colors(sentence, without=frozenset()):
  return {(part, value) for (part, aspect, value), (_, negated) in said(sentence, without).items()
          if aspect == lexicon.COLOR and not negated}


def test_part_synonyms():
  assert colors("It has a yellow beak and a black cap.") == {("bill", "yellow"),
                                                             ("crown", "black")}
  assert ("underparts", "white") in colors("White below, grey above.")
  assert ("upperparts", "grey") in colors("White below, grey above.")
  assert ("back", "olive") in colors("The mantle is olive.")
  assert ("leg", "pink") in colors("Pink feet.")


def test_colour_words_modifiers_and_compounds():
  assert colors("A chestnut crown.") == {("crown", "rufous")}
  assert colors("The throat is buffy.") == {("throat", "buff")}
  # A tone word before a colour modifies it; alone it is a weak colour of its own.
  assert colors("A dark brown back.") == {("back", "brown")}
  assert said("A dark back.")[("back", "color", "black")][0] < 0.5
  assert colors("Black-and-white wings.") == {("wing", "black"), ("wing", "white")}
  assert colors("Greyish-brown upperparts.") == {("upperparts", "grey"),
                                                 ("upperparts", "brown")}
  # A compound adjective names its part: "red-winged" is red wings.
  assert ("wing", "red") in colors("The red-winged blackbird.")


def test_patterns_and_head_markings():
  out = said("Streaked breast, barred tail, a crest and a white eye-ring.")
  assert ("breast", "pattern", "striped") in out and ("tail", "pattern", "striped") in out
  assert ("head", "pattern", "crested") in out and ("head", "pattern", "eyering") in out
  # The colour of a head marking is no part's colour.
  assert ("head", "color", "white") not in out and ("crown", "color", "white") not in out


def test_coordination():
  assert colors("A black head and breast.") == {("head", "black"), ("breast", "black")}
  assert colors("Head and breast black.") == {("head", "black"), ("breast", "black")}
  assert colors("Head black and breast white.") == {("head", "black"), ("breast", "white")}
  assert colors("A red crown and black wings.") == {("crown", "red"), ("wing", "black")}
  assert colors("The bill is long, hooked and yellow.") == {("bill", "yellow")}
  assert ("bill", "shape", "hooked") in said("The bill is long, hooked and yellow.")
  assert colors("A black head and breast.", without={"coordination"}) == {("head", "black")}


def test_negation():
  out = said("It has no wing bars and lacks streaks on the breast.")
  assert out[("wing", "pattern", "striped")][1] is True
  assert out[("breast", "pattern", "striped")][1] is True
  assert said("No wing bars.", without={"negation"})[("wing", "pattern", "striped")][1] is False


def test_contrast_drops_the_other_organism():
  assert colors("Unlike the female, the male has a red crown.") == {("crown", "red")}
  assert colors("Its back is darker than that of a grey gull.") == set()


def test_sex_age_and_season_qualifiers_weigh_what_follows():
  out = said("The male is black, while the female is brown and juveniles are grey.")
  assert out[(PLUMAGE, "color", "black")][0] == 1.0
  assert out[(PLUMAGE, "color", "brown")][0] == lexicon.QUALIFIERS["female"]
  assert out[(PLUMAGE, "color", "grey")][0] == lexicon.QUALIFIERS["juveniles"]
  # Eggs and chicks weigh the whole sentence, wherever they are named.
  assert colors("One white egg is laid.") == set() or all(
      strength == 0 for (_, aspect, _), (strength, _) in said("One white egg is laid.").items()
      if aspect == lexicon.COLOR)


def test_sizes_lengths_and_comparisons():
  assert said("Adults are 16-18 cm long.") == {(PLUMAGE, "size", 6.7): (1.0, False)}
  # A lost dash ("1618 cm") is split; the conversion in parentheses is not a second length.
  assert said("adults are 1618 cm (68 in) long .") == {(PLUMAGE, "size", 6.7): (1.0, False)}
  assert said("Its wingspan is 200 cm.") == {}
  sizes = {value for (_, aspect, value) in said("A sparrow-sized bird.") if aspect == "size"}
  assert sizes == {lexicon.REFERENCE_LENGTHS["sparrow"]}
  larger = [value for (_, aspect, value) in said("Larger than a robin.") if aspect == "size"]
  assert larger and larger[0] > lexicon.REFERENCE_LENGTHS["robin"]
  assert (PLUMAGE, "size", 22.0) in said("A large seabird.")
  assert said("It nests in large colonies.") == {}


def test_families_and_like_comparisons():
  out = said("It is a gull-like bird with a finch-like bill.")
  assert out[(PLUMAGE, "shape", "gull like")][0] == 1.0
  assert ("bill", "shape", "cone") in out
  # A family named in passing counts little.
  passing = said("It is often chased by hawks.")
  assert passing[(PLUMAGE, "shape", "hawk like")][0] == reading.PASSING_FAMILY
  assert said("It is often chased by hawks.", without={"family"}) == {}


def test_values_of_other_nouns_are_not_the_organisms():
  assert colors("It nests on sandy beaches.") == set()
  assert colors("It feeds on red insects.") == set()


def test_sentences_about_appearance():
  assert reading.read_sentence("The crown is red.").about_appearance
  assert reading.read_sentence("Its plumage is unremarkable.").about_appearance
  assert not reading.read_sentence("It breeds on islands in the Pacific.").about_appearance
  assert not reading.read_sentence("It is preyed on by hawks.").about_appearance


def test_the_name_in_the_text_is_read_once():
  text = "The Black-footed Albatross is a large seabird. The Black-footed Albatross nests."
  readings = reading.read_text(text, name="black footed albatross")
  assert not any(m.part == "leg" for r in readings for m in r.mentions)
  assert readings[0].about_appearance and not readings[1].about_appearance


def test_synonyms_can_be_left_out():
  assert colors("A yellow beak.", without={"synonyms"}) == set()
  assert colors("A yellow bill.", without={"synonyms"}) == {("bill", "yellow")}


def test_unknown_features_are_refused():
  with pytest.raises(ValueError, match="unknown reader features"):
    reading.read_sentence("A red crown.", frozenset({"grammar"}))


def landscape(sentence):
  """{(group, value): (strength, negated)} of a sentence's landscape mentions."""
  return {(aspect, value): (strength, negated)
          for (part, aspect, value), (strength, negated) in said(sentence).items()
          if part == lexicon.SCENE}


def test_landscape_phrases_name_characteristics_of_the_tile():
  read = landscape("Small red roofs line a grid of streets beside a wide river.")
  assert read[("roof size", "small")] == (1.0, False)
  assert ("colour", "red") in read and ("building layout", "street grid") in read
  assert read[("water form", "river channel")][1] is False
  # An adjective after its noun: "the parcels are large".
  assert ("field size", "large") in landscape("The parcels are large and square.")
  # "dark green" is not also bright green.
  assert ("colour", "bright green") not in landscape("A dark green canopy.")


def test_landscape_negation_before_after_and_across_a_list():
  read = landscape("There are no hedges, roads or houses.")
  assert read[("linear features", "hedgerows")][1] is True
  assert read[("linear features", lexicon.LANDSCAPE_ANY)][1] is True  # "roads", in the list
  assert read[("building density", lexicon.LANDSCAPE_ANY)][1] is True  # "houses"
  # Denied after it: "absent" denies what comes before, not what follows.
  mentions = reading.read_sentence("Houses are absent or limited to one lone farmstead.").mentions
  assert {(m.aspect, m.value, m.negated) for m in mentions if m.part == lexicon.SCENE} >= {
      ("building density", lexicon.LANDSCAPE_ANY, True),  # houses
      ("building density", lexicon.LANDSCAPE_ANY, False),  # a farmstead
      ("building layout", "isolated", False)}
  # A new clause with its own verb ends the list.
  read = landscape("No water is visible, and a motorway is present.")
  assert read[("water form", lexicon.LANDSCAPE_ANY)][1] is True
  assert read[("linear features", "motorway")][1] is False


def test_a_qualified_group_name_is_denied_only_in_part():
  read = landscape("There are no large fields.")
  strength, negated = read[("field pattern", lexicon.LANDSCAPE_ANY)]
  assert negated and strength == pytest.approx(0.8 * lexicon.QUALIFIED_DENIAL)
  assert ("field pattern", lexicon.LANDSCAPE_ANY) not in {
      key for key, (_, negated) in landscape("There are no large fields.").items()
      if not negated}
  assert landscape("There are no fields.")[("field pattern", lexicon.LANDSCAPE_ANY)] == (
      0.8, True)
