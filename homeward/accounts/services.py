"""Writing people and tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from homeward.audit.services import audit_record
from homeward.common.errors import DomainValidationError, FieldError
from homeward.common.prepared import prepared_cursor

from .models import ApiToken, Organisation, Team, User
from .roles import Role

TOKEN_BYTES = 32


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str | None,
    team_name: str = "",
    organisation_name: str = "",
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    validate: bool = True,
    actor: User | None = None,
) -> User:
    """Create a person with a role, in a team and organisation (created when new)."""
    errors: list[FieldError] = []
    if not username.strip():
        errors.append(FieldError("username", "Enter a username."))
    elif User.objects.filter(username=username).exists():
        errors.append(FieldError("username", f"A person with username {username!r} already exists."))
    if role not in Role.values:
        errors.append(FieldError("role", f"{role!r} is not a role; use one of {', '.join(Role.values)}."))
    user = User(username=username, role=role, email=email, first_name=first_name, last_name=last_name)
    if password and validate:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors.append(FieldError("password", " ".join(exc.messages)))
    if errors:
        raise DomainValidationError(errors)

    organisation = None
    if organisation_name:
        organisation, _ = Organisation.objects.get_or_create(name=organisation_name)
    if team_name:
        if organisation is None:
            organisation = _home_organisation()
        team, _ = Team.objects.get_or_create(name=team_name, organisation=organisation)
        user.team = team
    user.organisation = organisation
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    user.save()
    audit_record(
        actor=actor, action="create", object_type="user", object_id=str(user.pk),
        detail={"username": username, "role": role, "team": team_name, "organisation": organisation_name},
        channel="cli" if actor is None else "web",
    )
    return user


def _home_organisation() -> Organisation:
    from django.conf import settings

    from homeward.reference.models import Authority

    authority = Authority.objects.filter(code=settings.HOMEWARD_AUTHORITY).first()
    name = f"{authority.name} Council" if authority else "Home authority"
    organisation, _ = Organisation.objects.get_or_create(
        name=name, defaults={"kind": Organisation.Kind.LOCAL_AUTHORITY, "authority": authority}
    )
    return organisation


@transaction.atomic
def token_create(*, user: User) -> str:
    """Issue a bearer token; only its hash is kept, so the caller must show it now."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    ApiToken.objects.create(user=user, key_hash=hash_token(raw), prefix=raw[:8])
    audit_record(actor=None, action="token", object_type="user", object_id=str(user.pk),
                 detail={"username": user.username, "prefix": raw[:8]}, channel="cli")
    return raw


@cache
def _token_user_sql() -> str:
    """The person of a live token, the token's id and whether it was last used before a given
    instant (or never): one fixed statement, written once a process. Every API request asks it;
    building the ORM's query with the person's columns was most of an intake report's sign-in
    (0.7 ms of Python a request, issue 11)."""
    user, token = User._meta, ApiToken._meta
    columns = ", ".join(f'u."{field.column}"' for field in user.concrete_fields)
    return (f'SELECT {columns}, t."id" AS token_pk, '  # noqa: S608 (names from the models)
            '(t."last_used_at" IS NULL OR t."last_used_at" < %s) AS token_untouched '
            f'FROM "{token.db_table}" t JOIN "{user.db_table}" u ON u."id" = t."user_id" '
            'WHERE t."key_hash" = %s AND t."revoked_at" IS NULL AND u."is_active" ORDER BY t."id" LIMIT 1')


@cache
def _user_columns() -> list[str]:
    """The person's columns in the order `_token_user_sql` selects them."""
    return [field.attname for field in User._meta.concrete_fields]


def token_authenticate(raw: str) -> User | None:
    """The active person whose live (unrevoked) token this is, or None."""
    now = timezone.now()
    # Touched at most once a minute so reads stay cheap.
    params = [now - timedelta(seconds=60), hash_token(raw)]
    if connection.vendor != "postgresql":
        found = list(User.objects.raw(_token_user_sql(), params))
        if not found:
            return None
        user, token_pk, untouched = found[0], found[0].token_pk, found[0].token_untouched  # type: ignore[attr-defined]
    else:
        # Prepared, and the person made from the row as a query makes it (PostgreSQL gives every
        # column of theirs as its field holds it): no raw query set to build for each request.
        with prepared_cursor() as cursor:
            cursor.execute(_token_user_sql(), params)
            row = cursor.fetchone()
        if row is None:
            return None
        names = _user_columns()
        user = User.from_db(connection.alias, names, row[:len(names)])
        token_pk, untouched = row[len(names)], row[len(names) + 1]
    if untouched:
        ApiToken.objects.filter(pk=token_pk).update(last_used_at=now)
    return user


@transaction.atomic
def two_factor_reset(*, actor: User, user: User, reason: str) -> int:
    """The system administrator resets a person's two factors (a lost or replaced phone):
    their authenticator app and recovery codes are removed, so they set up a new app the next
    time they sign in (and any session of theirs is no longer verified). Audited with the
    reason. Answers how many devices were removed (docs/adr/0007)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .selectors import require_admin

    require_admin(actor)
    if not reason.strip():
        raise DomainValidationError([FieldError("reason", "Say why the two-factor app is being reset.")])
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        devices = model.objects.filter(user=user)
        removed += devices.count()
        devices.delete()  # a static device takes its recovery codes with it
    audit_record(actor=actor, action="update", object_type="user", object_id=str(user.pk),
                 detail={"two_factor": "reset", "username": user.username, "reason": reason.strip(),
                         "removed": removed})
    return removed


@transaction.atomic
def sign_in_lockout_lift(*, actor: User, username: str, ip_address: str, reason: str) -> int:
    """The system administrator lifts a django-axes lock-out of one username from one address
    before it expires, with a reason, audited. Answers how many records were removed."""
    from axes.handlers.proxy import AxesProxyHandler

    from .selectors import require_admin

    require_admin(actor)
    if not reason.strip():
        raise DomainValidationError([FieldError("reason", "Say why the lock-out is being lifted.")])
    if not username and not ip_address:
        raise DomainValidationError([FieldError("username", "Say whose lock-out to lift.")])
    removed = int(AxesProxyHandler.reset_attempts(username=username or None, ip_address=ip_address or None))
    audit_record(actor=actor, action="update", object_type="sign_in_lockout", object_id=username[:64],
                 detail={"lockout": "lifted", "username": username, "ip_address": ip_address,
                         "reason": reason.strip(), "removed": removed})
    return removed
