"""Import of historical episodes (DOMAIN.md section 8): from an SSDA903 Missing file or a
CSV export of the authority's case system, checked row by row, all or nothing."""
