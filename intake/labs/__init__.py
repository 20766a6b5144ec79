"""Lab catalog and result interpretation (docs/clinical-rules.md#labs).

Pure Python on purpose (no Django, no database): `catalog` is the reference data a data migration
loads, and `interpret` turns reported values into interpretations, flags, `expected` and alerts,
with the urine drug screens' own rules (specimen validity, expected results against the
medications, metabolite alerts) in `drug_screen`.
"""
