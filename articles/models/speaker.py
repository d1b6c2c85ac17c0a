import unicodedata

from django.apps import apps
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils.text import slugify

from .quote import Quote


def normalise_name(name):
    """Fold accents, case and spacing so “Joan Massagué” and “joan  massague” are one person."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


class SpeakerQuerySet(models.QuerySet):
    def quoted_in(self, articles):
        """Speakers quoted in these stories: a speaker's page exists only while a published story quotes them."""
        return self.filter(pk__in=Quote.objects.filter(article__in=articles).values("speaker"))

    def get_or_create_by_name(self, name, **defaults):
        """The one Speaker for this name, matched on the normalised form; blanks in it are filled from defaults."""
        speaker, created = self.get_or_create(
            normalised_name=normalise_name(name), defaults={"name": name, **defaults}
        )
        if not created:
            missing = {
                field: value for field, value in defaults.items() if value and not getattr(speaker, field)
            }
            if missing:
                for field, value in missing.items():
                    setattr(speaker, field, value)
                speaker.save(update_fields=list(missing))
        return speaker, created


class Speaker(models.Model):
    """A person quoted in stories: one record however many stories quote them."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True, allow_unicode=True)
    normalised_name = models.CharField(max_length=150, unique=True, editable=False)
    role = models.CharField(
        max_length=150, blank=True, help_text="e.g. “oncologist” or “physician-scientist”."
    )
    affiliation = models.CharField(max_length=200, blank=True, help_text="e.g. “Sloan Kettering Institute”.")
    orcid = models.CharField(
        "ORCID",
        max_length=19,
        blank=True,
        validators=[
            RegexValidator(
                r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$", "An ORCID looks like 0000-0002-1825-0097."
            )
        ],
    )
    url = models.URLField("URL", blank=True)

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [("merge_speaker", "Can merge speaker records")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalised_name = normalise_name(self.name)
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:speaker", kwargs={"slug": self.slug})

    def stories(self):
        """Every story quoting this person: their record shows on each."""
        return apps.get_model("articles", "Article").objects.filter(quotes__speaker=self).distinct()

    @transaction.atomic
    def absorb(self, others):
        """Merge other records of the same person into this one: their quotes move here, blanks here are
        filled from them, and they are deleted. All or nothing. Returns how many records were merged."""
        others = [other for other in others if other.pk != self.pk]
        if not others:
            return 0
        Quote.objects.filter(speaker__in=others).update(speaker=self)
        filled = []
        for field in ("role", "affiliation", "orcid", "url"):
            if not getattr(self, field):
                value = next((getattr(other, field) for other in others if getattr(other, field)), "")
                if value:
                    setattr(self, field, value)
                    filled.append(field)
        Speaker.objects.filter(pk__in=[other.pk for other in others]).delete()
        if filled:
            self.save(update_fields=filled)
        return len(others)

    def _unique_slug(self):
        base = slugify(self.normalised_name, allow_unicode=True)[:150] or "speaker"
        slug, n = base, 2
        while Speaker.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug
