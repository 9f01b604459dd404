"""The closed vocabulary of organism descriptions: parts, colours, patterns, shapes, sizes.

Words of real descriptions (field guides, encyclopedias, generated descriptors) are mapped to
*canonical* keys that trait names use too: ``beak`` and ``bill`` are the part ``bill``,
``chestnut`` is the colour ``rufous``, ``streaked`` is the pattern ``striped``. Keys are lower
case with single spaces (``fan shaped``, ``upright perching water like``); ``normalise``
writes any name that way. Each synonym carries a strength in (0, 1]: how surely the word means
the key (``dusky`` is brown 0.6 and grey 0.5).

What is here is general bird and plant anatomy and colour vocabulary, not a list for one
dataset: a vocabulary's trait names find their keys through ``part_key``/``value_key``, and a
trait whose part or value no table here knows is read by the sentence encoder instead
(``traitjax.language.extract``).
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Mapping

Synonyms = Mapping[str, Mapping[str, float]]  # word -> {key: strength}


def normalise(name: str) -> str:
  """``has_upper_tail_color`` -> ``has upper tail color``; ``fan-shaped_tail`` ->
  ``fan shaped tail``; parenthesised details dropped."""
  name = re.sub(r"\([^)]*\)", " ", name.lower())
  return " ".join(re.sub(r"[_\-/]", " ", name).split())


def _invert(table: Mapping[str, Mapping[str, float] | tuple[str, ...]]) -> dict:
  """{key: {word: strength} or (words,)} -> {word: {key: strength}}."""
  words: dict[str, dict[str, float]] = {}
  for key, synonyms in table.items():
    if not isinstance(synonyms, Mapping):
      synonyms = {word: 1.0 for word in synonyms}
    for word, strength in synonyms.items():
      words.setdefault(word, {})[key] = strength
  return words


# ---------------------------------------------------------------------------------------------
# Parts. A part key, the words that name it, and the parts of a trait vocabulary that a mention
# of it also speaks about (a black "head" has a black crown, forehead and nape).

PLUMAGE = "plumage"  # The organism as a whole ("dark plumage", "it is black", "a grey bird").
PART_WORDS = {
    "bill": ("bill", "bills", "beak", "beaks", "mandible", "mandibles", "culmen", "maxilla"),
    "wing": ("wing", "wings", "coverts", "secondaries", "tertials", "primaries", "wingtips",
             "wingtip", "remiges", "flight feathers", "wingbars", "wingbar", "shoulders",
             "shoulder", "epaulets", "epaulettes", "speculum"),
    "upperparts": ("upperparts", "upperpart", "above", "upperside", "dorsal side"),
    "underparts": ("underparts", "underpart", "below", "underside", "undersides", "underbody",
                   "flanks", "flank", "sides"),
    "breast": ("breast", "breasts", "chest", "bosom"),
    "back": ("back", "backs", "mantle", "scapulars"),
    "tail": ("tail", "tails", "rectrices", "tail feathers"),
    "upper tail": ("uppertail", "rump", "rumps", "upper tail"),
    "under tail": ("undertail", "vent", "crissum", "under tail"),
    "head": ("head", "heads", "hood", "face", "cheeks", "cheek", "ear coverts", "auriculars",
             "lores", "sides of the head"),
    "throat": ("throat", "throats", "chin", "gular", "foreneck", "bib"),
    "eye": ("eye", "eyes", "iris", "irises", "irides"),
    "forehead": ("forehead", "forecrown", "frons", "front of the head"),
    "nape": ("nape", "napes", "hindneck", "neck", "collar", "back of the neck"),
    "belly": ("belly", "bellies", "abdomen", "lower breast"),
    # Markings of the head: they name a head pattern; their colours are no part's.
    "head marking": ("eyering", "eyeline", "eyebrow", "supercilium", "malar", "mask",
                     "spectacles"),
    "leg": ("leg", "legs", "feet", "foot", "tarsi", "tarsus", "toes", "shanks"),
    "crown": ("crown", "crowns", "cap", "top of the head", "crest"),
    PLUMAGE: ("plumage", "plumages", "body", "feathers", "feathering", "coloration",
              "colouration", "overall", "all over"),
    # Plants.
    "leaf": ("leaf", "leaves", "foliage", "leaflets", "leaflet", "blade", "blades", "needles"),
    "flower": ("flower", "flowers", "blossom", "blossoms", "bloom", "blooms", "inflorescence"),
    "petal": ("petal", "petals", "corolla"),
    "fruit": ("fruit", "fruits", "berries", "berry", "pods", "pod", "seeds", "seed", "nut",
              "nuts", "cones", "cone"),
    "bark": ("bark", "trunk", "trunks"),
    "stem": ("stem", "stems", "twig", "twigs", "branches", "branchlets", "shoots"),
}
PART_OF_WORD = {word: part for part, words in PART_WORDS.items() for word in words}
# A part named, and the other parts that inherit what is said about it, with a strength.
PART_SPREAD = {
    "head": {"head": 1.0, "crown": 1.0, "forehead": 1.0, "nape": 0.8, "throat": 0.5},
    "upperparts": {"upperparts": 1.0, "back": 0.9, "nape": 0.5, "upper tail": 0.5,
                   "wing": 0.4, PLUMAGE: 0.4},
    "underparts": {"underparts": 1.0, "belly": 0.9, "breast": 0.8, "throat": 0.5,
                   "under tail": 0.6, PLUMAGE: 0.4},
    "back": {"back": 1.0, "upperparts": 0.8, PLUMAGE: 0.4},
    "breast": {"breast": 1.0, "underparts": 0.6, "belly": 0.3, PLUMAGE: 0.3},
    "belly": {"belly": 1.0, "underparts": 0.6, "breast": 0.3, "under tail": 0.3},
    "wing": {"wing": 1.0, "upperparts": 0.3, PLUMAGE: 0.3},
    "tail": {"tail": 1.0, "upper tail": 0.8, "under tail": 0.6},
    "upper tail": {"upper tail": 1.0, "tail": 0.5},
    "under tail": {"under tail": 1.0, "tail": 0.4},
    "crown": {"crown": 1.0, "head": 0.5, "forehead": 0.6},
    "throat": {"throat": 1.0, "breast": 0.3},
    "nape": {"nape": 1.0, "back": 0.3},
    "forehead": {"forehead": 1.0, "crown": 0.5},
    PLUMAGE: {PLUMAGE: 1.0, "upperparts": 0.6, "underparts": 0.6, "back": 0.6, "breast": 0.6,
              "belly": 0.6, "wing": 0.6, "tail": 0.5, "upper tail": 0.5, "under tail": 0.5,
              "head": 0.5, "crown": 0.5, "forehead": 0.5, "nape": 0.5, "throat": 0.5},
}
# Words for the organism itself: what their adjectives describe is the plumage.
ORGANISM_WORDS = frozenset({
    "bird", "birds", "species", "it", "they", "male", "males", "female", "females", "adult",
    "adults", "juvenile", "juveniles", "immature", "immatures", "sexes", "animal", "seabird",
    "seabirds", "songbird", "songbirds", "tree", "trees", "shrub", "plant"})
# "X-headed", "X-footed": a compound adjective that names a part.
COMPOUND_PARTS = {
    "headed": "head", "footed": "feet", "billed": "bill", "winged": "wings",
    "breasted": "breast", "backed": "back", "throated": "throat", "crowned": "crown",
    "bellied": "belly", "tailed": "tail", "eyed": "eyes", "legged": "legs", "necked": "neck",
    "capped": "cap", "rumped": "rump", "faced": "face", "naped": "nape", "sided": "flanks",
    "shouldered": "shoulders", "fronted": "forehead", "chinned": "chin", "collared": "collar",
    "hooded": "hood", "cheeked": "cheeks", "mantled": "mantle", "vented": "vent",
    "chested": "chest", "bodied": "body", "leaved": "leaves", "flowered": "flowers",
    "fruited": "fruit", "barked": "bark", "stemmed": "stems", "petalled": "petals"}
# Multi-word spellings written as one word before reading.
SPELLINGS = (
    (r"\beye[\s\-]?rings?\b", "eyering"), (r"\borbital rings?\b", "eyering"),
    (r"\beye[\s\-]?(?:lines?|stripes?|streaks?)\b", "eyeline"),
    (r"\b(?:lines?|stripes?) through the eyes?\b", "eyeline"),
    (r"\bwing[\s\-]bars?\b", "wingbars"), (r"\bwing[\s\-]patch(?:es)?\b", "wing patch"),
    (r"\bupper[\s\-]parts\b", "upperparts"), (r"\bunder[\s\-]parts\b", "underparts"),
    (r"\bupper[\s\-]?tail(?: coverts)?\b", "uppertail"),
    (r"\bunder[\s\-]?tail(?: coverts)?\b", "undertail"),
    (r"\bunder[\s\-]?wings?\b", "underwing"), (r"\bupper[\s\-]?wings?\b", "upperwing"),
    (r"\bgr[ae]y\b", "grey"), (r"\bgr[ae]yish\b", "greyish"), (r"\bcolou?r(ed|s)?\b", r"color\1"),
    (r"\bblack[\s\-]and[\s\-]white\b", "black white"),
    (r"\bsuper[\s\-]?cilium\b", "supercilium"), (r"\beye[\s\-]?brows?\b", "eyebrow"),
    (r"\bmoustach(?:e|ial)(?: stripe)?s?\b", "malar"), (r"\bmustach(?:e|ial)s?\b", "malar"),
    (r"\bwhisker(?: mark| stripe)?s?\b", "malar"), (r"\bmalar (?:stripe|mark)s?\b", "malar"),
    (r"\bnon[\s\-]breeding\b", "nonbreeding"), (r"\bfirst[\s\-](?:year|winter)\b", "immature"),
)

# ---------------------------------------------------------------------------------------------
# Values, by the aspect of a part they describe.

COLOR = "color"
PATTERN = "pattern"
SHAPE = "shape"
LENGTH = "length"
SIZE = "size"
ASPECT_WORDS = {"color": COLOR, "colour": COLOR, "pattern": PATTERN, "shape": SHAPE,
                "length": LENGTH, "size": SIZE}

COLORS = _invert({
    "black": {"black": 1.0, "blackish": 0.8, "jet": 1.0, "ebony": 1.0, "sooty": 0.7,
              "dark": 0.45, "inky": 0.8, "coal": 0.8},
    "white": {"white": 1.0, "whitish": 0.8, "snowy": 1.0, "snow": 0.8, "pale": 0.4,
              "light": 0.3, "silvery": 0.3, "creamy": 0.4, "cream": 0.4},
    "grey": {"grey": 1.0, "greyish": 0.8, "slate": 0.9, "slaty": 0.9, "ashy": 0.9,
             "ash": 0.9, "silver": 0.8, "silvery": 0.8, "leaden": 0.9, "dusky": 0.5,
             "dark": 0.3, "pale": 0.3, "smoky": 0.7, "pearl": 0.7, "pewter": 0.8},
    "brown": {"brown": 1.0, "brownish": 0.8, "chocolate": 1.0, "dusky": 0.6, "sooty": 0.5,
              "umber": 1.0, "sepia": 1.0, "drab": 0.7, "earthy": 0.7, "dark": 0.4,
              "tawny": 0.5, "mousy": 0.7, "coffee": 0.8, "bronze": 0.4},
    "rufous": {"rufous": 1.0, "rust": 1.0, "rusty": 1.0, "chestnut": 1.0, "russet": 1.0,
               "cinnamon": 0.9, "ruddy": 0.8, "foxy": 0.8, "auburn": 0.8, "bay": 0.6,
               "tawny": 0.5, "ginger": 0.8, "rufescent": 0.9, "copper": 0.6,
               "coppery": 0.6, "maroon": 0.4},
    "buff": {"buff": 1.0, "buffy": 1.0, "tan": 1.0, "beige": 1.0, "cream": 0.7,
             "creamy": 0.7, "fawn": 0.9, "ochre": 0.8, "ochraceous": 0.8, "tawny": 0.6,
             "sandy": 0.8, "straw": 0.7, "khaki": 0.8, "pale": 0.3, "light": 0.2},
    "yellow": {"yellow": 1.0, "yellowish": 0.8, "golden": 0.9, "gold": 0.9, "lemon": 1.0,
               "sulphur": 0.9, "sulfur": 0.9, "canary": 1.0, "mustard": 0.7},
    "olive": {"olive": 1.0, "olivaceous": 1.0, "olivaceus": 1.0},
    "green": {"green": 1.0, "greenish": 0.8, "emerald": 1.0, "lime": 0.9, "olive": 0.3,
              "bottle": 0.4},
    "blue": {"blue": 1.0, "bluish": 0.8, "blueish": 0.8, "azure": 1.0, "cobalt": 1.0,
             "cerulean": 1.0, "turquoise": 0.9, "indigo": 0.9, "navy": 0.9, "sky": 0.5,
             "steel": 0.4, "steely": 0.4},
    "purple": {"purple": 1.0, "purplish": 0.8, "violet": 1.0, "magenta": 0.8, "lilac": 0.8,
               "mauve": 0.8, "plum": 0.8, "amethyst": 0.8, "maroon": 0.4},
    "pink": {"pink": 1.0, "pinkish": 0.8, "rosy": 1.0, "rose": 0.9, "salmon": 0.8,
             "flesh": 0.8, "fleshy": 0.6, "coral": 0.7, "peach": 0.5},
    "orange": {"orange": 1.0, "orangish": 0.8, "orangey": 0.8, "amber": 0.8, "apricot": 0.8,
               "tangerine": 1.0, "flame": 0.6, "peach": 0.4, "copper": 0.4},
    "red": {"red": 1.0, "reddish": 0.8, "scarlet": 1.0, "crimson": 1.0, "vermilion": 1.0,
            "ruby": 1.0, "carmine": 1.0, "cherry": 0.9, "blood": 0.6, "maroon": 0.6,
            "brick": 0.6, "wine": 0.6},
    "iridescent": {"iridescent": 1.0, "iridescence": 1.0, "glossy": 0.8, "gloss": 0.7,
                   "glossed": 0.8, "metallic": 0.9, "shiny": 0.7, "sheen": 0.7,
                   "shimmering": 0.9, "lustrous": 0.7, "burnished": 0.6, "purple-glossed": 1.0},
})
# Words that change how dark a colour is; alone they are weak colours of their own (above).
TONE_WORDS = frozenset({"dark", "pale", "light", "bright", "deep", "dull", "vivid", "brilliant",
                        "rich", "dusky", "muted", "soft", "warm", "cool"})

PATTERNS = _invert({
    "striped": {"striped": 1.0, "stripe": 0.9, "stripes": 0.9, "streaked": 1.0, "streak": 0.9,
                "streaks": 0.9, "streaky": 1.0, "striated": 1.0, "striations": 1.0,
                "lined": 0.7, "barred": 0.9, "bars": 0.7, "barring": 0.9, "banded": 0.8,
                "bands": 0.6, "band": 0.5, "pinstriped": 1.0, "wingbars": 0.7},
    "spotted": {"spotted": 1.0, "spots": 1.0, "spot": 0.8, "speckled": 1.0, "speckles": 1.0,
                "speckling": 1.0, "dotted": 1.0, "dots": 1.0, "flecked": 1.0, "flecks": 1.0,
                "freckled": 1.0, "mottled": 0.5, "spangled": 0.9, "stippled": 0.8},
    "multi colored": {"mottled": 0.8, "variegated": 1.0, "patterned": 0.8, "scaled": 0.7,
                      "scaly": 0.7, "scalloped": 0.8, "patches": 0.6, "patch": 0.5,
                      "multicolored": 1.0, "pied": 0.9, "checkered": 0.9, "chequered": 0.9,
                      "contrasting": 0.6, "edged": 0.5, "edging": 0.5, "edges": 0.4,
                      "tipped": 0.5, "tips": 0.4, "fringed": 0.5, "wingbars": 0.6,
                      "markings": 0.5, "marked": 0.5},
    "solid": {"solid": 1.0, "plain": 1.0, "uniform": 1.0, "uniformly": 1.0, "unmarked": 1.0,
              "unstreaked": 1.0, "unspotted": 1.0, "unbarred": 1.0, "entirely": 0.6,
              "uniformly": 1.0},
    # Patterns of the head.
    "crested": {"crest": 1.0, "crested": 1.0, "tuft": 0.8, "tufted": 0.8, "tufts": 0.8,
                "plumes": 0.5},
    "masked": {"mask": 1.0, "masked": 1.0, "hood": 0.3, "hooded": 0.3},
    "eyebrow": {"eyebrow": 1.0, "supercilium": 1.0, "superciliary": 1.0, "brow": 0.8},
    "eyering": {"eyering": 1.0, "spectacles": 0.9, "spectacled": 0.9},
    "eyeline": {"eyeline": 1.0},
    "capped": {"cap": 0.9, "capped": 1.0, "hood": 0.6, "hooded": 0.6, "skullcap": 1.0},
    "malar": {"malar": 1.0},
})
# Patterns that belong to the head, wherever they are named.
HEAD_PATTERNS = frozenset({"crested", "masked", "eyebrow", "eyering", "eyeline", "capped",
                           "malar"})

SHAPES = _invert({
    # Bills.
    "hooked": {"hooked": 1.0, "hook": 0.9, "hooktipped": 1.0, "raptorial": 0.8},
    "curved": {"curved": 1.0, "decurved": 1.0, "downcurved": 1.0, "curving": 0.9,
               "arched": 0.7, "sickle": 0.8, "bent": 0.6},
    "cone": {"conical": 1.0, "cone": 1.0, "conic": 1.0, "stout": 0.6, "thick": 0.5,
             "heavy": 0.4, "finch": 0.7, "seed": 0.4, "triangular": 0.6, "stubby": 0.4},
    "dagger": {"dagger": 1.0, "spear": 0.9, "pointed": 0.5, "sharp": 0.5, "straight": 0.5,
               "spike": 0.7, "chisel": 0.6},
    "needle": {"needle": 1.0, "thin": 0.6, "slender": 0.6, "fine": 0.6, "thread": 0.8,
               "delicate": 0.4, "tubular": 0.6},
    "spatulate": {"spatulate": 1.0, "spoon": 1.0, "flat": 0.6, "flattened": 0.7,
                  "broad": 0.4, "wide": 0.4, "duck": 0.6, "shovel": 0.9},
    "all purpose": {"medium": 0.3, "generalist": 0.8, "short": 0.2, "small": 0.2},
    # Tails and wings.
    "forked": {"forked": 1.0, "fork": 1.0, "swallowtailed": 1.0, "cleft": 0.8},
    "notched": {"notched": 1.0, "notch": 1.0, "emarginate": 1.0},
    "rounded": {"rounded": 1.0, "round": 0.9},
    "fan shaped": {"fan": 1.0, "fanned": 1.0, "fanlike": 1.0},
    "pointed": {"pointed": 1.0, "pointy": 1.0, "wedge": 0.9, "graduated": 0.7, "pin": 0.7,
                "sharp": 0.6, "tapered": 0.5, "tapering": 0.5},
    "squared": {"square": 1.0, "squared": 1.0, "squarish": 0.9, "truncated": 0.8,
                "truncate": 0.8},
    "broad": {"broad": 1.0, "wide": 0.9, "broadly": 0.8},
    "tapered": {"tapered": 1.0, "tapering": 1.0, "narrow": 0.7, "slender": 0.5,
                "pointed": 0.4},
    "long": {"long": 1.0, "elongated": 1.0, "lengthy": 0.9},
})
# Bill length compared with the head.
LENGTHS = _invert({
    "longer than head": {"long": 1.0, "elongated": 1.0, "longer": 1.0, "large": 0.5,
                         "huge": 0.6, "massive": 0.5, "big": 0.4, "heavy": 0.3},
    "shorter than head": {"short": 1.0, "small": 0.8, "stubby": 1.0, "tiny": 0.9,
                          "shorter": 1.0, "little": 0.6, "petite": 0.6},
    "about the same as head": {"medium": 0.8, "moderate": 0.8, "average": 0.6},
})

# ---------------------------------------------------------------------------------------------
# Size of the organism: words, lengths (inches) of familiar birds for comparisons.

SIZE_WORDS = {"tiny": 3.8, "minute": 3.5, "diminutive": 4.0, "small": 6.5, "little": 6.0,
              "smallish": 7.0, "medium": 12.0, "midsized": 12.0, "mid": 12.0,
              "moderate": 12.0, "large": 22.0, "big": 22.0, "largish": 16.0, "huge": 40.0,
              "enormous": 45.0, "massive": 40.0, "giant": 45.0, "heavy": 20.0,
              "stocky": 10.0, "bulky": 18.0, "hefty": 18.0}
# Modifiers that make a size word larger or smaller ("very small").
SIZE_INTENSIFIERS = {"very": 0.6, "extremely": 0.5, "rather": 0.85, "fairly": 0.9,
                     "quite": 0.8, "relatively": 0.9}
REFERENCE_LENGTHS = {
    "hummingbird": 3.5, "kinglet": 4.0, "chickadee": 5.0, "warbler": 5.0, "wren": 5.0,
    "goldfinch": 5.0, "finch": 5.5, "sparrow": 6.0, "junco": 6.0, "bunting": 5.5,
    "swallow": 6.5, "bluebird": 7.0, "oriole": 8.0, "starling": 8.5, "cardinal": 8.5,
    "blackbird": 9.0, "robin": 10.0, "thrush": 8.0, "jay": 11.0, "dove": 12.0,
    "pigeon": 13.0, "kestrel": 10.0, "woodpecker": 9.0, "crow": 17.5, "raven": 24.0,
    "gull": 20.0, "tern": 14.0, "duck": 20.0, "mallard": 23.0, "hawk": 20.0, "owl": 18.0,
    "goose": 35.0, "heron": 46.0, "eagle": 35.0, "albatross": 32.0, "turkey": 40.0,
    "swan": 55.0, "chicken": 20.0, "quail": 10.0, "cormorant": 32.0, "pelican": 60.0}
# Length units -> inches.
UNITS = {"cm": 1 / 2.54, "centimetres": 1 / 2.54, "centimeters": 1 / 2.54, "mm": 1 / 25.4,
         "in": 1.0, "inch": 1.0, "inches": 1.0, "m": 100 / 2.54, "metres": 100 / 2.54,
         "meters": 100 / 2.54}
# Words near a length that make it the length of something other than the organism.
NOT_BODY_LENGTH = frozenset({
    "wingspan", "span", "wing", "wings", "tail", "bill", "beak", "wingspread", "egg", "eggs",
    "weighs", "weight", "weighing", "leaf", "leaves", "flowers", "petals", "fruit", "tarsus",
    "culmen", "wide", "across", "diameter"})

# ---------------------------------------------------------------------------------------------
# Families: a word naming a kind of organism, and the body shape (``has_shape``) it implies.

FAMILY_SHAPES = _invert({
    "gull like": ("gull", "gulls", "tern", "terns", "albatross", "albatrosses", "seabird",
                  "seabirds", "petrel", "petrels", "shearwater", "shearwaters", "fulmar",
                  "kittiwake", "skua", "jaeger", "jaegers", "gannet", "booby", "boobies",
                  "frigatebird", "tropicbird", "noddy", "skimmer", "procellariiformes"),
    "duck like": ("duck", "ducks", "goose", "geese", "swan", "swans", "teal", "merganser",
                  "mergansers", "grebe", "grebes", "loon", "loons", "diver", "eider", "scoter",
                  "wigeon", "mallard", "waterfowl", "pintail", "shoveler", "gadwall", "scaup",
                  "bufflehead", "goldeneye", "canvasback", "redhead"),
    "upright perching water like": ("cormorant", "cormorants", "anhinga", "shag", "puffin",
                                    "puffins", "auklet", "auklets", "guillemot", "murre",
                                    "murres", "auk", "auks", "penguin", "murrelet",
                                    "razorbill", "dovekie", "alcid", "alcids"),
    "long legged like": ("heron", "herons", "egret", "egrets", "bittern", "crane", "cranes",
                         "stork", "storks", "ibis", "flamingo", "spoonbill", "wader"),
    "sandpiper like": ("sandpiper", "sandpipers", "plover", "plovers", "dunlin", "sanderling",
                       "turnstone", "killdeer", "snipe", "dowitcher", "yellowlegs", "curlew",
                       "godwit", "phalarope", "shorebird", "shorebirds", "stint", "knot",
                       "willet", "oystercatcher", "avocet", "stilt"),
    "chicken like marsh": ("rail", "rails", "gallinule", "moorhen", "crake", "coot", "coots"),
    "upland ground like": ("quail", "grouse", "pheasant", "partridge", "turkey", "ptarmigan",
                           "roadrunner", "chachalaca", "bobwhite", "gamebird"),
    "pigeon like": ("pigeon", "pigeons", "dove", "doves"),
    "hawk like": ("hawk", "hawks", "eagle", "eagles", "falcon", "falcons", "kite", "kites",
                  "harrier", "osprey", "buzzard", "vulture", "kestrel", "raptor", "raptors",
                  "caracara", "merlin", "goshawk"),
    "owl like": ("owl", "owls", "owlet"),
    "hummingbird like": ("hummingbird", "hummingbirds", "hummer", "sunbird"),
    "swallow like": ("swallow", "swallows", "swift", "swifts", "martin", "martins"),
    "tree clinging like": ("woodpecker", "woodpeckers", "nuthatch", "nuthatches", "creeper",
                           "sapsucker", "flicker", "flickers", "treecreeper", "woodcreeper"),
    "perching like": ("songbird", "songbirds", "passerine", "passerines", "sparrow",
                      "sparrows", "finch", "finches", "warbler", "warblers", "blackbird",
                      "blackbirds", "cowbird", "cowbirds", "bunting", "buntings", "cardinal",
                      "cardinals", "grosbeak", "grosbeaks", "tanager", "tanagers", "oriole",
                      "orioles", "jay", "jays", "crow", "crows", "raven", "ravens", "thrush",
                      "robin", "wren", "wrens", "vireo", "vireos", "flycatcher", "flycatchers",
                      "kingbird", "phoebe", "pewee", "chickadee", "titmouse", "bluebird",
                      "mockingbird", "thrasher", "catbird", "starling", "lark", "larks",
                      "pipit", "waxwing", "shrike", "grackle", "grackles", "meadowlark",
                      "bobolink", "towhee", "junco", "redstart", "kinglet", "gnatcatcher",
                      "crossbill", "siskin", "goldfinch", "redpoll", "icterid", "icteridae",
                      "cardinalidae", "corvid", "magpie", "nutcracker", "dickcissel",
                      "longspur", "bunting", "perching", "chat", "ovenbird",
                      "waterthrush", "yellowthroat", "parula", "sparrows"),
})
# The shape a "-like" comparison names ("gull-like" is gull like).
LIKE_SUFFIX = "like"

# ---------------------------------------------------------------------------------------------
# Who and when a sentence describes: sex, age and season qualifiers weigh what follows.

QUALIFIERS = {
    "male": 1.0, "males": 1.0, "adult": 1.0, "adults": 1.0, "breeding": 1.0,
    "female": 0.6, "females": 0.6, "nonbreeding": 0.6, "winter": 0.6, "eclipse": 0.5,
    "juvenile": 0.4, "juveniles": 0.4, "immature": 0.4, "immatures": 0.4, "young": 0.4,
    "subadult": 0.5, "subadults": 0.5, "chick": 0.15, "chicks": 0.15, "nestling": 0.15,
    "nestlings": 0.15, "fledgling": 0.2, "fledglings": 0.2, "hatchling": 0.15, "egg": 0.0,
    "eggs": 0.0, "downy": 0.15, "down": 0.15}
# Qualifiers below this weight (eggs, chicks) weigh the whole sentence, wherever they stand.
SENTENCE_QUALIFIER = 0.3
NEGATIONS = frozenset({"no", "not", "without", "lacks", "lack", "lacking", "never", "neither",
                       "nor", "absent", "none", "devoid", "nonexistent"})
# A phrase after these names another organism or part ("unlike the female", "than a robin").
CONTRAST_WORDS = frozenset({"unlike", "than", "except"})
# Words that may stand between a value and its part without cutting them apart.
FUNCTION_WORDS = frozenset({
    "and", "or", "the", "a", "an", "of", "on", "its", "his", "her", "their", "to", "in", "at",
    "is", "are", "was", "were", "has", "have", "had", "very", "quite", "somewhat", "slightly",
    "mostly", "mainly", "largely", "entirely", "wholly", "almost", "nearly", "partly", "all",
    "over", "more", "less", "much", "rather", "fairly", "often", "usually", "generally",
    "sometimes", "typically", "also", "both", "be", "may", "can", "becomes", "become",
    "appears", "appear", "looks", "look", "shows", "show", "bears", "bear", "seems", "seem",
    "turns", "turn", "which", "that", "with", "by", "from", "predominantly", "extensively",
    "broadly", "colored", "toned", "tinged", "tinge", "tint", "tinted", "washed", "wash",
    "hue", "shade", "shades", "tone", "tones", "colors", "color", "coloring", "sheen",
    "patch", "patches", "markings", "marking", "mark", "marks", "spot", "spots", "stripe",
    "stripes", "streak", "streaks", "band", "bands", "bar", "bars", "edging", "edges",
    "edge", "tips", "tip", "tipped", "fringe", "fringes", "border", "area", "areas", "base",
    "line", "lines", "ring", "highlights", "accents", "flashes", "flash", "contrasting",
    "striking", "distinctive", "prominent", "conspicuous", "noticeable", "obvious",
    "visible", "some", "few", "several", "many", "two", "small", "large", "little", "long",
    "like", "sized", "size",
    "short", "narrow", "broad", "thin", "thick", "bold", "faint", "subtle", "fine"})
# Words that introduce a new clause within a sentence.
CLAUSE_BREAKS = frozenset({"with", "while", "whereas", "but", "although", "though",
                           "except", "which", "where", "when", "providing", "giving",
                           "making", "creating", "unlike", "including", "whose"})
LINKING_VERBS = frozenset({"is", "are", "was", "were", "has", "have", "becomes", "become",
                           "appears", "appear", "looks", "look", "shows", "show", "bears",
                           "bear", "seems", "seem", "turns", "turn", "features", "feature",
                           "possesses", "possess", "displays", "display", "sports"})
# Words of a sentence about appearance even when the reader finds no value in it.
APPEARANCE_WORDS = frozenset({
    "plumage", "plumaged", "coloration", "markings", "appearance", "resembles",
    "distinguished", "distinguishable", "identification", "wingspan", "measures", "measuring",
    "weighs", "dimorphic", "dimorphism", "iridescent"})

# ---------------------------------------------------------------------------------------------
# Characteristics named by phrases. Some vocabularies describe their organism by
# characteristics that phrases name rather than a value word said of a part: a landscape seen
# from above ("a street grid", "no buildings"), a plant ("pinnately compound", "leaves 5-10 cm
# long"). A ``Terms`` table holds, for each group ``has_<group>::<value>`` of such a vocabulary,
# patterns of each value over the normalised, tokenised sentence (words joined by single
# spaces, commas as tokens). ``GROUP_ANY`` holds the words that name a group without a value
# ("buildings": some building density; "no buildings": none). A group's *none* value
# (``Terms.none``: a landscape's ``GROUP_NONE``, a leaf's "unlobed") has it when the text denies
# the group, and not when it names another of its values.

GROUP_ANY = "*"
GROUP_NONE = "none"
_GAP = r"(?: [\w,]+){0,4}"  # Up to four words (or commas) between an adjective and its noun.


def _said_of(adjectives: str, noun: str, gap: str = _GAP, after: float = 0.9,
             strength: float = 1.0) -> dict[str, float]:
  """Patterns of an adjective said of a noun, before it ("large rectangular fields") or after
  it ("fields are small to medium"), the latter at ``after`` of ``strength``."""
  return {rf"\b(?:{adjectives})\b{gap} {noun}\b": strength,
          rf"\b{noun}\b(?: \w+){{0,3}} (?:{adjectives})\b": after * strength}


def _size_words(noun: str) -> dict[str, dict[str, float]]:
  """A size group's small, medium and large said of `noun` in words ("small leaves"), weaker
  than a length with its unit."""
  return {size: _said_of(words, noun, _NEAR, strength=0.6)
          for size, words in (("small", "small|tiny|little"),
                              ("medium", "medium|medium sized|moderate"),
                              ("large", "large|big|huge|very large"))}


@dataclasses.dataclass(frozen=True)
class Terms:
  """A table of characteristics named by phrases.

  Attributes:
    subject: the part of its mentions (``reading.Mention.part``): what the vocabulary describes.
    groups: group -> value (or ``GROUP_ANY``) -> {regex pattern: strength}.
    none: group -> its value that the group's denial supports.
    organs: organ -> the words that name it; a word of several organs names each.
    group_organs: group -> (organs, strict): a value of the group said of another organ is
      not the group's ("white flowers" is no bark colour); ``strict``, it must be said of one
      of them ("white" alone is no bark colour).
    sizes: group -> (organs, {value: (low, high) in cm}, whether widths count): a length with
      a unit said of one of the organs ("leaves 5-10 cm long") names the value whose range
      holds its middle.
    qualified: whether the organism's qualifiers (``QUALIFIERS``: sex, age, season) weigh
      its phrases; a plant's "young" twigs and "male" cones are no juvenile's or male's.
    negated_lists: whether a negation carries over the commas of a list ("no fields, hedges
      or roads"); a plant's clauses are mostly not such lists ("without petals, borne in
      clusters").
  """

  subject: str
  groups: Mapping[str, Mapping[str, Mapping[str, float]]]
  none: Mapping[str, str] = dataclasses.field(default_factory=dict)
  organs: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
  group_organs: Mapping[str, tuple[frozenset[str], bool]] = dataclasses.field(
      default_factory=dict)
  sizes: Mapping[str, tuple[frozenset[str], Mapping[str, tuple[float, float]], bool]] = (
      dataclasses.field(default_factory=dict))
  qualified: bool = True
  negated_lists: bool = True


# Landscapes seen from above (aerial and satellite tiles): the "organism" is the tile.
SCENE = "scene"
_FIELD = r"(?:fields?|parcels?|plots?|paddocks?)"
_BUILDING = r"(?:buildings?|houses?|farmsteads?|dwellings?|homes?|roofs?)"


LANDSCAPE_TERMS = {
    "dominant cover": {
        "cropland": {r"\barable\b": 1.0, r"\bcrops?\b": 0.6, r"\bcultivat\w*": 0.8,
                     r"\bfarmland\b": 0.9, r"\bfields?\b": 0.5, r"\bcereals?\b": 0.9,
                     r"\bplough\w*|\bplow\w*": 0.7, r"\bharvest\w*": 0.6},
        "tree crops": {r"\borchards?\b": 1.0, r"\bvineyards?\b": 1.0, r"\bgroves?\b": 0.8,
                       r"\bpermanent crops?\b": 1.0, r"\bplantations?\b": 0.8},
        "grassland": {r"\bgrasslands?\b": 1.0, r"\bpastures?\b": 1.0, r"\bmeadows?\b": 1.0,
                      r"\bgrass\b": 0.6, r"\bsward\b": 0.8, r"\bgraz\w*": 0.8, r"\bhay\b": 0.7,
                      r"\bheath\w*": 0.5, r"\bprair\w*|\bsteppe\b": 0.9},
        "scrub": {r"\bscrub\w*": 1.0, r"\bshrubs?\b": 0.7, r"\bbush\w*": 0.7,
                  r"\bheath\w*": 0.6, r"\bthickets?\b": 0.9, r"\bmaquis\b": 1.0},
        "woodland": {r"\bwoodlands?\b": 1.0, r"\bforests?\b": 1.0, r"\bwoods\b": 1.0,
                     r"\bcanopy\b": 0.8, r"\bconifer\w*": 0.7, r"\bbroadleaf\b": 0.7,
                     r"\bdeciduous\b": 0.6, r"\btrees\b": 0.3},
        "open water": {r"\bopen water\b": 1.0, r"\bwater\b": 0.7, r"\blakes?\b": 0.9,
                       r"\bsea\b|\bocean\b": 1.0, r"\breservoirs?\b": 0.9, r"\bponds?\b": 0.4,
                       r"\brivers?\b": 0.4},
        "buildings": {r"\bbuilt up\b": 1.0, r"\burban\b": 0.9, r"\bbuildings?\b": 0.5,
                      r"\bhouses?\b": 0.5, r"\broofs?\b": 0.5, r"\bsettlements?\b": 0.7,
                      r"\bdominated by\b(?: \w+){0,2} buildings\b": 1.0},
        "pavement": {r"\bpav(?:ed|ement|ing)\b": 0.8, r"\btarmac\b|\basphalt\b|\bconcrete\b": 0.8,
                     r"\bcar parks?\b|\bparking\b": 0.7, r"\bsealed\b": 0.7},
    },
    "vegetation structure": {
        GROUP_ANY: {r"\bvegetation\b": 0.8, r"\bgreen space\b": 0.6, r"\bgreenery\b": 0.8},
        "short sward": {r"\bsward\b": 1.0, r"\bshort grass\b": 1.0, r"\blawns?\b": 0.7,
                        r"\bgraz\w*": 0.6, r"\bpastures?\b": 0.6, r"\bmeadows?\b": 0.6,
                        r"\bgrass\b": 0.4},
        "tall herbs": {r"\btall herbs?\b|\btall grass\w*": 1.0, r"\bherbaceous\b": 0.8,
                       r"\bherbs\b": 0.8, r"\brough grass\w*": 0.7, r"\breeds?\b": 0.7},
        "shrubs": {r"\bshrubs?\b": 1.0, r"\bbush(?:es)?\b": 0.9, r"\bscrub\b": 0.9,
                   r"\bhedges?\b": 0.3},
        "tree rows": {r"\btree rows?\b|\brows? of trees\b|\blines? of trees\b|\btree lines?\b"
                      r"|\bavenues?\b": 1.0, r"\bhedgerows?\b": 0.4,
                      r"\brows\b(?: \w+){0,3} (?:trees|crowns|woody)\b": 0.8,
                      r"\bwoody plants\b": 0.5},
        "closed canopy": {r"\bclosed canopy\b|\bclosed woodland\b|\bcontinuous canopy\b": 1.0,
                          r"\bcanopy\b": 0.8, r"\bforests?\b": 0.7, r"\bwoodlands?\b": 0.6},
    },
    "water form": {
        GROUP_ANY: {r"\b(?:open )?water\b": 0.8, r"\bwetlands?\b": 0.6},
        "river channel": {r"\brivers?\b": 1.0, r"\bchannels?\b": 0.7, r"\bstreams?\b": 0.9,
                          r"\bcanals?\b": 0.8, r"\briparian\b": 0.6},
        "lake": {r"\blakes?\b": 1.0, r"\bponds?\b": 0.6, r"\breservoirs?\b": 0.9},
        "sea": {r"\bsea\b|\bocean\b": 1.0, r"\bcoast\w*": 0.6, r"\bshore\w*": 0.5,
                r"\bbeach\w*": 0.5},
    },
    "building density": {
        GROUP_ANY: {rf"\b{_BUILDING}\b": 0.8, r"\bsettlements?\b": 0.8,
                        r"\bbuilt up\b": 0.8},
        "sparse": {rf"\b(?:isolated|scattered|single|occasional|few|sparse|lone)\b"
                   rf"(?: \w+){{0,3}} {_BUILDING}\b": 1.0,
                   rf"\b{_BUILDING}\b(?: \w+){{0,2}} (?:few|scattered|sparse)\b": 1.0},
        "moderate": {r"\bsuburb\w*": 0.6, r"\bvillages?\b": 0.7, r"\bgardens\b": 0.4},
        "dense": {rf"\bdense(?:ly)?\b{_GAP} (?:{_BUILDING}|settlement|built|urban)\b": 1.0,
                  rf"\bdense\b(?: \w+){{0,8}} {_BUILDING}\b": 0.8,
                  r"\bdominated by\b(?: \w+){0,2} buildings\b": 0.8,
                  r"\b(?:city|town) centres?\b": 0.8},
    },
    "building layout": {
        "isolated": {rf"\b(?:isolated|lone|single)\b(?: \w+){{0,2}} {_BUILDING}\b": 1.0,
                     rf"\bscattered\b(?: \w+){{0,2}} {_BUILDING}\b": 0.7},
        "street grid": {r"\bstreet grid\b|\bgrid of streets\b|\bblocks of houses\b": 1.0,
                        r"\bgrid\b": 0.7, r"\bstreets?\b": 0.4},
        "curving streets": {r"\b(?:curving|winding|curved)\b(?: \w+){0,2} streets?\b": 1.0,
                            r"\bcul de sacs?\b": 1.0},
        "large compounds": {r"\bcompounds?\b": 1.0, r"\bdepots?\b": 0.7,
                            r"\bwarehouses?\b": 0.7, r"\bfactor(?:y|ies)\b": 0.7,
                            r"\bindustrial\b": 0.6, r"\bcommercial\b": 0.5},
    },
    "roof size": {
        "small": _said_of("small|tiny|little", r"(?:roofs?|houses?|buildings?)"),
        "large": {**_said_of("large|big|huge|extensive", r"(?:roofs?|buildings?|halls?)"),
                  r"\bwarehouses?\b|\bfactory halls?\b": 0.7, r"\bflat roofs?\b": 0.6},
    },
    "linear features": {
        GROUP_ANY: {r"\broads?\b": 0.8, r"\btracks?\b": 0.6, r"\brailways?\b": 0.8},
        "motorway": {r"\bmotorways?\b|\bhighways?\b|\bexpressways?\b|\bfreeways?\b": 1.0,
                     r"\b(?:major|main|trunk) roads?\b|\bdual carriageways?\b": 0.9,
                     r"\bjunctions?\b": 0.6, r"\bslip roads?\b": 0.8,
                     r"\bcentral reservation\b": 0.8},
        "minor road": {r"\bminor roads?\b|\bcountry roads?\b|\blanes?\b|\blocal roads?\b": 1.0,
                       r"(?<!major )(?<!main )(?<!slip )(?<!trunk )\broads?\b": 0.6,
                       r"\bstreets?\b": 0.5, r"\baccess roads?\b": 0.8},
        "railway": {r"\brailways?\b|\brailroads?\b|\brail lines?\b|\btrain tracks?\b": 1.0},
        "hedgerows": {r"\bhedgerows?\b|\bhedges?\b": 1.0, r"\blines? of trees\b": 0.5,
                      r"\btree lines?\b": 0.5},
        "field tracks": {r"\b(?:field|farm|dirt|forest) tracks?\b": 1.0,
                         r"(?<!train )\btracks?\b": 0.7, r"\bpaths?\b": 0.5,
                         r"\bfirebreaks?\b": 0.6},
    },
    "field pattern": {
        GROUP_ANY: {rf"\b{_FIELD}\b": 0.8, r"\bfield pattern\b": 1.0,
                        r"\bcultivation\b": 0.7},
        "parallel strips": {r"\bstrips?\b": 0.6, r"\bparallel\b": 0.5,
                            r"\bdrill lines\b|\btramlines\b": 0.6},
        "patchwork": {r"\bpatchwork\b": 1.0, r"\bmosaic\b": 0.5,
                      r"\bchequerboard\b|\bcheckerboard\b": 1.0},
        "regular rows": {r"\b(?:regular|parallel|straight|neat)\b(?: [\w,]+){0,2} rows\b": 1.0,
                         r"\brows\b": 0.6, r"\brow crops?\b": 1.0},
    },
    "field size": {
        "small": _said_of("small|little|tiny", _FIELD),
        "medium": _said_of("medium|moderate|mid sized", _FIELD),
        "large": _said_of("large|big|extensive|vast|huge", _FIELD),
    },
    "texture": {
        "smooth": {r"\bsmooth\w*": 1.0, r"\buniform\b": 0.6, r"\beven\b": 0.5,
                   r"\bhomogeneous\b": 0.9},
        "fine grained": {r"\bfine(?: |ly )?grained\b|\bfine\b(?: \w+){0,2} texture\b": 1.0,
                         r"\bfine\b": 0.5},
        "coarse": {r"\bcoarse\b|\brough texture\b": 1.0, r"\bblocky\b": 0.7, r"\bbusy\b": 0.5},
        "mottled": {r"\bmottl\w*|\bblotch\w*|\bpatchy\b": 1.0, r"\bmosaic\b": 0.6,
                    r"\bspeckled\b": 0.8, r"\birregular\b": 0.4},
        "striped": {r"\bstrip(?:ed|es)\b|\bstriated\b": 1.0, r"\brows\b": 0.5,
                    r"\bdrill lines\b|\btramlines\b": 0.7},
    },
    "colour": {
        "dark green": {r"\b(?:dark|deep)\b(?: \w+)? green\b": 1.0, r"\bconifer\w*": 0.5},
        "bright green": {r"\b(?:bright|vivid|fresh|lush)\b(?: \w+)? green\b": 1.0,
                         r"(?<!dark )(?<!deep )(?<!pale )(?<!light )\bgreen\b": 0.5,
                         r"\blush\b": 0.6},
        "yellow green": {r"\byellow(?:ish)? green\b|\bolive\b": 1.0,
                         r"\b(?:pale|light) green\b": 0.7},
        "brown": {r"\bbrown\w*": 1.0, r"\bbare soil\b|\bploughed\b": 0.7, r"\bsoil\b": 0.5},
        "beige": {r"\bbeige\b|\bsandy\b|\bsand\b|\btan\b|\bochre\b|\bstraw\b": 1.0,
                  r"\byellow\b(?! green)": 0.6, r"\bgravel\b": 0.5, r"\bpale\b": 0.3},
        "grey": {r"\bgrey\w*": 1.0, r"\bconcrete\b|\basphalt\b|\btarmac\b": 0.7,
                 r"\bpaved\b": 0.5},
        "white": {r"\bwhite\w*": 1.0},
        "red": {r"\bred\b|\breddish\b|\bterracotta\b|\btiled roofs?\b": 1.0},
        "dark blue": {r"\b(?:dark|deep) blue\b|\bnavy\b": 1.0, r"\bblackish\b|\bblack\b": 0.6,
                      r"\bblue\b": 0.6},
    },
    "surface sealing": {
        GROUP_ANY: {r"\bpav(?:ed|ement|ing)\b|\bseal(?:ed|ing)\b|\bhard surfaces?\b": 0.8,
                        r"\bconcrete\b|\basphalt\b|\btarmac\b": 0.8,
                        rf"\b{_BUILDING}\b": 0.4, r"\broads?\b": 0.3},
        "partial": {r"\b(?:partly|partially|partial)\b": 0.8,
                    r"\bonly a small share\b|\bsmall share\b": 0.7, r"\bgardens?\b": 0.5},
        "high": {r"\b(?:largely|highly|heavily|extensively|fully) sealed\b": 1.0,
                 r"\bsealed\b": 0.7, r"\bextensive\b(?: \w+){0,2} (?:paved|paving|yards)\b": 0.8,
                 r"\bcar parks?\b": 0.5, r"\bdensely built\b": 0.8},
    },
}
# Words between a negation and a group's name that leave it unqualified ("no buildings", "no
# fields, buildings or roads"); any other word qualifies it ("no small houses" denies less than
# "no houses"), and the denial of the group counts ``QUALIFIED_DENIAL`` of its strength.
UNQUALIFIED = frozenset({"any", "the", "a", "an", "or", "nor", "and", "other", "visible",
                         "true", "real"})
QUALIFIED_DENIAL = 0.3
# Words after a term that deny it ("buildings are absent"), with how surely.
POSTPOSED_NEGATIONS = {"absent": 1.0, "lacking": 1.0, "missing": 1.0, "scarce": 0.6,
                       "rare": 0.6}
LANDSCAPES = Terms(SCENE, LANDSCAPE_TERMS,
                   none={group: GROUP_NONE for group, values in LANDSCAPE_TERMS.items()
                         if GROUP_ANY in values})

# ---------------------------------------------------------------------------------------------
# Plants (trees and shrubs): leaves, flowers, fruit and bark in the words of field botany. A
# colour, texture or position is the group's only when said of its organ ("white flowers",
# "the bark is grey", "cones upright"); said of none, in a later clause of a sentence about an
# organ ("The fruit is a cone 7-12 cm long, brown when ripe"), it is said of that organ.

PLANT = "plant"
PLANT_ORGANS = {
    "leaf": ("leaf", "leaves", "leaflet", "leaflets", "blade", "blades", "foliage", "needle",
             "needles", "frond", "fronds"),
    "needle": ("needle", "needles", "needled"),
    "petiole": ("petiole", "petioles", "leafstalk", "leafstalks"),
    "flower": ("flower", "flowers", "blossom", "blossoms", "bloom", "blooms", "petal", "petals",
               "catkin", "catkins", "inflorescence", "inflorescences", "corolla", "florets"),
    "fruit": ("fruit", "fruits", "berry", "berries", "nut", "nuts", "nutlet", "nutlets",
              "acorn", "acorns", "samara", "samaras", "pod", "pods", "cone", "cones", "capsule",
              "capsules", "drupe", "drupes", "pome", "pomes", "seed", "seeds", "legume",
              "legumes", "conelets", "husk", "husks", "bur", "burs"),
    "cone": ("cone", "cones", "conelets"),
    "bark": ("bark", "trunk", "trunks"),
    "twig": ("twig", "twigs", "branch", "branches", "branchlets", "shoot", "shoots", "stem",
             "stems", "spur", "spurs"),
}
_LEAF = r"(?:leaf|leaves|leaflets?|blades?|foliage|needles?)"
_FRUIT = r"(?:fruits?|berry|berries|nuts?|cones?|pods?|capsules?|drupes?|pomes?|samaras?)"
_PETIOLE = r"(?:petioles?|leafstalks?|leaf stalks?)"
_BASE = r"(?:bases?)"
_BUNDLE = r"(?:bundles?|clusters?|fascicles?|groups?|sheaths?|tufts?)"
_NEAR = r"(?: \w+){0,2}"  # Up to two words between an adjective and its organ.


def _bundled(numbers: str) -> dict[str, float]:
  """Patterns of needles in bundles of ``numbers`` ("in bundles of five", "2 per fascicle",
  "five-needled")."""
  return {rf"\b{_BUNDLE} of (?:{numbers})\b": 1.0,
          rf"\b(?:{numbers}) (?:needles )?(?:per|in each|in a|to a|in every) "
          rf"(?:bundle|cluster|fascicle|sheath|group)\b": 1.0,
          rf"\b(?:{numbers}) needled\b": 1.0,
          rf"\bneedles?\b(?: \w+){{0,3}} in (?:{numbers})s?\b(?! \w+ (?:cm|mm|in)\b)": 0.8,
          # The end of "in fascicles, or bundles, of five", cut off by its commas.
          rf"^of (?:{numbers}) $": 0.6}


def _colored(*keys: str) -> dict[str, float]:
  """Patterns of the colour words of ``COLORS`` that name any of ``keys``, at their strength;
  a tone word before a colour ("pale yellow") modifies it rather than naming one."""
  words: dict[float, list[str]] = {}
  for word, colors in COLORS.items():
    strength = max((colors.get(key, 0.0) for key in keys), default=0.0)
    if strength > 0:
      words.setdefault(strength, []).append(word)
  every = "|".join(sorted(COLORS))
  scent = r"(?! (?:scented|smelling|flavou?red|like)\b)"  # "lemon-scented" is no colour.
  patterns = {}
  for strength, group in sorted(words.items(), reverse=True):
    plain = [w for w in group if w not in TONE_WORDS]
    tones = [w for w in group if w in TONE_WORDS]
    if plain:
      patterns[rf"\b(?:{'|'.join(sorted(plain))})\b{scent}"] = strength
    if tones:
      patterns[rf"\b(?:{'|'.join(sorted(tones))})\b(?! (?:{every})\b){scent}"] = strength
  return patterns


_LEAF_ORGANS = (frozenset({"leaf"}), False)
_FLOWER_ORGANS = (frozenset({"flower"}), False)
PLANT_TERMS = {
    "growth form": {
        "tree": {r"\btrees?\b": 0.8, r"\bconifers?\b": 0.8, r"\bsingle trunk\b": 1.0},
        "shrub": {r"\bshrubs?\b|\bshrubby\b|\bbush(?:es|y)?\b|\bmulti ?stemmed\b": 1.0,
                  r"\bthickets?\b": 0.6},
    },
    "leaf type": {
        "simple": {r"\bsimple\b": 1.0, r"\bundivided\b": 0.7},
        "pinnately compound": {
            r"(?<!twice )(?<!doubly )\bpinnately compound\b|\bpinnate leaves\b"
            r"|\bodd pinnate\b|\bfeather like leaves\b": 1.0,
            r"\bleaflets?\b": 0.6,
            r"(?<!twice )(?<!doubly )(?<!palmately )(?<!bipinnately )\bcompound\b": 0.5},
        "palmately compound": {r"\bpalmately compound\b|\bdigitate\b": 1.0,
                               r"\bpalmate(?:ly)?\b(?: \w+){0,2} leaflets\b": 0.9,
                               r"\bleaflets\b(?: \w+){0,3} (?:radiating|from a single point|"
                               r"from the tip of)\b": 0.8},
        "bipinnately compound": {r"\bbipinnate(?:ly)?\b|\btwice (?:pinnately )?compound\b"
                                 r"|\bdoubly (?:pinnately )?compound\b|\btwice pinnate\b": 1.0},
        "needle": {r"\bneedles?\b|\bneedle (?:like|shaped)\b|\bacicular\b": 1.0},
        "scale": {r"\bscale (?:like|shaped)\b|\bscale leaves\b|\bimbricate\b": 1.0,
                  r"\b(?:tiny|minute|overlapping) scales\b": 0.9},
    },
    "leaf arrangement": {
        "alternate": {r"\balternate(?:ly)?\b": 1.0, r"\bspiral(?:ly)?\b": 0.7},
        "opposite": {r"\bopposite(?:ly)?\b|\bdecussate\b": 1.0},
        "whorled": {r"\bwhorl(?:ed|s)?\b|\bverticillate\b": 1.0},
        "clustered": {r"\bclustered\b|\bfascicled\b": 1.0,
                      rf"\bin (?:dense )?{_BUNDLE}\b": 0.8, r"\bon (?:short )?spurs?\b": 0.8,
                      r"\bspur shoots?\b": 0.8},
    },
    "leaf shape": {
        "linear": {r"\blinear\b|\bstrap (?:like|shaped)\b|\bgrass like\b": 1.0,
                   r"\bneedle (?:like|shaped)\b|\bacicular\b|\bawl (?:like|shaped)\b"
                   r"|\bsubulate\b": 0.6},
        "lanceolate": {r"\blanceolate\b|\blance (?:like|shaped)\b": 1.0,
                       r"\bspear (?:like|shaped)\b": 0.8},
        "elliptic": {r"\belliptic(?:al)?\b": 1.0, r"\boval\b": 0.8, r"\boblong\b": 0.7},
        "ovate": {r"\bovate\b|\begg shaped\b": 1.0},
        "obovate": {r"\bobovate\b|\breverse egg shaped\b|\bwidest (?:above|beyond) the middle\b"
                    r"|\bwidest (?:near|toward|towards) the tip\b": 1.0,
                    r"\bspatulate\b|\bspoon shaped\b": 0.6},
        "heart shaped": {r"\b(?:heart shaped|cordate)\b(?! base)": 1.0},
        "triangular": {r"\btriangular\b|\bdeltoid\b|\btriangle\b": 1.0,
                       r"\bspade shaped\b": 0.7},
        "round": {r"\b(?:round|circular|orbicular|rounded)\b"
                  r"(?! (?:\w+ )?(?:bases?|lobes?|teeth|tooth|tips?|apex|apices|sinuses))": 0.8},
        "fan shaped": {r"\bfan (?:like|shaped)\b|\bflabellate\b": 1.0},
    },
    "leaf margin": {
        GROUP_ANY: {r"\btooth(?:ed)?\b|\bteeth\b|\bserrat\w*|\bdentate\b|\bdenticulate\b": 0.8},
        "entire": {r"\bentire\b(?! (?:tree|plant|length|range|year|surface|crown|life|region))"
                   r"|\buntoothed\b|\btoothless\b|\bsmooth (?:edged|margins?|edges?)\b": 1.0,
                   r"\b(?:margins?|edges?)\b(?: \w+){0,2} smooth\b": 0.9},
        "serrate": {r"(?<!doubly )(?<!double )\bserrat(?:e|ed|ion|ions)\b|\bsaw toothed\b"
                    r"|\b(?:finely|sharply|evenly|regularly) (?:toothed|serrate|serrated)\b": 1.0,
                    r"(?<!coarsely )(?<!doubly )\btoothed\b|\bdenticulate\b": 0.6},
        "doubly serrate": {r"\b(?:doubly|double) (?:serrate|serrated|toothed)\b|\bbiserrate\b"
                           r"|\bdouble teeth\b|\bteeth (?:of two sizes|on the teeth)\b": 1.0},
        "coarsely toothed": {r"\bcoarse(?:ly)? (?:toothed|serrate|serrated|dentate|teeth)\b"
                             r"|\b(?:large|big|blunt|irregular) teeth\b": 1.0,
                             r"\bdentate\b": 0.7},
        "wavy": {r"\bwavy\b|\bundulate\b|\bsinuate\b|\bwavy edged\b": 1.0,
                 r"\bscalloped\b|\bcrenate\b": 0.6},
    },
    "leaf lobing": {
        GROUP_ANY: {r"\blob(?:ed|es|ing)\b": 0.8},
        "unlobed": {r"\bunlobed\b|\bnon lobed\b": 1.0, r"\bundivided\b": 0.6},
        "pinnately lobed": {r"\bpinnately lobed\b|\bpinnatifid\b|\bpinnately (?:cut|cleft)\b"
                            : 1.0, r"\blobes\b(?: \w+){0,3} along (?:the|each) "
                            r"(?:midrib|sides?|margins?)\b": 0.8,
                            r"\bfinger like lobes\b|\boak like\b": 0.7},
        "palmately lobed": {r"\bpalmately lobed\b|\bhand shaped\b|\bmaple like\b"
                            r"|\bpalmate(?:ly)?\b(?: \w+){0,2} lobes?\b|\bpalmatifid\b": 1.0,
                            r"\bstar shaped\b|\bmitten shaped\b": 0.7,
                            r"\b(?:three|five|seven|3|5|7)(?: to (?:three|five|seven|3|5|7))?"
                            r" lobed\b": 0.5},
    },
    "leaf venation": {
        "pinnate": {r"\bpinnate(?:ly)? (?:veined|veins|venation)\b|\bfeather veined\b": 1.0,
                    r"\b(?:venation|veins?)\b(?: \w+){0,3} pinnate\b": 1.0,
                    r"\bveins\b(?: \w+){0,3} from (?:a|the) (?:central )?midrib\b": 0.8},
        "palmate": {r"\bpalmate(?:ly)? (?:veined|veins|venation)\b": 1.0,
                    r"\b(?:venation|veins?)\b(?: \w+){0,3} (?:palmate|palmately)\b": 1.0,
                    r"\b(?:main )?veins\b(?: \w+){0,3} (?:radiat\w*|from the base)\b": 0.8},
        "parallel": {r"\bparallel (?:veined|veins|venation)\b": 1.0,
                     r"\b(?:venation|veins)\b(?: \w+){0,3} parallel\b": 0.9},
    },
    "leaf size": {
        **_size_words(_LEAF),
    },
    "leaf base": {
        "wedge shaped": _said_of("wedge shaped|cuneate|tapered|tapering|narrowed", _BASE),
        "rounded": _said_of("rounded|round", _BASE),
        "heart shaped": _said_of("heart shaped|cordate|notched", _BASE),
        "asymmetric": _said_of("asymmetric(?:al)?|unequal|lopsided|oblique|uneven", _BASE),
    },
    "needle bundle": {
        "single": {r"\bneedles?\b(?: \w+){0,4} (?:single|singly|individually|solitary)\b"
                   r"|\b(?:single|solitary|individual)\b(?: \w+){0,2} needles?\b": 1.0,
                   r"\b(?:single|singly)\b(?! (?:\w+ )?(?:veins?|trunks?|stems?|winged))": 0.6},
        "two": {**_bundled("2|two|pairs"), r"\bpaired needles\b": 0.8,
                r"\bneedles?\b(?: \w+){0,4} in pairs\b": 1.0},
        "three": _bundled("3|three|threes"),
        "five": _bundled("5|five|fives"),
        "many": {**_bundled(r"many|numerous|dozens?|\d\d+|ten|twelve|fifteen|twenty|thirty|"
                            r"forty"),
                 r"\bneedles?\b(?: \w+){0,5} (?:clustered|in (?:dense )?(?:clusters|tufts))"
                 r"(?: \w+){0,2} on (?:short )?spurs?\b": 1.0},
    },
    "petiole": {
        "short": {**_said_of("short", _PETIOLE, _NEAR),
                  r"\bshort stalked\b|\bnearly sessile\b|\bsubsessile\b": 1.0,
                  r"\bsessile\b": 0.6},
        "long": {**_said_of("long|slender", _PETIOLE, _NEAR),
                 r"\blong stalked\b|\blong petioled\b": 1.0},
        "flattened": {**_said_of("flattened|flat|compressed", _PETIOLE, _NEAR),
                      r"\bflattened (?:leaf )?stalks?\b": 1.0},
        "winged": {rf"\bwing(?:s|ed)? {_PETIOLE}\b": 1.0,
                   rf"\b{_PETIOLE}\b(?: \w+){{0,3}} wing(?:s|ed)\b": 0.9},
    },
    "flower color": {
        GROUP_ANY: {r"\b(?:flowers?|blossoms?)\b": 0.8},
        "white": _colored("white"), "yellow": _colored("yellow"),
        "green": _colored("green"), "red": _colored("red"),
        "pink": _colored("pink"), "purple": _colored("purple"),
    },
    "flower showiness": {
        GROUP_ANY: {r"\bpetals?\b": 0.5},
        "showy": {r"\bshowy\b|\bconspicuous\b|\bspectacular\b": 1.0,
                  r"\blarge\b(?: \w+){0,2} (?:flowers|blossoms)\b": 0.7, r"\bfragrant\b": 0.5},
        "inconspicuous": {r"\binconspicuous\b|\bapetalous\b": 1.0,
                          r"\b(?:tiny|minute)\b(?: \w+){0,2} flowers\b": 0.7,
                          r"\bwind pollinated\b": 0.7, r"\bcatkins?\b": 0.5},
    },
    "flower symmetry": {
        "radial": {r"\bradial(?:ly)?\b|\bactinomorphic\b|\bregular flowers?\b": 1.0,
                   r"\bstar shaped flowers?\b": 0.7},
        "bilateral": {r"\bbilateral(?:ly)?\b|\bzygomorphic\b|\birregular flowers?\b"
                      r"|\bpea (?:like|shaped)\b|\btwo lipped\b|\bbilabiate\b"
                      r"|\bbutterfly like\b|\borchid like\b": 1.0},
    },
    "inflorescence": {
        "solitary": {r"\bsolitary\b|\bsingly\b|\bsingle flowers?\b": 1.0},
        "catkin": {r"\bcatkins?\b|\baments?\b": 1.0},
        "cluster": {r"(?<!branched )(?<!elongated )\bclusters?\b|\bclustered\b|\bumbels?\b"
                    r"|\bcorymbs?\b|\bcymes?\b": 1.0, r"\bheads\b": 0.5},
        "raceme": {r"\bracemes?\b|\bracemose\b": 1.0, r"\belongated clusters?\b": 0.7,
                   r"\bspikes?\b": 0.5},
        "panicle": {r"\bpanicles?\b|\bpaniculate\b": 1.0, r"\bbranched clusters?\b": 0.8,
                    r"\bpyramidal clusters?\b": 0.7},
    },
    "flower sex": {
        "perfect": {r"\bperfect\b|\bbisexual\b|\bhermaphrodit\w*": 1.0,
                    r"\bboth (?:male and female|sexes) (?:parts|organs)\b": 1.0},
        "separate sexes": {r"\bmonoecious\b|\bdioecious\b|\bunisexual\b": 1.0,
                           r"\bseparate (?:male|female|sexes|trees|plants)\b": 1.0,
                           r"\bmale and female\b(?! parts| organs| structures)": 0.9,
                           r"\b(?:staminate|pistillate)\b": 0.7,
                           r"\bmale (?:catkins|cones|flowers)\b": 0.6},
    },
    "fruit type": {
        "samara": {r"\bsamaras?\b|\bhelicopters?\b|\bmaple keys\b": 1.0,
                   r"\bwing(?:s|ed)? (?:fruits?|nutlets?|keys?)\b": 0.9,
                   r"\bwing(?:s|ed)? seeds?\b": 0.5, r"\bkeys\b": 0.6},
        "acorn": {r"\bacorns?\b": 1.0, r"\bnut\b(?: \w+){0,4} (?:scaly )?cup\b": 0.7},
        "nut": {r"\bnuts?\b": 1.0, r"\bnutlets?\b|\bhusks?\b|\bburs?\b": 0.5},
        "berry": {r"\bberry\b|\bberries\b": 1.0, r"\bberry like\b": 0.8},
        "drupe": {r"\bdrupes?\b|\bstone fruits?\b": 1.0, r"\bdrupelets?\b|\bcherry like\b": 0.7,
                  r"\bpits?\b": 0.4},
        "pome": {r"\bpomes?\b|\bapple like\b|\bsmall apples?\b|\bpome like\b": 1.0,
                 r"\bpear like\b|\bhaws?\b": 0.7},
        "pod": {r"\bpods?\b|\blegumes?\b": 1.0, r"\bbean like\b": 0.8},
        "cone": {r"\bcones?\b(?! shaped| like)|\bconelets?\b": 1.0, r"\bcone like\b": 0.5,
                 r"\bstrobil\w*": 0.8},
        "capsule": {r"\bcapsules?\b": 1.0, r"\bdehiscent\b": 0.5},
        "ball": {r"\bballs?\b|\bball like\b|\bmultiple fruits?\b|\baggregates?\b"
                 r"|\baggregate fruits?\b|\bspherical heads?\b": 1.0},
    },
    "fruit color": {
        "green": _colored("green"), "brown": _colored("brown", "rufous"),
        "red": _colored("red"), "orange": _colored("orange"), "yellow": _colored("yellow"),
        "blue": _colored("blue"),
        "black": {**_colored("black"), r"\b(?:dark|deep) purpl\w*|\bpurple black\b": 0.8,
                  r"\b(?:purple|purplish)\b": 0.4},
    },
    "fruit size": {
        **_size_words(_FRUIT),
    },
    "cone position": {
        "upright": {r"\b(?:upright|erect)\b": 1.0, r"\bstanding\b": 0.6},
        "hanging": {r"\b(?:hanging|pendulous|pendent|pendant|drooping|dangling|hang|hangs)\b"
                    : 1.0, r"\bnodding\b": 0.8},
    },
    "bark texture": {
        "smooth": {r"\bsmooth\b": 1.0},
        "furrowed": {r"\bfurrow\w*|\bridged\b|\bridges\b|\bgrooved\b|\bfissured\b": 1.0,
                     r"\bdeeply cracked\b": 0.7, r"\bcracked\b": 0.5},
        "scaly": {r"\bscaly\b|\bscales\b": 1.0, r"\bflak(?:y|es)\b": 0.7},
        "plated": {r"\bplates?\b|\bplated\b|\bblock(?:y|s)\b|\btessellated\b": 1.0,
                   r"\bchecker\w*|\bsquares\b": 0.7},
        "peeling": {r"\bpeel\w*|\bexfoliat\w*|\bpapery\b": 1.0,
                    r"\bcurl\w*|\bstrips? (?:off|away)\b": 0.7, r"\bflaking\b": 0.6,
                    r"\bmottled\b": 0.5},
        "shaggy": {r"\bshagg\w*": 1.0, r"\bshredd\w*": 0.8,
                   r"\bloose (?:plates|strips)\b": 0.7},
    },
    "bark color": {
        "gray": _colored("grey"), "brown": _colored("brown"),
        "reddish": _colored("red", "rufous", "orange"), "white": _colored("white"),
        "dark": {r"\b(?:dark|blackish|black|charcoal|dusky)\b": 1.0},
    },
}
_BARK = (frozenset({"bark"}), True)
PLANTS = Terms(
    PLANT, PLANT_TERMS,
    none={"leaf margin": "entire", "leaf lobing": "unlobed",
          "flower showiness": "inconspicuous"},
    organs=PLANT_ORGANS,
    group_organs={
        "leaf type": _LEAF_ORGANS, "leaf shape": _LEAF_ORGANS, "leaf margin": _LEAF_ORGANS,
        "leaf lobing": _LEAF_ORGANS, "leaf venation": _LEAF_ORGANS,
        "leaf arrangement": (frozenset({"leaf", "twig"}), False),
        "flower showiness": _FLOWER_ORGANS, "flower symmetry": _FLOWER_ORGANS,
        "inflorescence": _FLOWER_ORGANS,
        "flower color": (frozenset({"flower"}), True),
        "needle bundle": (frozenset({"leaf", "twig"}), False),
        "fruit color": (frozenset({"fruit"}), True),
        "cone position": (frozenset({"cone"}), True),
        "bark texture": _BARK, "bark color": _BARK},
    sizes={"leaf size": (frozenset({"leaf"}), {"small": (0.0, 5.0), "medium": (5.0, 15.0),
                                                 "large": (15.0, math.inf)}, False),
           "fruit size": (frozenset({"fruit"}), {"small": (0.0, 1.0), "medium": (1.0, 3.0),
                                                  "large": (3.0, math.inf)}, True)},
    qualified=False, negated_lists=False)
# The phrase tables, by the part their mentions have.
TERMS = {terms.subject: terms for terms in (LANDSCAPES, PLANTS)}
