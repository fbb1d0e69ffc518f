import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeward.accounts.roles import Role
from homeward.accounts.services import user_create
from homeward.common.errors import DomainValidationError


class Command(BaseCommand):
    help = "Create a person. The password comes from HOMEWARD_PASSWORD, else it is asked for."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--team", default="")
        parser.add_argument("--organisation", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("HOMEWARD_PASSWORD")
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        try:
            user = user_create(
                username=options["username"], role=options["role"], password=password,
                team_name=options["team"], organisation_name=options["organisation"],
                email=options["email"], first_name=options["first_name"], last_name=options["last_name"],
            )
        except DomainValidationError as exc:
            raise CommandError("\n".join(f"{e.field}: {e.message}" for e in exc.errors)) from exc
        self.stdout.write(f"Created {user.username} ({user.get_role_display()}).")
