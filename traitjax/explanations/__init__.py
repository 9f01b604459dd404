"""Why a photo got its species, in traits: the library behind the `explain` command and the
`explanations` evaluator.

- `contributions`: each trait's exact share of each species logit, for every species head that
  reads the traits (none for the black box, whose traits are a probe).
- `roles`: the one meaning of "supports" and "counts against" (the sign of a trait's
  contribution to a species' score against the comparison), which the text, the JSON, the
  chart colours and the gallery all read.
- `records`: one JSON-able record per photo (top species, every trait, what supports and what
  counts against each top species, what separates the first two, the traits it cites and a
  plain-words rationale).
- `phrasing`: how a person reads each trait, present ("five petals") and absent ("not five
  petals"), for any vocabulary (display only: the encoder reads `language.phrases`), and each
  species (`display_name`: "001.Black_footed_Albatross" -> "Black-footed Albatross");
  `wording`: every sentence built from them (rationale, description, decision, trust).
- `trust_evidence`: the evidence behind a verdict's trust (the fit's size, held-out accuracy,
  calibration error and set coverage) and its warnings.
- `maps`: the evidence maps and peaks of the cited traits, and which keypoints carry a trait.
- `prototypes`: the training photos of a species nearest to a photo in trait space, and the
  traits they share (a bank per checkpoint, cached in the workdir).
- `figures`: the figure of one explained photo (NAME.png); `gallery`: index.html over all.
- `report`: what `python -m traitjax.explain` runs: photos in, NAME.json, NAME.png,
  index.json and index.html out.
- `plants`: what `python -m traitjax.explain --plant` runs: several photos of one plant (one
  organ each) combined as the `multi_photo` evaluator combines them, and explained together.
"""
