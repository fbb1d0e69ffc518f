from typing import Any

from django.core.management.base import BaseCommand

from homeward.reference.loader import load_reference_data


class Command(BaseCommand):
    help = "Load or refresh the shipped reference data (authorities, police forces, coded lists)."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_reference_data()
        self.stdout.write(str(summary))
