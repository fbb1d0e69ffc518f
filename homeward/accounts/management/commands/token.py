from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeward.accounts.models import User
from homeward.accounts.services import token_create


class Command(BaseCommand):
    help = "Create an API token for a person and print it alone on standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active person has the username {options['username']!r}.")
        self.stdout.write(token_create(user=user))
