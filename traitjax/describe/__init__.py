"""`python -m traitjax.describe` (`__main__`): species descriptions parsed into a trait table
and scored against a reference (`tables`)."""
