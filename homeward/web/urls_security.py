"""Sign-in security pages (included by homeward.web.urls, in its `web` namespace)."""

from django.urls import path

import homeward.common.converters  # noqa: F401  (registers <id:...>)

from .views import audit, security, security_admin

urlpatterns = [
    path("sign-in/code", security.two_factor_verify, name="two_factor_verify"),
    path("sign-in/set-up-app", security.two_factor_setup, name="two_factor_setup"),
    path("sign-in/recovery-codes", security.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("sign-in/council", security.oidc_start, name="oidc_start"),
    path("sign-in/council/callback", security.oidc_callback, name="oidc_callback"),
    path("audit", audit.audit_log, name="audit_log"),
    path("children/<id:child_id>/access-log", audit.child_access_log, name="child_access_log"),
    path("session/keep-alive", security.session_keep_alive, name="session_keep_alive"),
    path("security", security_admin.security_index, name="security_admin"),
    path("security/two-factor-reset", security_admin.two_factor_reset_page, name="security_two_factor_reset"),
    path("security/lockouts/<id:attempt_id>/lift", security_admin.lockout_lift_page, name="security_lockout_lift"),
]
