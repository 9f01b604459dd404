"""Grammar that holds for every shipped vocabulary: the present and absent phrasing of every trait
of CUB, the synthetic flora, EuroSAT (automatic and with its phrase file) and the Leafsnap guide
checked against explicit rules, and the rationale and description built from them."""

import re

import numpy as np
import pytest

from tests import conftest
from traitjax import paths
from traitjax.data import cub
from traitjax.data import eurosat
from traitjax.data import synthetic_flora
from traitjax.data import vocabulary
from traitjax.explanations import phrasing
from traitjax.explanations import roles
from traitjax.explanations import wording
from traitjax.language import phrases

_QUANTITIES = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|many|few|several"
               "|numerous|multiple|single")
# One stem written twice, the value and its group's name ("showy flower showiness").
_DOUBLED = (r"\b(\w{3,}?)(?:s|es|e|y|iness|ness|ing|ed)?\b.*"
            r"\b\1(?:s|es|e|y|iness|ness|ing|ed)?\b")
# (pattern, why it is wrong) anywhere in a phrase or a sentence.
WORD_RULES = (
    (r"_", "an underscore left over from the trait name"),
    (r"::", "the group separator left over from the trait name"),
    (r"\bhas\b", "the 'has_' prefix of a group name"),
    (rf"\bno (?:{_QUANTITIES}|\d)", "'no' before a number or quantity ('no five petals', "
                                    "'no many needles'): a quantity is 'not' five"),
    (r"\bno (?:a|an|the)\b", "'no' before an article ('no a river channel')"),
    (r"\bno (?:mostly|partly|moderately|largely|mainly|very|slightly)\b",
     "'no' before a degree adverb ('no mostly cropland'): 'not mostly'"),
    (r"\b(?:no|not|some) (?:no|not|some)\b", "two negations or quantifiers in a row ('some no "
                                             "fruit')"),
    (r"\b(\w+) \1\b", "a word written twice in a row"),
)
# (pattern, why it is wrong) for every phrase, present or absent, besides `WORD_RULES`.
PHRASE_RULES = WORD_RULES + (
    (_DOUBLED, "a group word doubled: the value and the group's name from one stem ('showy "
               "flower showiness', 'separate sexes flower sex', 'pinnately lobed leaf lobing')"),
    (r"\b(?:type|showiness|sex|lobing|position|density|layout|structure)$",
     "ends in its group's category word, a label rather than what the photo shows ('samara "
     "fruit type', 'upright cone position')"),
    (r"^no .*\bthan\b", "'no' before a comparison denies the part ('no bill longer than head')"),
    (r"^no .*\bwith\b", "'no' before 'X with Y' denies the part ('no head with eyebrow')"),
    (r"\ban [^aeiou\W]|\ba (?!uni|use|eu|one)[aeiou]", "a wrong article ('an unique', 'a "
                                                      "eyebrow')"),
    (r"^\s|\s$|\s\s", "stray spaces"),
    (r"\(\s*\)|\(\s|\s\)", "an empty or badly spaced parenthesis"),
    (r"^[^(]*\)|\([^)]*$", "an unbalanced parenthesis"),
    (r"^[A-Z]", "a capital first letter: sentences capitalise their own first word"),
)
# (pattern, why) that a present phrase must not match.
PRESENT_RULES = (
    (r"\b(?:not|without)\b", "a present trait worded as missing"),
)
# (pattern, why) that an absent phrase must match.
ABSENT_MUST = (
    (r"^(?:no|not|some)\b|\b(?:not|without)\b", "an absent trait not worded as missing"),
)
# (pattern, why) for whole sentences (rationales, descriptions), besides `WORD_RULES`.
SENTENCE_RULES = WORD_RULES + (
    (r"\bshows (?:no|not)\b", "an absence after 'shows' ('the photo shows no five petals')"),
)
# Outputs of the explanation pages before these rules, each broken by at least one.
KNOWN_BAD = ("no many needle bundle", "showy flower showiness", "separate sexes flower sex",
             "no five petals", "pinnately lobed leaf lobing", "has_bill_shape::dagger",
             "no a river channel", "no mostly cropland", "no bill longer than head",
             "samara fruit type", "no head with eyebrow")


def _cub():
  if not conftest.CUB25.is_dir():
    pytest.skip(f"CUB data not found at {conftest.CUB25}")
  return cub.read_species_table(conftest.CUB25).traits, None


def _eurosat(with_phrase_file):
  overrides = phrases.read_phrase_overrides(
      paths.repo_path("data", "traits", "eurosat_phrases.json")) if with_phrase_file else None
  return vocabulary.read_traits(eurosat.VOCABULARY), overrides


