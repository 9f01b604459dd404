"""Plants (trees and shrubs): leaves, flowers, fruit and bark in the words of field botany. A
colour, texture or position is the group's only when said of its organ ("white flowers",
"the bark is grey", "cones upright"); said of none, in a later clause of a sentence about an
organ ("The fruit is a cone 7-12 cm long, brown when ripe"), it is said of that organ.
"""

from __future__ import annotations

import math

from traitjax.data import organs
from traitjax.language.terms import general
from traitjax.language.terms import phrase_table

# Short names for the tables below.
_ANY = phrase_table.GROUP_ANY
_adjective = phrase_table.adjective_patterns

PLANT = "plant"
# The words that name each organ; a word of several organs names each.
_WORDS = {
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
    "seed": ("seed", "seeds"),
    "cone": ("cone", "cones", "conelets"),
    "bark": ("bark", "trunk", "trunks"),
    "twig": ("twig", "twigs", "branch", "branches", "branchlets", "shoot", "shoots", "stem",
             "stems", "spur", "spurs"),
}
# The organs the reader knows are a plant's organs (`traitjax.data.organs`), each named by its
# words.
ORGAN_WORDS = {organ: _WORDS[organ] for organ in organs.ORGANS}
_LEAF = r"(?:leaf|leaves|leaflets?|blades?|foliage|needles?)"
_FRUIT = r"(?:fruits?|berry|berries|nuts?|cones?|pods?|capsules?|drupes?|pomes?|samaras?)"
_PETIOLE = r"(?:petioles?|leafstalks?|leaf stalks?)"
_BASE = r"(?:bases?)"
_BUNDLE = r"(?:bundles?|clusters?|fascicles?|groups?|sheaths?|tufts?)"
_NEAR = r"(?: \w+){0,2}"  # Up to two words between an adjective and its organ.


def _size_words(noun: str) -> dict[str, dict[str, float]]:
  """A size group's small, medium and large said of `noun` in words ("small leaves"), weaker
  than a length with its unit."""
  return {size: _adjective(words, noun, _NEAR, strength=0.6)
          for size, words in (("small", "small|tiny|little"),
                              ("medium", "medium|medium sized|moderate"),
                              ("large", "large|big|huge|very large"))}


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
  """Patterns of the colour words of ``general.COLORS`` that name any of ``keys``, at their
  strength; a tone word before a colour ("pale yellow") modifies it rather than naming one."""
  words: dict[float, list[str]] = {}
  for word, colors in general.COLORS.items():
    strength = max((colors.get(key, 0.0) for key in keys), default=0.0)
    if strength > 0:
      words.setdefault(strength, []).append(word)
  every = "|".join(sorted(general.COLORS))
  scent = r"(?! (?:scented|smelling|flavou?red|like)\b)"  # "lemon-scented" is no colour.
  patterns = {}
  for strength, group in sorted(words.items(), reverse=True):
    plain = [w for w in group if w not in general.TONE_WORDS]
    tones = [w for w in group if w in general.TONE_WORDS]
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
        _ANY: {r"\btooth(?:ed)?\b|\bteeth\b|\bserrat\w*|\bdentate\b|\bdenticulate\b": 0.8},
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
        _ANY: {r"\blob(?:ed|es|ing)\b": 0.8},
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
        "wedge shaped": _adjective("wedge shaped|cuneate|tapered|tapering|narrowed", _BASE),
        "rounded": _adjective("rounded|round", _BASE),
        "heart shaped": _adjective("heart shaped|cordate|notched", _BASE),
        "asymmetric": _adjective("asymmetric(?:al)?|unequal|lopsided|oblique|uneven", _BASE),
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
        "short": {**_adjective("short", _PETIOLE, _NEAR),
                  r"\bshort stalked\b|\bnearly sessile\b|\bsubsessile\b": 1.0,
                  r"\bsessile\b": 0.6},
        "long": {**_adjective("long|slender", _PETIOLE, _NEAR),
                 r"\blong stalked\b|\blong petioled\b": 1.0},
        "flattened": {**_adjective("flattened|flat|compressed", _PETIOLE, _NEAR),
                      r"\bflattened (?:leaf )?stalks?\b": 1.0},
        "winged": {rf"\bwing(?:s|ed)? {_PETIOLE}\b": 1.0,
                   rf"\b{_PETIOLE}\b(?: \w+){{0,3}} wing(?:s|ed)\b": 0.9},
    },
    "flower color": {
        _ANY: {r"\b(?:flowers?|blossoms?)\b": 0.8},
        "white": _colored("white"), "yellow": _colored("yellow"),
        "green": _colored("green"), "red": _colored("red"),
        "pink": _colored("pink"), "purple": _colored("purple"),
    },
    "flower showiness": {
        _ANY: {r"\bpetals?\b": 0.5},
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
PLANTS = phrase_table.Terms(
    PLANT, PLANT_TERMS,
    none={"leaf margin": "entire", "leaf lobing": "unlobed",
          "flower showiness": "inconspicuous"},
    organs=ORGAN_WORDS,
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
