"""`python -m traitjax.explain` (`__main__`): a trained workdir's photos explained (`photos`),
several photos of one plant explained together (`plants`), their figures and gallery, and the
parts a slot-attention workdir found (`slots`)."""
