"""`homeward run`: migrate, load reference data, add demonstration data, serve.

A new SQLite database is made from the shipped schema (`common.sqlite_schema`) before
`migrate`, which then has only newer migrations, if any, to apply.

Static files are served by WhiteNoise straight from the apps (WHITENOISE_USE_FINDERS), so
`run` does not collect and compress them (that took most of a minute); production runs
`homeward collectstatic` once per release.
"""

import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from homeward.common.sqlite_schema import sqlite_schema_create
from homeward.reference.loader import load_reference_data


class Command(BaseCommand):
    help = "Migrate, load reference data, create demonstration data when empty, and serve on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-demo", action="store_true", help="Do not create demonstration data.")
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true",
                            help="Do not deliver notifications in this process (run `homeward worker` instead).")
        parser.add_argument("--no-mail-sink", action="store_true",
                            help="Do not catch email in a local SMTP server when none is configured.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()

        def say(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:5.1f} s] {message}")

        say("Preparing the database...")
        recorded = sqlite_schema_create(connection)
        if recorded:
            say(f"  a new SQLite database, made from the schema of {recorded} migrations")
        call_command("migrate", interactive=False, verbosity=0)
        say("Database ready.")
        say(str(load_reference_data()))
        if not options["no_demo"]:
            from homeward.demo.generator import demo_create_if_empty

            created = demo_create_if_empty(progress=say)
            if created:
                say(created)

        from waitress import serve

        from config.wsgi import application

        if not options["no_mail_sink"] and "HOMEWARD_SMTP_HOST" not in os.environ:
            from homeward.notifications.mail_sink import mail_sink_start

            folder = Path(settings.VAR_DIR) / "mail"
            if mail_sink_start(folder, host=settings.EMAIL_HOST, port=settings.EMAIL_PORT):
                self.stdout.write(f"No SMTP server is configured: email is caught on {settings.EMAIL_HOST}:"
                                  f"{settings.EMAIL_PORT} and kept in {folder}/ as .eml files "
                                  "(set HOMEWARD_SMTP_HOST to send it).")
        if not options["no_worker"]:
            from homeward.notifications.worker import worker_start_in_thread

            worker_start_in_thread()
            self.stdout.write("Notifications are delivered by a worker in this process.")
        host, port = options["host"], options["port"]
        self.stdout.write(f"Homeward is serving on http://{host}:{port}/ (authority {settings.HOMEWARD_AUTHORITY}). "
                          "Stop with Ctrl-C.")
        serve(application, host=host, port=port, threads=options["threads"], ident="Homeward")
