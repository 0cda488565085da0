"""Organizations and authors a batch needs, created or refreshed, by their keys."""

from __future__ import annotations

import functools

from dailypapers.ingest.records import PaperRecord
from dailypapers.ingest.upsert.cleaning import fit_model
from dailypapers.ingest.upsert.sql import ids, in_chunks, insert_rows
from dailypapers.papers.models import Author, Organization
from dailypapers.papers.names import normalize_name, org_slug


def upsert_organizations(records: list[PaperRecord]) -> dict[str, Organization]:
    """Organizations by the source's handle, created or refreshed (full name, avatar)."""
    wanted = {r.organization.name: r.organization for r in records if r.organization}
    if not wanted:
        return {}
    known = {o.handle: o for o in in_chunks(Organization.objects, "handle", wanted)}
    slugs = free_slugs([h for h in wanted if h not in known])
    changed = []
    for handle, org in wanted.items():
        fullname = fit_model(Organization, "fullname", org.fullname)
        avatar = fit_model(Organization, "avatar_url", org.avatar_url)
        if handle not in known:
            known[handle] = Organization(
                handle=handle,
                slug=slugs[handle],
                name=fit_model(Organization, "name", org.name),
                fullname=fullname,
                avatar_url=avatar,
            )
            continue
        current = known[handle]
        if (fullname and fullname != current.fullname) or (avatar and avatar != current.avatar_url):
            current.fullname = fullname or current.fullname
            current.avatar_url = avatar or current.avatar_url
            changed.append(current)
    Organization.objects.bulk_create(
        [o for o in known.values() if o.pk is None], ignore_conflicts=True
    )
    Organization.objects.bulk_update(changed, ["fullname", "avatar_url"])
    # Re-read: with ignore_conflicts the new rows come back without their keys.
    return {o.handle: o for o in in_chunks(Organization.objects, "handle", wanted)}


def free_slugs(handles: list[str]) -> dict[str, str]:
    """A slug per new handle that no organization holds: the plain one when it is free, else
    a hashed one (`Qwen` after `qwen`), so two handles never merge and never fail a batch."""
    plain = {handle: org_slug(handle) for handle in handles}
    rows = in_chunks(Organization.objects.all(), "slug", set(plain.values()), "slug")
    taken = {slug for (slug,) in rows}
    slugs = {}
    for handle, slug in plain.items():
        slugs[handle] = org_slug(handle, hashed=True) if slug in taken else slug
        taken.add(slugs[handle])
    return slugs


def upsert_authors(records: list[PaperRecord], keys: list[list[str]]) -> dict[str, int]:
    """Author ids by normalized name (`keys`: each record's authors' normalized names);
    missing authors are created with the first spelling seen."""
    spellings: dict[str, str] = {}
    for record, record_keys in zip(records, keys, strict=True):
        for key, name in zip(record_keys, record.authors, strict=True):
            spellings.setdefault(key, name)
    found = dict(ids(Author, "normalized_name", spellings))
    missing = [key for key in spellings if key not in found]
    limit = Author._meta.get_field("name").max_length
    # No Author.save here, so the normalized name is set explicitly.
    insert_rows(
        Author,
        ["name", "normalized_name"],
        [
            (name if len(name := spellings[k]) <= limit else fit_model(Author, "name", name), k)
            for k in missing
        ],
        ignore_conflicts=True,
    )
    found.update(ids(Author, "normalized_name", missing))
    return found


def author_keys(names: list[str]) -> list[str]:
    return [_author_key(name) for name in names]


# Authors recur from paper to paper (a bulk import sees most names many times); the cache is
# bounded, so memory stays flat however many papers go by.
@functools.lru_cache(maxsize=50_000)
def _author_key(name: str) -> str:
    return normalize_name(name)[:300] or name[:300]
