"""The weekly oversight report, sent by email to team leaders each Monday morning
(DOMAIN.md section 8, seed 002). The figures come from `homeward.reporting.weekly`; this
app records each week's run and each delivery, so no week is sent twice."""
