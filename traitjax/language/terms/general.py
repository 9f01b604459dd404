"""The closed vocabulary of organism descriptions in general, and of birds: parts, colours,
patterns, shapes, sizes, families, and the words around them (negations, qualifiers, linking
and function words).

Words of real descriptions (field guides, encyclopedias, generated descriptors) are mapped to
*canonical* keys that trait names use too: ``beak`` and ``bill`` are the part ``bill``,
``chestnut`` is the colour ``rufous``, ``streaked`` is the pattern ``striped``. Keys are lower
case with single spaces (``fan shaped``, ``upright perching water like``); ``normalise``
writes any name that way. Each synonym carries a strength in (0, 1]: how surely the word means
the key (``dusky`` is brown 0.6 and grey 0.5).

The part-attachment reader (``traitjax.language.part_reader``) reads with these words; a
vocabulary's trait names find their keys through them (``traitjax.language.evidence``), and a
trait whose part or value no table here knows is read by the sentence encoder instead
(``traitjax.language.encoder_reader``). Landscapes and plants add phrase tables of their own
(``landscapes``, ``plants`` beside this module).
"""

from __future__ import annotations

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
              "unstreaked": 1.0, "unspotted": 1.0, "unbarred": 1.0, "entirely": 0.6},
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