VOCABULARIES = {
    "cub": _cub,
    "flora": lambda: (synthetic_flora.TRAIT_NAMES, None),
    "eurosat": lambda: _eurosat(False),
    "eurosat_phrase_file": lambda: _eurosat(True),
    "leafsnap": lambda: (vocabulary.read_traits(
        paths.repo_path("data", "traits", "leafsnap.txt")), None),
}


@pytest.fixture(params=sorted(VOCABULARIES))
def vocab(request):
  """(name, traits, their phrasings) of one shipped vocabulary."""
  traits, overrides = VOCABULARIES[request.param]()
  return request.param, tuple(traits), phrasing.trait_phrasings(traits, overrides)


def _broken(text, rules):
  return [why for pattern, why in rules if re.search(pattern, text)]


def test_the_rules_catch_the_known_bad_phrases():
  for bad in KNOWN_BAD:
    assert _broken(bad, PHRASE_RULES), bad
  assert _broken("Not B (4%): the photo shows no five petals.", SENTENCE_RULES)


def test_every_trait_of_every_vocabulary_is_phrased_by_the_rules(vocab):
  name, traits, phrased = vocab
  assert len(traits) > 10, name
  problems = []
  for trait, words in zip(traits, phrased):
    for text, rules in ((words.present, PHRASE_RULES + PRESENT_RULES),
                        (words.absent, PHRASE_RULES)):
      problems += [(trait, text, why) for why in _broken(text, rules)]
    problems += [(trait, words.absent, why) for pattern, why in ABSENT_MUST
                 if not re.search(pattern, words.absent)]
    if words.present == words.absent:
      problems.append((trait, words.absent, "the same words present and absent"))
  assert not problems, "\n".join(map(str, problems))
  presents = [words.present for words in phrased]
  assert len(set(presents)) == len(presents), name  # Two traits never read the same.


@pytest.mark.parametrize("name, present, absent", [
    ("has_needle_bundle::many", "many needles per bundle", "not many needles per bundle"),
    ("has_needle_bundle::single", "one needle per bundle", "not one needle per bundle"),
    ("petal_count::five", "five petals", "not five petals"),
    ("has_flower_showiness::showy", "showy flowers", "no showy flowers"),
    ("has_flower_sex::separate_sexes", "flowers with separate sexes",
     "flowers without separate sexes"),
    ("has_leaf_lobing::pinnately_lobed", "pinnately lobed leaves", "no pinnately lobed leaves"),
    ("has_leaf_arrangement::alternate", "alternate leaves", "no alternate leaves"),
    ("has_belly_color::yellow", "yellow belly", "no yellow belly"),
    ("has_under_tail_color::black", "black undertail", "no black undertail"),
    ("has_bill_length::longer_than_head", "bill longer than head", "bill not longer than head"),
    ("has_head_pattern::eyebrow", "head with an eyebrow", "head without an eyebrow"),
    ("has_size::small_(5_-_9_in)", "small size (5-9 in)", "size not small (5-9 in)"),
    ("has_leaf_size::small_(under_5_cm)", "small leaves (under 5 cm)",
     "no small leaves (under 5 cm)"),
    ("fruit::none", "no fruit", "some fruit"),
    ("has_fruit_type::samara", "samara fruit", "no samara fruit"),
])
def test_phrasings_of_single_traits(name, present, absent):
  assert phrasing.trait_phrasing(name) == (present, absent)


@pytest.mark.parametrize("phrase, absent", [
    ("a river channel", "no river channel"), ("the sea", "no sea"),
    ("mostly cropland", "not mostly cropland"), ("no roads or hedges", "some roads or hedges"),
    ("five petals", "not five petals"), ("shrubs", "no shrubs"),
])
def test_an_override_phrase_is_shown_as_written_and_its_absence_worded_from_it(phrase, absent):
  assert phrasing.trait_phrasing("has_x::y", phrase) == (phrase, absent)


@pytest.mark.parametrize("name, shown", [
    ("001.Black_footed_Albatross", "Black-footed Albatross"),
    ("159.Black_and_white_Warbler", "Black-and-white Warbler"),
    ("187.American_Three_toed_Woodpecker", "American Three-toed Woodpecker"),
    ("017.Cardinal", "Cardinal"),
    ("HerbaceousVegetation", "Herbaceous Vegetation"), ("Highway", "Highway"),
    ("Acer campestre", "Acer campestre"), ("Acer_rubrum", "Acer rubrum"),
    ("Zanoia rubra 003", "Zanoia rubra 003"),
])
def test_species_are_shown_by_readable_names(name, shown):
  assert phrasing.display_name(name) == shown


