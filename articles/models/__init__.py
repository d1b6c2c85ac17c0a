"""Newsroom's content model: one module per kind of thing a story is made of."""

from .article import Article, ArticleQuerySet, Byline, Status
from .author import Author
from .citation import Citation
from .quote import Quote
from .section import Section
from .speaker import Speaker

__all__ = [
    "Article",
    "ArticleQuerySet",
    "Author",
    "Byline",
    "Citation",
    "Quote",
    "Section",
    "Speaker",
    "Status",
]
