"""Newsroom's content model: one module per kind of thing a story is made of."""

import reversion
from taggit.models import TaggedItem

from .article import Article, ArticleQuerySet, Byline
from .author import Author
from .citation import Citation
from .correction import Correction, CorrectionKind
from .quote import Quote
from .redirect import ArticleRedirect
from .section import Section
from .share_link import ShareLink
from .speaker import Speaker
from .status import Status
from .status_change import StatusChange
from .working_copy import WorkingCopy

__all__ = [
    "Article",
    "ArticleQuerySet",
    "ArticleRedirect",
    "Author",
    "Byline",
    "Citation",
    "Correction",
    "CorrectionKind",
    "Quote",
    "Section",
    "ShareLink",
    "Speaker",
    "Status",
    "StatusChange",
    "WorkingCopy",
]

# Revision history: a story with its bylines, quotes, citations and tags (taggit's `tagged_items`). Corrections are a public log
# and are never reverted, so they are not followed; nor are shared records (authors, speakers, tags).
reversion.register(Article, follow=["bylines", "quotes", "citations", "tagged_items"])
for _model in (Byline, Quote, Citation, TaggedItem):
    reversion.register(_model)
