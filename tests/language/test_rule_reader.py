"""Tests for traitjax.language.rule_reader: each phenomenon of real descriptions on hand-written
sentences."""

import pytest

from traitjax.language import part_reader
from traitjax.language import rule_reader
from traitjax.language import terms
from traitjax.language.terms import general
from traitjax.language.terms import landscapes
from traitjax.language.terms import phrase_table
from traitjax.language.terms import plants

PLUMAGE = general.PLUMAGE


def said(sentence, without=frozenset(), tables=(landscapes.SCENE,)):
  """{(part, aspect, value): (strength, negated)} of a sentence's mentions (sizes by inches),
  landscape phrases read."""
  out = {}
  for m in rule_reader.read_sentence(sentence, frozenset(without), tables).mentions:
    value = round(m.inches, 1) if m.aspect == general.SIZE else m.value
    out[(m.part, m.aspect, value)] = (round(m.strength, 3), m.negated)
  return out


def colors(sentence, without=frozenset()):
  return {(part, value) for (part, aspect, value), (_, negated) in said(sentence, without).items()
          if aspect == general.COLOR and not negated}


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
  assert out[(PLUMAGE, "color", "brown")][0] == general.QUALIFIERS["female"]
  assert out[(PLUMAGE, "color", "grey")][0] == general.QUALIFIERS["juveniles"]
  # Eggs and chicks weigh the whole sentence, wherever they are named.
  assert colors("One white egg is laid.") == set() or all(
      strength == 0 for (_, aspect, _), (strength, _) in said("One white egg is laid.").items()
      if aspect == general.COLOR)


def test_sizes_lengths_and_comparisons():
  assert said("Adults are 16-18 cm long.") == {(PLUMAGE, "size", 6.7): (1.0, False)}
  # A lost dash ("1618 cm") is split; the conversion in parentheses is not a second length.
  assert said("adults are 1618 cm (68 in) long .") == {(PLUMAGE, "size", 6.7): (1.0, False)}
  assert said("Its wingspan is 200 cm.") == {}
  sizes = {value for (_, aspect, value) in said("A sparrow-sized bird.") if aspect == "size"}
  assert sizes == {general.REFERENCE_LENGTHS["sparrow"]}
  larger = [value for (_, aspect, value) in said("Larger than a robin.") if aspect == "size"]
  assert larger and larger[0] > general.REFERENCE_LENGTHS["robin"]
  assert (PLUMAGE, "size", 22.0) in said("A large seabird.")
  assert said("It nests in large colonies.") == {}


def test_families_and_like_comparisons():
  out = said("It is a gull-like bird with a finch-like bill.")
  assert out[(PLUMAGE, "shape", "gull like")][0] == 1.0
  assert ("bill", "shape", "cone") in out
  # A family named in passing counts little.
  passing = said("It is often chased by hawks.")
  assert passing[(PLUMAGE, "shape", "hawk like")][0] == part_reader.PASSING_FAMILY
  assert said("It is often chased by hawks.", without={"family"}) == {}


def test_values_of_other_nouns_are_not_the_organisms():
  assert colors("It nests on sandy beaches.") == set()
  assert colors("It feeds on red insects.") == set()


def test_sentences_about_appearance():
  assert rule_reader.read_sentence("The crown is red.").about_appearance
  assert rule_reader.read_sentence("Its plumage is unremarkable.").about_appearance
  assert not rule_reader.read_sentence("It breeds on islands in the Pacific.").about_appearance
  assert not rule_reader.read_sentence("It is preyed on by hawks.").about_appearance


def test_the_name_in_the_text_is_read_once():
  text = "The Black-footed Albatross is a large seabird. The Black-footed Albatross nests."
  readings = rule_reader.read_text(text, name="black footed albatross")
  assert not any(m.part == "leg" for r in readings for m in r.mentions)
  assert readings[0].about_appearance and not readings[1].about_appearance


def test_synonyms_can_be_left_out():
  assert colors("A yellow beak.", without={"synonyms"}) == set()
  assert colors("A yellow bill.", without={"synonyms"}) == {("bill", "yellow")}


def test_unknown_features_are_refused():
  with pytest.raises(ValueError, match="unknown reader features"):
    rule_reader.read_sentence("A red crown.", frozenset({"grammar"}))


