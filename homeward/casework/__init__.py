"""Casework: the one write path for every fact recorded about a child or an episode.

The record apps (children, episodes, interviews, meetings) hold the rows; the services here
validate and write them, and then hand the change to `casework_commit`, which in the same
transaction writes the chronology line and the audit entry, works out every episode whose
facts the change can alter, refreshes their stored obligations and who conducts their return
interview, and queues the notifications the event calls for (ADR 0011).
"""
