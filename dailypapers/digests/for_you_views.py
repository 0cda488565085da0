"""Placeholder: being built (issue 16)."""

from django.http import Http404


def not_interested(request, *args, **kwargs):
    raise Http404
