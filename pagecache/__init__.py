"""The public page cache: whole pages for anonymous readers, exact across processes and instances.

- ``versions``: the content version kept in the database, bumped after every commit that wrote story tables (and
  announced with NOTIFY on PostgreSQL).
- ``middleware``: serves and stores pages in tiers (this process's memory, then Redis when configured), each page
  checked against the content version with one small query, compressed once, and answered with 304s.
- ``wsgi`` and ``known``: the fast path in front of Django, which replays the middleware's answers for repeated
  anonymous requests, knowing the version without a query (a LISTENing thread on PostgreSQL, a direct read on
  SQLite).

Which pages, which apps' tables count as content, and the tiers are settings (``PAGE_CACHE_*``).
"""
