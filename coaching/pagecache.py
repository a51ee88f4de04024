"""Page fragments cached per person, language, time zone, minute and data version.

A whole response is never cached: every page carries a fresh content security policy nonce and a
CSRF token bound to the browser's cookie. What is cached is the HTML of the expensive parts of a
page that hold neither (`{% pagecache "name" %}...{% endpagecache %}` in its template), and the
view skips its selector when every fragment it needs is in the cache (`PageCache.complete`).

**Keys.** A fragment's key names the page, the person (user id), the active language, the
person's time zone, the current minute (the finest time any of these pages derives from `now`: a
session starting, "today", "waiting for an outcome"), the page's own arguments (an engagement's
id, a filter) and the data versions the page depends on. Fragments are never shared across
people, languages or zones.

**Data versions.** Every INSERT, UPDATE, DELETE (or any other statement that is not a read) on a
product table, whoever runs it (a model save, `QuerySet.update()`, `bulk_create`, raw SQL, a web
process or a Celery worker), is noticed by a database execute wrapper installed on every
connection (`install`, from the `connection_created` signal). The wrapper gives the version of the
written table's group a new random value in the cache: at once for a statement run in autocommit,
and when the transaction commits otherwise (a page read inside the same transaction, as in tests,
bumps it first). A version is a random value, never a counter, so a cache that lost its keys can
never bring an old version back. There are two groups: `ledger` (the record of who looked at a
leader's summary, written by every sponsor's look at it and shown only on the leader's engagement
and session pages) and `data` (every other table). Tables no page shows (`django_session`) bump
nothing; a statement whose table cannot be read bumps both groups.

**Failing open.** A cache that cannot be reached answers no version, and the page is then rendered
from the database without storing anything. Fragments also expire after `TTL` seconds, so a bump
lost during an outage cannot keep a page stale for longer than that.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass, field

from django import template
from django.core.cache import cache
from django.db import connections
from django.db.backends.signals import connection_created
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

# Seconds a fragment is kept: the longest a page can stay stale if a version bump was lost.
TTL = 90

DATA = "data"
LEDGER = "ledger"
GROUPS = (DATA, LEDGER)

# Tables whose writes change no page. Be conservative: a table listed here must never be shown.
IGNORED_TABLES = frozenset({"django_session"})
TABLE_GROUPS = {"programs_ledgerentry": LEDGER}

_VERSION_KEY = "pagecache:version:{}"
ROLES = "roles"

# Statements that never write. Anything else (INSERT, UPDATE, DELETE, WITH ... INSERT, MERGE,
# TRUNCATE, COPY, ALTER ...) counts as a write.
_READ_ONLY = re.compile(r"\s*(SELECT|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET|SHOW|PRAGMA)\b", re.I)
# A WITH or EXPLAIN statement is a read unless it names a write (EXPLAIN ANALYZE runs the statement).
_WITH = re.compile(r"\s*(WITH|EXPLAIN)\b", re.I)
_WITH_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.I)
_TARGET = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?([A-Za-z0-9_]+)\"?", re.I)


def groups_written(sql: str) -> frozenset[str]:
    """The version groups a statement changes: none for a read or a write to an ignored table."""
    if not isinstance(sql, str):
        sql = str(sql)
    if _READ_ONLY.match(sql):
        return frozenset()
    if _WITH.match(sql) and not _WITH_WRITE.search(sql):
        return frozenset()  # a read with common table expressions
    target = _TARGET.match(sql)
    if target is None:
        return frozenset(GROUPS)
    table = target.group(1).lower()
    if table in IGNORED_TABLES:
        return frozenset()
    return frozenset({TABLE_GROUPS.get(table, DATA)})


# --- Bumping versions -----------------------------------------------------------------------


def bump(groups) -> None:
    """Gives each group a new version. A cache that cannot be reached is left alone (failing open)."""
    try:
        cache.set_many({_VERSION_KEY.format(g): secrets.token_hex(8) for g in groups}, timeout=None)
    except Exception:  # noqa: BLE001 - a page must never fail because its cache did
        logger.warning("Page cache: could not bump versions %s", sorted(groups), exc_info=True)


def _pending(connection) -> set[str]:
    pending = getattr(connection, "_pagecache_pending", None)
    if pending is None:
        pending = connection._pagecache_pending = set()
    return pending


class _CommitBump:
    """The on-commit callback of one connection: bumps what its transaction wrote."""

    def __init__(self, connection) -> None:
        self.connection = connection

    def __call__(self) -> None:
        pending = _pending(self.connection)
        if pending:
            groups = set(pending)
            pending.clear()
            bump(groups)


class _WriteWatcher:
    def __init__(self, connection) -> None:
        self.connection = connection
        self.on_commit = _CommitBump(connection)

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        groups = groups_written(sql)
        if groups:
            conn = self.connection
            if conn.in_atomic_block:
                _pending(conn).update(groups)
                if not any(entry[1] is self.on_commit for entry in conn.run_on_commit):
                    conn.on_commit(self.on_commit)
            else:
                bump(groups)
        return result


def install(sender=None, connection=None, **kwargs) -> None:
    """Installs the write watcher on a new database connection (the `connection_created` signal)."""
    if connection is None or getattr(connection, "_pagecache_installed", False):
        return
    connection._pagecache_installed = True
    connection.execute_wrappers.append(_WriteWatcher(connection))


def connect() -> None:
    connection_created.connect(install, dispatch_uid="coaching.pagecache.install")
    for conn in connections.all(initialized_only=True):
        install(connection=conn)


def _flush_own_writes() -> None:
    """Bumps what this thread wrote and has not committed yet, so its own pages show it."""
    groups: set[str] = set()
    for conn in connections.all(initialized_only=True):
        pending = getattr(conn, "_pagecache_pending", None)
        if pending:
            groups |= pending
            pending.clear()
    if groups:
        bump(groups)


def versions(groups) -> str | None:
    """The current versions of `groups` joined, or None when the cache cannot answer."""
    _flush_own_writes()
    keys = [_VERSION_KEY.format(g) for g in groups]
    try:
        found = cache.get_many(keys)
        missing = [k for k in keys if k not in found]
        if missing:
            for k in missing:
                cache.add(k, secrets.token_hex(8), timeout=None)
            found = cache.get_many(keys)
    except Exception:  # noqa: BLE001
        logger.warning("Page cache: versions unavailable", exc_info=True)
        return None
    if any(not found.get(k) for k in keys):
        return None
    return ".".join(str(found[k]) for k in keys)


# --- One page's fragments ------------------------------------------------------------------


@dataclass
class PageCache:
    prefix: str | None
    fragments: tuple[str, ...]
    hits: dict[str, object] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return self.prefix is not None

    @property
    def complete(self) -> bool:
        """Every fragment the page needs is cached: the view may skip its selector."""
        return self.enabled and all(name in self.hits for name in self.fragments)

    def key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    def get(self, name: str, default=None):
        return self.hits.get(name, default)

    def roles(self, request) -> dict:
        """The navigation's two role checks (`coaching.context_processors.roles`), kept with the page's
        fragments under the same versions: a cached page then runs no query of its own for them."""
        if ROLES in self.hits:
            leads, sponsors = self.hits[ROLES]
        else:
            user = request.user
            leads, sponsors = user.led_engagements.exists(), user.sponsored_engagements.exists()
            self.store(ROLES, (leads, sponsors))
        return {"user_is_leader": leads, "user_is_sponsor": sponsors}

    def store(self, name: str, value) -> None:
        if not self.enabled:
            return
        try:
            cache.set(self.key(name), value, timeout=TTL)
        except Exception:  # noqa: BLE001
            logger.warning("Page cache: could not store %s", name, exc_info=True)


def page(request, name: str, *, fragments, parts=(), groups=(DATA,), person: str | None = None) -> PageCache:
    """The cache of page `name` for the person signed in, with what of it is cached already.

    `fragments` names every `{% pagecache %}` block (and stored value) the page needs; `parts` the
    view's own arguments; `groups` the data versions its content depends on. `person` names whom a
    page without an account is for (a stakeholder's private link: its request); such a page has no
    navigation, so no role checks are kept with it."""
    if person is None:
        fragments = (*fragments, ROLES)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            person = str(user.pk)
    version = versions(groups) if request.method in ("GET", "HEAD") else None
    if request.method not in ("GET", "HEAD") or version is None or person is None:
        return PageCache(prefix=None, fragments=tuple(fragments))
    minute = timezone.now().strftime("%Y%m%d%H%M")
    raw = "|".join(
        [
            name,
            person,
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            minute,
            version,
            *(str(p) for p in parts),
        ]
    )
    prefix = "pagecache:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
    pc = PageCache(prefix=prefix, fragments=tuple(fragments))
    try:
        found = cache.get_many([pc.key(f) for f in fragments])
    except Exception:  # noqa: BLE001
        logger.warning("Page cache: read failed", exc_info=True)
        return PageCache(prefix=None, fragments=tuple(fragments))
    pc.hits = {f: found[pc.key(f)] for f in fragments if pc.key(f) in found}
    return pc


# --- The template tag -----------------------------------------------------------------------

# What a cached fragment must never hold: the response's CSRF token (bound to the browser's cookie)
# and a form's create-once key (one per rendered form). Both are blanked before a fragment is stored
# and filled in afresh for every response that shows it. A nonce attribute is never cached at all.
_CSRF_FIELD = re.compile(r'(<input type="hidden" name="csrfmiddlewaretoken" value=")[^"]*(")')
_IDEMPOTENCY_FIELD = re.compile(r'(<input type="hidden" name="idempotency_key" value=")[^"]*(")')


def _fill(html: str, context) -> str:
    """The fragment with this response's CSRF token and a fresh create-once key in each form."""
    if "csrfmiddlewaretoken" in html:
        token = str(context.get("csrf_token") or "")
        html = _CSRF_FIELD.sub(lambda m: f"{m.group(1)}{token}{m.group(2)}", html)
    if "idempotency_key" in html:
        from accounts.idempotency import new_key

        html = _IDEMPOTENCY_FIELD.sub(lambda m: f"{m.group(1)}{new_key()}{m.group(2)}", html)
    return html


def _blank(html: str, context) -> str | None:
    """The fragment as it may be stored, or None when it holds a per-response secret it cannot blank."""
    blank = _CSRF_FIELD.sub(r"\1\2", html)
    blank = _IDEMPOTENCY_FIELD.sub(r"\1\2", blank)
    if "nonce=" in blank:
        return None
    if "csrfmiddlewaretoken" in html:
        token = str(context.get("csrf_token") or "")
        if token and token in blank:
            return None
    return blank


class PageCacheNode(template.Node):
    def __init__(self, nodelist, name: str) -> None:
        self.nodelist = nodelist
        self.name = name

    def render(self, context) -> str:
        pc = context.get("pagecache")
        if isinstance(pc, PageCache) and self.name in pc.hits:
            return mark_safe(_fill(pc.hits[self.name], context))  # noqa: S308 - HTML this template rendered
        html = self.nodelist.render(context)
        if isinstance(pc, PageCache) and pc.enabled:
            blank = _blank(str(html), context)
            if blank is None:
                logger.error("Page cache: fragment %s holds a per-response secret; not cached", self.name)
            else:
                pc.store(self.name, blank)
        return html


def do_pagecache(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% pagecache %} takes one argument, the fragment's name in quotes.")
    name = bits[1].strip("\"'")
    nodelist = parser.parse(("endpagecache",))
    parser.delete_first_token()
    return PageCacheNode(nodelist, name)
