"""`{% pagecache "name" %}...{% endpagecache %}`: a fragment cached per person (see coaching/pagecache.py)."""

from django import template

from coaching.pagecache import do_pagecache

register = template.Library()
register.tag("pagecache", do_pagecache)
