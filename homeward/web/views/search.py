"""Search: children by name, date of birth, case-system id or police reference."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from homeward.web.forms.search import SearchForm
from homeward.web.search import child_search

from .base import page, person


@page
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(data=request.GET) if "q" in request.GET else SearchForm()
    results = None
    if form.is_bound and form.is_valid():
        results = child_search(person(request), form.cleaned_data["q"])
    return render(request, "web/pages/search.html", {"form": form, "results": results})
