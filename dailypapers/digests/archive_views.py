"""Placeholder: being built (issue 16)."""

from django.http import Http404


def preview(request, *args, **kwargs):
    raise Http404


def web_version(request, *args, **kwargs):
    raise Http404
