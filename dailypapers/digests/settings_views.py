"""Placeholder: being built (issue 16)."""

from django.http import Http404


def digest_settings(request, *args, **kwargs):
    raise Http404
