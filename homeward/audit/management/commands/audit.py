"""`homeward audit verify`: check the audit log's hash chain.
`homeward audit protect --app-role ROLE`: on PostgreSQL, let the application's role append to
the audit log but never change or remove an entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeward.audit.protection import audit_protect
from homeward.audit.verify import audit_verify


class Command(BaseCommand):
    help = "Audit log tools: verify the hash chain; protect the log from the application's database role."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Check every entry against its hash and its link to the one before.")
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
            self.stdout.write(f"The audit log is intact: {report.checked} entries checked.")
        else:
            self.stdout.write(audit_protect(app_role=options["app_role"]))
