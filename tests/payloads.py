"""Request bodies used by several test modules."""

CHILD = {
    "external_id": "MOS900001",
    "given_name": "Kai",
    "family_name": "Reid",
    "date_of_birth": "2012-06-09",
    "sex": "male",
    "legal_status": "child_in_need",
    "responsible_authority": "941",
}
