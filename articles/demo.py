"""Demo stories written for this project, so a newcomer sees every part of a story working: sections, hero
images (drawn at load time, see demo_images.py), author photos, a flagged pull quote, people with ORCID iDs,
a peer-reviewed paper and a preprint, a correction, and a story with no byline (the publication's own).

The two researchers quoted in the first story are real and so is their paper; every other person, institute and
finding here is invented for the demo. The ORCID iD given is ORCID's own example iD.
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .demo_images import hero_jpeg, portrait_jpeg
from .models import Article, Author, Byline, Citation, Correction, Quote, Section, Speaker, Status
from .models.citation import StudyStatus

AUTHORS = [
    {"name": "Priya Raman", "slug": "priya-raman", "role": "Health correspondent",
     "bio": "Priya covers cancer research, genetics and the clinics that put them to use.",
     "photo": ((214, 196, 176), (92, 64, 52))},
    {"name": "Tomás Ortega", "slug": "tomas-ortega", "role": "Space and physics editor",
     "bio": "Tomás writes about telescopes, planets and the people who build instruments for them.",
     "photo": ((180, 200, 220), (48, 56, 72))},
]  # fmt: skip

SECTIONS = [
    ("Health", "health", "Medicine, genetics and the biology of disease, from the lab bench to the clinic."),
    ("Space", "space", "Planets, stars and the instruments that study them."),
    ("Environment", "environment", "Climate, rivers, forests and the oceans, measured."),
    ("Physics", "physics", "Particles, light and matter at their smallest and fastest."),
]

# Speakers the demo describes beyond what their quotes say (matched by name).
SPEAKER_DETAILS = {
    "Joan Massagué": {"url": "https://www.mskcc.org/"},
    "Elena Marsh": {"orcid": "0000-0002-1825-0097"},
}

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
        "image": (
            "cells",
            "Glowing green and teal cells on a dark background",
            "An artist's impression of cells that carry L1CAM.",
            "Illustration: Newsroom demo",
            (60, 45),
        ),
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
        "external_id": "demo:attosecond-electron",
        "headline": "Physicists time an electron leaving an atom to a few billionths of a billionth of a second",
        "standfirst": "Pulses of light shorter than the event itself let a team watch ionisation happen.",
        "body": [
            "When light knocks an electron out of an atom, the electron does not leave at once. A team using "
            "flashes of laser light lasting a few attoseconds has measured the delay, and found that it depends "
            "on which shell the electron came from.",
            "“We are no longer asking whether it takes time, but how the atom shapes that time,” said Rafael "
            "Duarte, who led the measurements.",
        ],
        "section": "physics",
        "authors": ["tomas-ortega"],
        "tags": ["attosecond physics", "lasers"],
        "image": (
            "waves",
            "Blue interference rings spreading across the frame",
            "Two waves of light overlapping, as in the experiment.",
            "Illustration: Newsroom demo",
            (50, 50),
        ),
        "quotes": [
            (
                "We are no longer asking whether it takes time, but how the atom shapes that time.",
                "Rafael Duarte",
                "physicist",
                "Institute for Ultrafast Science",
                False,
            )
        ],
        "citations": [],
        "hours_ago": 7,
    },
    {
        "external_id": "demo:gut-bacteria-diabetes",
        "headline": "Gut bacteria change how some people respond to a common diabetes drug",
        "standfirst": "People whose gut microbes break the drug down early got less benefit from the same dose.",
        "body": [
            "Two people taking the same dose of a widely used diabetes drug can see very different effects. A "
            "study of 400 patients suggests part of the answer lives in the gut.",
            "Patients carrying bacteria that break the drug down before it is absorbed had smaller falls in "
            "blood sugar. The researchers say a stool test could one day help doctors choose the dose.",
        ],
        "section": "health",
        "authors": ["priya-raman"],
        "tags": ["diabetes", "microbiome"],
        "image": (
            "microbes",
            "Pink and violet dots like bacteria under a microscope",
            "Gut bacteria, as a microscope might show them.",
            "Illustration: Newsroom demo",
            (40, 50),
        ),
        "quotes": [],
        "citations": [
            {
                "authors": ["Okafor, A.", "Lindqvist, M."],
                "title": "Microbial metabolism of an oral antidiabetic drug predicts glycaemic response",
                "journal": "medRxiv",
                "year": 2026,
                "url": "https://www.medrxiv.org/",
                "study_status": StudyStatus.PREPRINT,
            }
        ],
        "hours_ago": 11,
    },
    {
        "external_id": "demo:forest-soil-carbon",
        "headline": "Old-growth forests keep more of their carbon in the soil than models assume",
        "standfirst": "Cores from 120 forest plots found half the stored carbon below ground, out of sight.",
        "body": [
            "Estimates of how much carbon a forest holds usually start with its trees. Soil cores taken across "
            "120 plots of old-growth forest suggest the ground beneath them holds as much again.",
            "The finding matters for how credits for protecting forests are counted, the authors say, because "
            "clearing old forest releases soil carbon for decades afterwards.",
        ],
        "section": "environment",
        "authors": [],
        "tags": ["forests", "carbon"],
        "image": (
            "forest",
            "Tall dark tree trunks against a pale green sky",
            "Old-growth forest.",
            "Illustration: Newsroom demo",
            (50, 30),
        ),
        "quotes": [],
        "citations": [],
        "hours_ago": 20,
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
        "image": (
            "planet",
            "A rust-coloured planet with a glowing orange haze against a starry sky",
            "An artist's impression of the planet and its haze.",
            "Illustration: Newsroom demo",
            (72, 52),
        ),
        "quotes": [],
        "citations": [],
        "correction": "An earlier version said the planet passes in front of its star; it passes behind it.",
        "hours_ago": 26,
    },
    {
        "external_id": "demo:mirror-cold-test",
        "headline": "A telescope mirror the size of a tennis court passes its cold test",
        "standfirst": "Cooled to the temperature of deep space, the segmented mirror kept its shape to within "
        "a few nanometres.",
        "body": [
            "Engineers have chilled a segmented telescope mirror to minus 240 degrees Celsius and found that "
            "its segments moved less than the width of a few atoms relative to one another.",
            "The mirror will fly on an infrared observatory planned for the next decade.",
        ],
        "section": "space",
        "authors": ["tomas-ortega"],
        "tags": ["telescopes"],
        "image": (
            "mirror",
            "Gold hexagonal mirror segments fitted together",
            "Mirror segments during testing.",
            "Illustration: Newsroom demo",
            (50, 50),
        ),
        "quotes": [],
        "citations": [],
        "hours_ago": 31,
    },
    {
        "external_id": "demo:river-microplastics",
        "headline": "Rivers carry more microplastic after storms than in dry weeks",
        "standfirst": "Sampling a river every day for a year showed floods move most of the plastic downstream.",
        "body": [
            "Researchers who sampled one river daily for a year found that a few storm days carried most of "
            "the microplastic the river moved. Monthly sampling, the usual practice, would have missed them.",
            "“If you only sample on calm days, you measure the river at its cleanest,” said hydrologist Elena "
            "Marsh, who led the sampling.",
            "The authors suggest that monitoring programmes time at least some samples to follow heavy rain.",
        ],
        "section": "environment",
        "authors": ["priya-raman", "tomas-ortega"],
        "tags": ["plastics", "rivers"],
        "image": (
            "river",
            "Blue water with bright specks of coloured plastic",
            "Microplastic particles carried by a river.",
            "Illustration: Newsroom demo",
            (50, 60),
        ),
        "quotes": [
            (
                "If you only sample on calm days, you measure the river at its cleanest.",
                "Elena Marsh",
                "hydrologist",
                "Riverside Institute for Water Research",
                True,
            )
        ],
        "citations": [
            {
                "authors": ["Marsh, E.", "Haddad, S.", "Price, J."],
                "title": "Storm events dominate annual microplastic flux in a temperate river",
                "journal": "Water Research",
                "volume": "262",
                "article_number": "122047",
                "year": 2026,
            }
        ],
        "hours_ago": 50,
    },
    {
        "external_id": "demo:night-shift-clocks",
        "headline": "Night-shift workers' body clocks adjust less than they think",
        "standfirst": "Hormone measurements show most people's clocks barely move, even after years of nights.",
        "body": [
            "Many people who work nights say they have got used to it. Measurements of the sleep hormone "
            "melatonin in 200 night workers suggest that for most of them, the body's clock has not.",
        ],
        "section": "health",
        "authors": ["priya-raman"],
        "tags": ["sleep"],
        "quotes": [],
        "citations": [],
        "hours_ago": 70,
    },
]


@transaction.atomic
def load_demo():
    """Create or refresh the demo stories; safe to run any number of times. Returns how many were new."""
    sections = {
        slug: Section.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )[0]
        for name, slug, description in SECTIONS
    }
    authors = {data["slug"]: _author(data) for data in AUTHORS}
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
        if "image" in story:
            _hero(article, *story["image"])
        article.tags.set(story["tags"])
        article.bylines.all().delete()
        for position, slug in enumerate(story["authors"]):
            Byline.objects.create(article=article, author=authors[slug], position=position)
        article.quotes.all().delete()
        for position, (text, name, role, affiliation, pull) in enumerate(story["quotes"]):
            details = SPEAKER_DETAILS.get(name, {})
            speaker, _ = Speaker.objects.get_or_create_by_name(
                name, role=role, affiliation=affiliation, **details
            )
            Quote.objects.create(
                article=article, position=position, text=text, speaker=speaker, is_pull_quote=pull
            )
        article.citations.all().delete()
        for position, fields in enumerate(story["citations"]):
            Citation.objects.create(article=article, position=position, **fields)
        article.corrections.all().delete()
        if "correction" in story:
            Correction.objects.create(
                article=article, text=story["correction"], created_at=timezone.now() - timedelta(hours=2)
            )
    return created_count


def _author(data):
    background, face = data["photo"]
    fields = {key: value for key, value in data.items() if key != "photo"}
    author, _ = Author.objects.update_or_create(slug=data["slug"], defaults=fields)
    if not author.photo:
        author.photo.save(f"{data['slug']}.jpg", ContentFile(portrait_jpeg(background, face)))
    return author


def _hero(article, kind, alt, caption, credit, focal):
    """Give the story its drawn hero image, once: a second load keeps the stored file and its renditions."""
    article.hero_alt, article.hero_caption, article.hero_credit = alt, caption, credit
    article.hero_focal_x, article.hero_focal_y = focal
    if article.hero_image:
        article.save()
    else:
        article.hero_image.save(f"demo-{kind}.jpg", ContentFile(hero_jpeg(kind)))


def _existing_pk(external_id):
    return Article.objects.filter(external_id=external_id).values_list("pk", flat=True).first()
