"""Landscapes seen from above (aerial and satellite tiles) in the words of their descriptions:
the characteristics of a tile named by phrases ("a street grid", "no buildings"), as a phrase
table (`phrase_table.Terms`) whose "organism" is the tile."""

from __future__ import annotations

from traitjax.language.terms import phrase_table

# Short names for the tables below.
_ANY = phrase_table.GROUP_ANY
_adjective = phrase_table.adjective_patterns

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
        _ANY: {r"\bvegetation\b": 0.8, r"\bgreen space\b": 0.6, r"\bgreenery\b": 0.8},
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
        _ANY: {r"\b(?:open )?water\b": 0.8, r"\bwetlands?\b": 0.6},
        "river channel": {r"\brivers?\b": 1.0, r"\bchannels?\b": 0.7, r"\bstreams?\b": 0.9,
                          r"\bcanals?\b": 0.8, r"\briparian\b": 0.6},
        "lake": {r"\blakes?\b": 1.0, r"\bponds?\b": 0.6, r"\breservoirs?\b": 0.9},
        "sea": {r"\bsea\b|\bocean\b": 1.0, r"\bcoast\w*": 0.6, r"\bshore\w*": 0.5,
                r"\bbeach\w*": 0.5},
    },
    "building density": {
        _ANY: {rf"\b{_BUILDING}\b": 0.8, r"\bsettlements?\b": 0.8,
                        r"\bbuilt up\b": 0.8},
        "sparse": {rf"\b(?:isolated|scattered|single|occasional|few|sparse|lone)\b"
                   rf"(?: \w+){{0,3}} {_BUILDING}\b": 1.0,
                   rf"\b{_BUILDING}\b(?: \w+){{0,2}} (?:few|scattered|sparse)\b": 1.0},
        "moderate": {r"\bsuburb\w*": 0.6, r"\bvillages?\b": 0.7, r"\bgardens\b": 0.4},
        "dense": {rf"\bdense(?:ly)?\b{phrase_table.GAP} "
                  rf"(?:{_BUILDING}|settlement|built|urban)\b": 1.0,
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
        "small": _adjective("small|tiny|little", r"(?:roofs?|houses?|buildings?)"),
        "large": {**_adjective("large|big|huge|extensive", r"(?:roofs?|buildings?|halls?)"),
                  r"\bwarehouses?\b|\bfactory halls?\b": 0.7, r"\bflat roofs?\b": 0.6},
    },
    "linear features": {
        _ANY: {r"\broads?\b": 0.8, r"\btracks?\b": 0.6, r"\brailways?\b": 0.8},
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
        _ANY: {rf"\b{_FIELD}\b": 0.8, r"\bfield pattern\b": 1.0,
                        r"\bcultivation\b": 0.7},
        "parallel strips": {r"\bstrips?\b": 0.6, r"\bparallel\b": 0.5,
                            r"\bdrill lines\b|\btramlines\b": 0.6},
        "patchwork": {r"\bpatchwork\b": 1.0, r"\bmosaic\b": 0.5,
                      r"\bchequerboard\b|\bcheckerboard\b": 1.0},
        "regular rows": {r"\b(?:regular|parallel|straight|neat)\b(?: [\w,]+){0,2} rows\b": 1.0,
                         r"\brows\b": 0.6, r"\brow crops?\b": 1.0},
    },
    "field size": {
        "small": _adjective("small|little|tiny", _FIELD),
        "medium": _adjective("medium|moderate|mid sized", _FIELD),
        "large": _adjective("large|big|extensive|vast|huge", _FIELD),
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
        _ANY: {r"\bpav(?:ed|ement|ing)\b|\bseal(?:ed|ing)\b|\bhard surfaces?\b": 0.8,
                        r"\bconcrete\b|\basphalt\b|\btarmac\b": 0.8,
                        rf"\b{_BUILDING}\b": 0.4, r"\broads?\b": 0.3},
        "partial": {r"\b(?:partly|partially|partial)\b": 0.8,
                    r"\bonly a small share\b|\bsmall share\b": 0.7, r"\bgardens?\b": 0.5},
        "high": {r"\b(?:largely|highly|heavily|extensively|fully) sealed\b": 1.0,
                 r"\bsealed\b": 0.7, r"\bextensive\b(?: \w+){0,2} (?:paved|paving|yards)\b": 0.8,
                 r"\bcar parks?\b": 0.5, r"\bdensely built\b": 0.8},
    },
}
LANDSCAPES = phrase_table.Terms(SCENE, LANDSCAPE_TERMS,
                   none={group: phrase_table.GROUP_NONE for group, values in LANDSCAPE_TERMS.items()
                         if _ANY in values})
