"""`homeward audit verify`: check the audit log's keyed hashes, its chain and its anchors.
`homeward audit anchor`: link what waits, then write the chain's head to the append-only anchor
file (the worker does it).
`homeward audit rotate-key`: a new key for new entries; the old ones stay to verify theirs.
`homeward audit protect --app-role ROLE`: on PostgreSQL, let the application's role append to
the audit log but never change or remove an entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeward.audit.keys import audit_key_rotate
from homeward.audit.protection import audit_protect
from homeward.audit.verify import audit_anchor, audit_verify


class Command(BaseCommand):
    help = "Audit log tools: verify the hash chain; protect the log from the application's database role."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Check every entry against its keyed hash and its link to the one before, "
                                      "and the anchors against the entries they name.")
        sub.add_parser("anchor", help="Write the log's head to the anchor file (HOMEWARD_AUDIT_ANCHOR_FILE).")
        sub.add_parser("rotate-key", help="Add a new key to HOMEWARD_AUDIT_KEY_FILE for new entries.")
        protect = sub.add_parser("protect", help="PostgreSQL: grant the application role INSERT and SELECT only.")
        protect.add_argument("--app-role", required=True, help="The role the application connects as.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            report = audit_verify()
            if not report.ok:
                for problem in report.problems:
                    self.stderr.write(problem)
                raise CommandError(f"The audit log has been tampered with: {len(report.problems)} problem(s) "
                                   f"in {report.checked} entries.")
            waiting = (f" {report.waiting} entries written since the chain's last step prove themselves and wait "
                       "for the next." if report.waiting else "")
            named = f", {report.named} children named by exports" if report.named else ""
            self.stdout.write(f"The audit log is intact: {report.checked} entries{named} and {report.anchors} anchors "
                              f"checked.{waiting}")
        elif options["action"] == "anchor":
            anchor = audit_anchor()
            if anchor is None:
                self.stdout.write("The audit log is empty.")
            else:
                where = f"link {anchor['link']}" if "link" in anchor else f"entry {anchor['id']}"
                self.stdout.write(f"Anchored the chain's head, {where}.")
        elif options["action"] == "rotate-key":
            self.stdout.write(f"New entries are now signed with key {audit_key_rotate()}.")
        else:
            self.stdout.write(audit_protect(app_role=options["app_role"]))
