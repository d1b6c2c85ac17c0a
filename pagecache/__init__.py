"""The public page cache: whole pages for anonymous readers, exact across processes and instances.

- ``versions``: the content version kept in the database, bumped after every commit that wrote story tables.
- ``middleware``: serves and stores pages in tiers (this process's memory, then Redis when configured), each page
  checked against the content version with one small query, compressed once, and answered with 304s.

Which pages, which apps' tables count as content, and the tiers are settings (``PAGE_CACHE_*``).
"""
