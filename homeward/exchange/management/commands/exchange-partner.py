"""`homeward exchange-partner`: configure another authority's Homeward as an exchange partner."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from homeward.audit.services import audit_record
from homeward.exchange.models import OutgoingMessage, OutgoingStatus, Partner
from homeward.exchange.signing import published_keys, thumbprint
from homeward.reference.models import Authority


def _checked_jwks(jwks: Any, source: str) -> dict[str, Any]:
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list) or not keys:
        raise CommandError(f"{source} holds no JWK Set ({{\"keys\": [...]}}).")
    for key in keys:
        if not isinstance(key, dict) or key.get("kty") != "OKP" or key.get("crv") != "Ed25519" or "x" not in key:
            raise CommandError(f"{source}: every key must be an Ed25519 public key (kty OKP, crv Ed25519).")
        if key.get("kid") != thumbprint(key):
            raise CommandError(f"{source}: the key {key.get('kid')!r} is not named by its thumbprint.")
    return {"keys": [{k: key[k] for k in ("kty", "crv", "x", "kid", "use", "alg") if k in key} for key in keys]}


class Command(BaseCommand):
    help = ("Configure another authority's Homeward as an exchange partner: its inbox and its published keys "
            "(from its keys URL, or a JWK Set file). Check the key ids printed with the partner by another "
            "channel before relying on them. --show prints this installation's own keys to give to partners; "
            "--archive stops exchanging with the authority.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("authority", nargs="?", help="The partner's DfE LA code, e.g. 940.")
        parser.add_argument("--endpoint", default=None, help="Its inbox URL, .../api/v1/exchange/inbox.")
        parser.add_argument("--keys-url", default=None, help="Where it publishes its keys, .../api/v1/exchange/keys.")
        parser.add_argument("--keys-file", default=None, help="A file holding its JWK Set.")
        parser.add_argument("--archive", action="store_true", help="Stop exchanging with this authority.")
        parser.add_argument("--show", action="store_true", help="Print this installation's own JWK Set.")
        parser.add_argument("--requeue", action="store_true",
                            help="Give its refused or undelivered messages a fresh set of attempts, now "
                                 "(after fixing the cause).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["show"]:
            self.stdout.write(json.dumps(published_keys(), indent=2))
            return
        code = options["authority"]
        if not code:
            raise CommandError("Name the partner authority by its LA code.")
        authority = Authority.objects.filter(code=code).first()
        if authority is None:
            raise CommandError(f"{code!r} is not the code of an authority.")
        partner, created = Partner.objects.get_or_create(authority=authority)
        before = {"endpoint": partner.endpoint, "keys_url": partner.keys_url, "kids": self._kids(partner.jwks),
                  "archived": partner.archived_at is not None}
        if options["archive"]:
            partner.archived_at = partner.archived_at or timezone.now()
        else:
            partner.archived_at = None
        if options["endpoint"] is not None:
            if options["endpoint"] and not options["endpoint"].startswith(("https://", "http://")):
                raise CommandError("The endpoint must be an https:// (or, for testing, http://) URL.")
            partner.endpoint = options["endpoint"]
        if options["keys_url"]:
            partner.keys_url = options["keys_url"]
            try:
                with urllib.request.urlopen(options["keys_url"], timeout=15) as response:  # noqa: S310
                    partner.jwks = _checked_jwks(json.loads(response.read(100_000)), options["keys_url"])
            except (OSError, ValueError) as exc:
                raise CommandError(f"Could not read the keys at {options['keys_url']}: {exc}") from None
        if options["keys_file"]:
            try:
                partner.jwks = _checked_jwks(json.loads(Path(options["keys_file"]).read_text()), options["keys_file"])
            except (OSError, ValueError) as exc:
                raise CommandError(f"Could not read {options['keys_file']}: {exc}") from None
        partner.save()
        if options["requeue"]:
            again = OutgoingMessage.objects.filter(
                partner=partner, status__in=[OutgoingStatus.REJECTED, OutgoingStatus.FAILED])
            ids = list(again.values_list("pk", flat=True))
            again.update(status=OutgoingStatus.QUEUED, attempts=0, next_attempt_at=timezone.now(), leased_until=None,
                         lease_token="")
            self.stdout.write(f"{len(ids)} message(s) queued again.")
            audit_record(actor=None, action="update", object_type="exchange_partner", object_id=str(partner.pk),
                         detail={"requeued": ids}, channel="cli")
        kids = self._kids(partner.jwks)
        after = {"endpoint": partner.endpoint, "keys_url": partner.keys_url, "kids": kids,
                 "archived": partner.archived_at is not None}
        audit_record(actor=None, action="create" if created else "update", object_type="exchange_partner",
                     object_id=str(partner.pk), detail={"authority": code, "before": before, "after": after},
                     channel="cli")
        state = "archived" if partner.archived_at else ("sends to " + partner.endpoint if partner.endpoint
                                                        else "no endpoint: told by email only")
        self.stdout.write(f"Partner {authority}: {state}; keys {', '.join(kids) or 'none'}.")

    @staticmethod
    def _kids(jwks: Any) -> list[str]:
        return [str(k.get("kid")) for k in (jwks or {}).get("keys", []) if isinstance(k, dict)]
