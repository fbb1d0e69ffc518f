"""What the Django admin must not show: people's second factors (issue 14).

django_otp registers its TOTP and static devices in the admin, which shows each person's TOTP
key with its QR link and their recovery codes in plain text: whoever reads them can sign in as
that person. The system administrator resets a person's two-factor app on the /security pages
instead (ADR 0007), so the devices are taken out of the admin altogether.
"""

from __future__ import annotations

from django.contrib import admin
from django_otp.plugins.otp_static import admin as static_admin  # noqa: F401  (registers first)
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import admin as totp_admin  # noqa: F401  (registers first)
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
