from dataclasses import dataclass

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Deferrable, Q
from django.utils.text import Truncator

DOI_PATTERN = r"^10\.[0-9]{4,9}/\S+$"
doi_validator = RegexValidator(
    DOI_PATTERN, "A DOI looks like 10.1038/s43018-019-0006-x (no https://doi.org/ prefix)."
)


@dataclass(frozen=True)
class Name:
    """One author of a cited work: a person (family and given names) or an organisation, never split."""

    family: str
    given: str = ""
    is_organisation: bool = False

    @classmethod
    def parse(cls, text):
        """“Ganesh, K.” is a person; a name with no comma (“World Health Organization”) is an organisation."""
        text = " ".join(str(text).split())
        family, comma, given = text.partition(",")
        if not comma:
            return cls(family=text, is_organisation=True)
        return cls(family=family.strip(), given=given.strip())

    def __str__(self):
        return f"{self.family}, {self.given}" if self.given else self.family


class StudyStatus(models.TextChoices):
    PEER_REVIEWED = "peer_reviewed", "Peer-reviewed paper"
    PREPRINT = "preprint", "Preprint (not yet peer-reviewed)"
    CONFERENCE = "conference", "Conference abstract"
    OTHER = "other", "Other"


class Kind(models.TextChoices):
    """What sort of work is cited; each export maps it to its own type (BibTeX entry, RIS TY, CSL type)."""

    JOURNAL_ARTICLE = "journal_article", "Journal article"
    PREPRINT = "preprint", "Preprint"
    BOOK = "book", "Book"
    CHAPTER = "chapter", "Book chapter"
    REPORT = "report", "Report"
    CONFERENCE_PAPER = "conference_paper", "Conference paper"
    DATASET = "dataset", "Dataset"
    OTHER = "other", "Other"


class Citation(models.Model):
    """A structured reference to the research a story reports."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="citations")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        default=Kind.JOURNAL_ARTICLE,
        help_text="Reference managers file the work under this type.",
    )
    authors = models.JSONField(
        default=list,
        blank=True,
        help_text="One author per line: a person as “Family, I.” (e.g. “Ganesh, K.”); "
        "an organisation as its full name with no comma (e.g. “World Health Organization”).",
    )
    et_al = models.BooleanField(
        "et al.", default=False, help_text="The author list is cut short with “et al.”."
    )
    title = models.CharField(max_length=500, blank=True)
    journal = models.CharField(
        "journal or container",
        max_length=250,
        blank=True,
        help_text="The journal; for a preprint its server, for a chapter the book, for a conference paper the "
        "proceedings, for a book, report or dataset its publisher or repository.",
    )
    volume = models.CharField(max_length=30, blank=True)
    issue = models.CharField(max_length=30, blank=True)
    first_page = models.CharField(max_length=30, blank=True)
    last_page = models.CharField(max_length=30, blank=True)
    article_number = models.CharField(
        max_length=30, blank=True, help_text="For journals that number articles instead of pages."
    )
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1600), MaxValueValidator(2100)]
    )
    doi = models.CharField("DOI", max_length=200, blank=True, validators=[doi_validator])
    url = models.URLField("URL", max_length=500, blank=True)
    pmid = models.CharField(
        "PubMed ID",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{1,10}$", "A PMID is digits (0–9) only.")],
    )
    study_status = models.CharField(
        max_length=20,
        choices=StudyStatus.choices,
        default=StudyStatus.PEER_REVIEWED,
        help_text="Tell readers whether the research has been peer-reviewed.",
    )
    raw = models.TextField(
        "reference as given", blank=True, help_text="The reference string as it was pasted or imported."
    )

    class Meta:
        ordering = ["article", "position", "pk"]
        constraints = [
            # Deferred so editors can swap two positions in one save. SQLite cannot defer, so there only
            # model validation (which the admin formsets run) keeps positions unique.
            models.UniqueConstraint(
                fields=["article", "position"],
                name="citation_unique_position",
                deferrable=Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1600, year__lte=2100), name="citation_year_range"
            ),
            models.CheckConstraint(
                condition=Q(doi="") | Q(doi__regex=DOI_PATTERN), name="citation_doi_format"
            ),
        ]

    def __str__(self):
        # Whole words: this names the row in the history's change messages.
        return self.title or Truncator(self.raw).words(14) or f"Citation {self.pk}"

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pages(self):
        """“28–45”, “28” or the article number, with an en dash as journals print it."""
        return self.page_range("–")

    def page_range(self, separator):
        """First and last page joined by `separator` (each export format has its own), else the one page or
        the article number."""
        if self.first_page and self.last_page:
            return f"{self.first_page}{separator}{self.last_page}"
        return self.first_page or self.article_number

    @property
    def names(self):
        """The authors as Name records, each a person or an organisation."""
        return [Name.parse(author) for author in self.authors]
