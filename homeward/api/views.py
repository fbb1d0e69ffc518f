"""The base of every v1 view: the signed-in person as a Homeward User."""

from __future__ import annotations

from typing import cast

from rest_framework.request import Request
from rest_framework.views import APIView

from homeward.accounts.models import User


class HomewardAPIView(APIView):
    @staticmethod
    def actor(request: Request) -> User:
        # IsAuthenticated (the default permission) guarantees a real person here.
        return cast(User, request.user)
