"""Around the episode (DOMAIN.md section 5a): the missing child action plan with its agreed
actions, its reviews at strategy meetings and its update after the return interview; the
social worker's visit after the return; a practitioner's judgement that the child is
vulnerable."""
