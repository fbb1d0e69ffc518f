"""Sign in and sign out."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from homeward.web.auth import PERSON_COOKIE, person_cookie_set
from homeward.web.forms.auth import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "web/auth/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        person_cookie_set(response, form.get_user())
        return response


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        response = super().post(request, *args, **kwargs)
        response.delete_cookie(PERSON_COOKIE, samesite="Lax")
        return response