def test_the_encoder_phrases_stay_as_they_were():
  # The description parser and the sentence encoder read these: display wording must not move
  # them (they fix parsed tables and model inputs).
  assert phrases.trait_phrase("has_needle_bundle::many") == "many needle bundle"
  assert phrases.trait_phrase("has_flower_showiness::showy") == "showy flower showiness"


def _record(traits, phrased, probability, cited, supports=(), counts_against=(), runner_up=(),
            rows=None):
  """A record with just what `wording.rationale` reads (`rows`: the first species' cells by
  trait index; none known by default)."""
  rows = rows or {}
  item = lambda t, c: {"name": traits[t], "contribution": c, "role": roles.role(c),
                       "row": rows.get(t)}
  return {
      "traits": [{"name": n, "phrase": p.present, "absent_phrase": p.absent, "probability": q}
                 for n, p, q in zip(traits, phrased, probability)],
      "cited": [traits[t] for t in cited],
      "explained_species": [
          {"name": "Species one", "probability": 0.8,
           "supports": [item(t, 1.0) for t in supports],
           "counts_against": [item(t, -1.0) for t in counts_against], "not_used": []},
          {"name": "Species two", "probability": 0.1}],
      "runner_up": [item(t, 1.0) for t in runner_up],
      "traits_used_by_decision": True,
  }


def _positions(text, words):
  return [text.index(w) for w in words if w in text]


def test_a_rationale_names_what_the_photo_shows_before_what_it_lacks(vocab):
  name, traits, phrased = vocab
  rng = np.random.default_rng(0)
  for _ in range(20):
    chosen = rng.choice(len(traits), 9, replace=False)
    probability = np.full(len(traits), 0.5)
    probability[chosen] = rng.choice([0.05, 0.95], len(chosen))
    cited, counts_against, runner_up = chosen[:3], chosen[3:5], chosen[5:8]
    rows = dict(zip(chosen, rng.choice([0.0, 1.0, None], len(chosen))))
    text = wording.rationale(_record(traits, phrased, probability, cited, chosen[:3],
                                     counts_against, runner_up, rows))
    problems = _broken(text, SENTENCE_RULES)
    assert not problems, (name, text, problems)
    # Each list (after its colon, to its full stop): shown ones, then the lacked ones.
    for part, listed in zip(re.findall(r": ([^:]*?)\.(?= |$)", text),
                            (cited, counts_against, runner_up)):
      shown = [phrased[t].present for t in listed if probability[t] >= 0.5]
      lacked = [phrased[t].absent for t in listed if probability[t] < 0.5]
      assert len(_positions(part, shown + lacked)) == len(shown + lacked), (part, shown, lacked)
      if shown and lacked:
        assert max(_positions(part, shown)) < min(_positions(part, lacked)), (name, text)


def test_the_rationale_of_absent_cited_traits_opens_with_what_the_photo_shows():
  traits = ("has_back_color::iridescent", "has_breast_pattern::multi-colored",
            "has_upperparts_color::red", "has_belly_color::yellow")
  phrased = phrasing.trait_phrasings(traits)
  text = wording.rationale(_record(traits, phrased, [0.05, 0.1, 0.1, 0.9], cited=[0, 1, 2],
                                   supports=[0, 1, 2, 3]))
  assert text == ("Most likely Species one (80%). Supports it: yellow belly, no iridescent "
                  "back, no multi-colored breast and no red upperparts.")
  # With the rows known, each trait the photo lacks says how the species' row compares.
  text = wording.rationale(_record(traits, phrased, [0.05, 0.1, 0.1, 0.9], cited=[0, 1, 2],
                                   supports=[0, 1, 2, 3], counts_against=[],
                                   rows={0: 0.0, 1: 1.0, 2: 0.0, 3: 1.0}))
  assert text == ("Most likely Species one (80%). Supports it: yellow belly; no iridescent back "
                  "and no red upperparts, like Species one; no multi-colored breast, unlike "
                  "Species one.")


def test_every_description_follows_the_rules(vocab):
  name, traits, phrased = vocab
  rng = np.random.default_rng(1)
  for _ in range(20):
    probabilities = rng.uniform(0, 1, len(traits))
    sentence = wording.description_sentence(probabilities, traits, phrased, max_groups=8,
                                            max_absent=4)
    problems = _broken(sentence, SENTENCE_RULES)
    assert not problems, (name, sentence, problems)