def landscape(sentence):
  """{(group, value): (strength, negated)} of a sentence's landscape mentions."""
  return {(aspect, value): (strength, negated)
          for (part, aspect, value), (strength, negated) in said(sentence).items()
          if part == landscapes.SCENE}


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
  assert read[("linear features", phrase_table.GROUP_ANY)][1] is True  # "roads", in the list
  assert read[("building density", phrase_table.GROUP_ANY)][1] is True  # "houses"
  # Denied after it: "absent" denies what comes before, not what follows.
  found = rule_reader.read_sentence("Houses are absent or limited to one lone farmstead.",
                                       tables=(landscapes.SCENE,)).mentions
  assert {(m.aspect, m.value, m.negated) for m in found if m.part == landscapes.SCENE} >= {
      ("building density", phrase_table.GROUP_ANY, True),  # houses
      ("building density", phrase_table.GROUP_ANY, False),  # a farmstead
      ("building layout", "isolated", False)}
  # A new clause with its own verb ends the list.
  read = landscape("No water is visible, and a motorway is present.")
  assert read[("water form", phrase_table.GROUP_ANY)][1] is True
  assert read[("linear features", "motorway")][1] is False


def test_a_qualified_group_name_is_denied_only_in_part():
  read = landscape("There are no large fields.")
  strength, negated = read[("field pattern", phrase_table.GROUP_ANY)]
  assert negated and strength == pytest.approx(0.8 * phrase_table.QUALIFIED_DENIAL)
  assert ("field pattern", phrase_table.GROUP_ANY) not in {
      key for key, (_, negated) in landscape("There are no large fields.").items()
      if not negated}
  assert landscape("There are no fields.")[("field pattern", phrase_table.GROUP_ANY)] == (
      0.8, True)


def plant(sentence, without=frozenset()):
  """{(group, value): (strength, negated)} of a sentence's plant mentions."""
  return {(aspect, value): (strength, negated) for (part, aspect, value), (strength, negated)
          in said(sentence, without, tables=(plants.PLANT,)).items() if part == plants.PLANT}


def named(sentence):
  """The (group, value) a sentence says of a plant, not denied."""
  return {key for key, (_, negated) in plant(sentence).items() if not negated}


def test_plant_phrases_read_each_group():
  assert named("A small tree or multistemmed shrub.") >= {("growth form", "tree"),
                                                          ("growth form", "shrub")}
  assert ("leaf type", "pinnately compound") in named("Leaves pinnately compound, 7 leaflets.")
  assert ("leaf type", "bipinnately compound") in named("The leaves are twice compound.")
  assert ("leaf type", "pinnately compound") not in named("The leaves are bipinnately compound.")
  assert ("leaf type", "needle") in named("Flattened needles arranged spirally on the shoots.")
  assert ("leaf type", "scale") in named("Tiny scale-like leaves.")
  assert ("leaf arrangement", "opposite") in named("Leaves opposite, lance-shaped.")
  assert ("leaf arrangement", "whorled") in named("Leaves in whorls of three.")
  assert ("leaf shape", "lanceolate") in named("Leaves opposite, lance-shaped.")
  assert ("leaf shape", "ovate") in named("Egg-shaped leaves.")
  assert ("leaf shape", "heart shaped") in named("The leaves are heart-shaped.")
  assert ("leaf margin", "doubly serrate") in named("A doubly serrate margin.")
  assert ("leaf margin", "serrate") in named("Leaves finely toothed.")
  assert ("leaf lobing", "palmately lobed") in named("Leaves hand-shaped, with 5 lobes.")
  assert ("leaf lobing", "pinnately lobed") in named("Leaves deeply pinnately lobed.")
  assert ("leaf venation", "palmate") in named("The venation is palmate.")
  assert ("leaf base", "asymmetric") in named("The leaf base is asymmetrical.")
  assert ("needle bundle", "five") in named("Needles in bundles of five.")
  assert ("needle bundle", "two") in named("Needles are borne in pairs.")
  assert ("needle bundle", "three") in named("Needles 3 per fascicle.")
  assert ("petiole", "flattened") in named("A long, flattened petiole.")
  assert ("petiole", "long") in named("Long-stalked leaves.")
  assert ("flower showiness", "showy") in named("Showy white flowers in spring.")
  assert ("flower symmetry", "bilateral") in named("Pea-like flowers.")
  assert ("inflorescence", "catkin") in named("Flowers in drooping catkins.")
  assert ("inflorescence", "panicle") in named("Yellow flowers in large panicles.")
  assert ("flower sex", "separate sexes") in named(
      "Male and female flowers on separate trees.")
  assert ("flower sex", "perfect") in named("The flowers are perfect.")
  assert ("fruit type", "samara") in named("The fruit is a winged key.")
  assert ("fruit type", "acorn") in named("Acorns ripen in one year.")
  assert ("fruit type", "pod") in named("Long flat pods hang all winter.")
  assert ("fruit type", "ball") in named("The fruit is a spiky ball.")
  assert ("cone position", "upright") in named("Cones upright on the branches.")
  assert ("cone position", "hanging") in named("The cones are pendulous.")
  assert ("bark texture", "peeling") in named("The bark is peeling in papery strips.")
  assert ("bark texture", "furrowed") in named("Bark deeply furrowed.")
  assert ("bark texture", "plated") in named("Dark bark broken into blocky plates.")


