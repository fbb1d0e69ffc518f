"""Reporting: read-only selectors and pure computations over episodes (DOMAIN.md section 8).

The weekly oversight report, performance figures, patterns, and the statutory outputs
(SSDA903 Missing, Ofsted Annex A List 8, the Standard Safeguarding Dataset). Nothing here
writes: exports are audited by their callers (the API), and imports live in
`homeward.imports`.
"""
