"""Demo stories written for this project, so a newcomer sees every part of a story working."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Article, Author, Byline, Citation, Quote, Section, Speaker, Status

AUTHORS = [
    {"name": "Priya Raman", "slug": "priya-raman", "role": "Health correspondent",
     "bio": "Priya covers cancer research, genetics and the clinics that put them to use."},
    {"name": "Tomás Ortega", "slug": "tomas-ortega", "role": "Space and physics editor",
     "bio": "Tomás writes about telescopes, planets and the people who build instruments for them."},
]  # fmt: skip

SECTIONS = [("Health", "health"), ("Space", "space"), ("Environment", "environment")]

STORIES = [
    {
        "external_id": "demo:l1cam-metastasis",
        "headline": "Metastasis starts with cells that hijack wound healing, study finds",
        "standfirst": (
            "Researchers at the Sloan Kettering Institute traced the spread of colorectal cancer to cells "
            "marked by the protein L1CAM, which behave like tissue repairing a wound."
        ),
        "body": [
            "Most cancer deaths are caused not by the first tumour but by its spread to other organs. A team led "
            "by oncologist Joan Massagué at the Sloan Kettering Institute (SKI) in New York has now described, "
            "cell by cell, how that spread begins in colorectal cancer.",
            "The group found that the cells able to seed new tumours carry a protein called L1CAM. Healthy gut "
            "lining switches the protein on only after injury, when it needs to rebuild. Cancer cells that "
            "escape their neighbours use the same repair programme to survive on their own and settle in the "
            "liver or lungs.",
            "“Metastasis looks like tissue regeneration happening in the wrong place,” Massagué said. "
            "The finding points away from the idea that spread needs new mutations, and towards the repair "
            "signals that the cells borrow.",
            "Karuna Ganesh, a physician-scientist at SKI and the study's first author, said the cells "
            "that arrive in a new organ become hard to remove: “They are no longer the tumour they came from.”",
        ],
        "section": "health",
        "authors": ["priya-raman"],
        "tags": ["cancer", "metastasis", "cell biology"],
        "quotes": [
            (
                "Metastasis looks like tissue regeneration happening in the wrong place.",
                "Joan Massagué",
                "oncologist",
                "Sloan Kettering Institute",
                True,
            ),
            (
                "They are no longer the tumour they came from.",
                "Karuna Ganesh",
                "physician-scientist",
                "Sloan Kettering Institute",
                False,
            ),
        ],
        "citations": [
            {
                "authors": ["Ganesh, K.", "Basnet, H.", "Kaygusuz, Y."],
                "et_al": True,
                "title": "L1CAM defines the regenerative origin of metastasis-initiating cells in colorectal cancer",
                "journal": "Nature Cancer",
                "volume": "1",
                "first_page": "28",
                "last_page": "45",
                "year": 2020,
                "doi": "10.1038/s43018-019-0006-x",
            }
        ],
        "hours_ago": 3,
    },
    {
        "external_id": "demo:exoplanet-haze",
        "headline": "A haze of soot may hide the surface of a nearby rocky planet",
        "standfirst": "Infrared measurements suggest a thick, dark haze rather than bare rock or clear air.",
        "body": [
            "Astronomers watching a small rocky planet pass behind its star have measured less heat than a bare "
            "surface would give off. The simplest explanation, they say, is a layer of haze high in the "
            "atmosphere that soaks up starlight before it reaches the ground.",
            "The team cautions that one planet and a handful of observations cannot settle the question. More "
            "orbits, observed at other wavelengths, should tell haze apart from a cloud deck.",
        ],
        "section": "space",
        "authors": ["tomas-ortega"],
        "tags": ["exoplanets", "telescopes"],
        "quotes": [],
        "citations": [],
        "hours_ago": 26,
    },
    {
        "external_id": "demo:river-microplastics",
        "headline": "Rivers carry more microplastic after storms than in dry weeks",
        "standfirst": "Sampling a river every day for a year showed floods move most of the plastic downstream.",
        "body": [
            "Researchers who sampled one river daily for a year found that a few storm days carried most of "
            "the microplastic the river moved. Monthly sampling, the usual practice, would have missed them.",
            "The authors suggest that monitoring programmes time at least some samples to follow heavy rain.",
        ],
        "section": "environment",
        "authors": ["priya-raman", "tomas-ortega"],
        "tags": ["plastics", "rivers"],
        "quotes": [],
        "citations": [],
        "hours_ago": 50,
    },
]


@transaction.atomic
def load_demo():
    """Create or refresh the demo stories; safe to run any number of times. Returns how many were new."""
    sections = {
        slug: Section.objects.get_or_create(slug=slug, defaults={"name": name})[0] for name, slug in SECTIONS
    }
    authors = {
        data["slug"]: Author.objects.update_or_create(slug=data["slug"], defaults=data)[0] for data in AUTHORS
    }
    created_count = 0
    for story in STORIES:
        article, created = Article.objects.update_or_create(
            external_id=story["external_id"],
            defaults={
                "headline": story["headline"],
                "slug": Article.unique_slug(story["headline"], exclude_pk=_existing_pk(story["external_id"])),
                "standfirst": story["standfirst"],
                "body": "".join(f"<p>{paragraph}</p>" for paragraph in story["body"]),
                "section": sections[story["section"]],
                "status": Status.PUBLISHED,
                "published_at": timezone.now() - timedelta(hours=story["hours_ago"]),
                "source_name": "Newsroom demo",
            },
        )
        created_count += created
        article.tags.set(story["tags"])
        article.bylines.all().delete()
        for position, slug in enumerate(story["authors"]):
            Byline.objects.create(article=article, author=authors[slug], position=position)
        article.quotes.all().delete()
        for position, (text, name, role, affiliation, pull) in enumerate(story["quotes"]):
            speaker, _ = Speaker.objects.get_or_create_by_name(name, role=role, affiliation=affiliation)
            Quote.objects.create(
                article=article, position=position, text=text, speaker=speaker, is_pull_quote=pull
            )
        article.citations.all().delete()
        for position, fields in enumerate(story["citations"]):
            Citation.objects.create(article=article, position=position, **fields)
    return created_count


def _existing_pk(external_id):
    return Article.objects.filter(external_id=external_id).values_list("pk", flat=True).first()