def test_plant_negation_before_after_and_across_a_list():
  read = plant("The leaves are not lobed.")
  assert read[("leaf lobing", phrase_table.GROUP_ANY)][1] is True
  assert plant("Leaves without teeth.")[("leaf margin", phrase_table.GROUP_ANY)][1] is True
  assert named("The margin is untoothed.") >= {("leaf margin", "entire")}
  assert plant("Petals are absent.")[("flower showiness", phrase_table.GROUP_ANY)][1] is True
  assert ("flower showiness", "inconspicuous") in named("The flowers are inconspicuous.")
  # A negation carries over the commas of a plant's description only within its clause.
  read = plant("Flowers small, without petals, borne in clusters.")
  assert read[("flower showiness", phrase_table.GROUP_ANY)][1] is True
  assert read[("inflorescence", "cluster")][1] is False
  read = plant("No petals or sepals.")
  assert read[("flower showiness", phrase_table.GROUP_ANY)][1] is True


def test_plant_colours_attach_to_their_organ():
  read = named("A tree with white flowers and red berries; the bark is gray.")
  assert {("flower color", "white"), ("fruit color", "red"), ("bark color", "gray")} <= read
  assert not {("flower color", "red"), ("fruit color", "white"), ("bark color", "white"),
              ("bark color", "reddish")} & read
  # A later clause speaks of the sentence's organ; a noun after its linking verb is it.
  read = named("The fruit is a cone-like catkin 2-3 cm long, brown, breaking apart.")
  assert ("fruit color", "brown") in read and ("flower color", "brown") not in read
  assert ("fruit color", "green") in named("The fruit is a samara, green turning brown.")
  # A colour said of no organ, or a scent, is no organ's colour.
  assert not {key for key in named("It is green.") if "color" in key[0]}
  assert ("flower color", "yellow") not in named("Showy lemon-scented flowers.")
  # "dark green leaves" is no dark bark.
  assert ("bark color", "dark") not in named("Dark green leaves; bark smooth.")


def test_plant_lengths_give_organ_size_classes():
  assert ("leaf size", "medium") in named("Leaves 5-10 cm long.")
  assert ("leaf size", "small") in named("It has 2 cm long leaves.")
  assert ("leaf size", "large") in named("The leaves are up to 40 cm long.")
  read = named("Pale brown cones are 6-12 cm long.")
  assert {("fruit type", "cone"), ("fruit size", "large"), ("fruit color", "brown")} <= read
  assert ("fruit size", "small") in named("Berries 6 mm across.")
  # A height is no organ's size; a leaf's width is not its length.
  assert not {key for key in named("It grows 15-25 m tall with simple leaves.")
              if "size" in key[0]}
  assert ("leaf size", "small") not in named("Leaves 12 cm long and 4 cm wide.")
  assert plant("Leaves 5-10 cm long.", without={"size"}) == {}


def test_plant_phrases_are_read_only_when_asked():
  sentence = "Leaves opposite, palmately lobed; white flowers."
  assert not [m for m in rule_reader.read_sentence(sentence).mentions
              if m.part in terms.PHRASE_TABLES]
  with pytest.raises(ValueError, match="unknown phrase tables"):
    rule_reader.read_sentence(sentence, tables=("fungus",))
