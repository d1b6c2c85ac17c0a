"""Factories for every model; RelatedFactoryList builds the realistic shape of a story in one call."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import Article, Author, Byline, Citation, Correction, Quote, Section, Speaker, Status


class UserFactory(factory.django.DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")

    class Meta:
        model = get_user_model()


def desk_user(role, **kwargs):
    """A staff login in the Writer or Editor group (the groups and their permissions come from migrate)."""
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


class SectionFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")

    class Meta:
        model = Section


class AuthorFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    role = "Science correspondent"

    class Meta:
        model = Author


class SpeakerFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Speaker {n}")
    role = "researcher"
    affiliation = "Example Institute"

    class Meta:
        model = Speaker


class ArticleFactory(factory.django.DjangoModelFactory):
    headline = factory.Sequence(lambda n: f"Story number {n} about science")
    slug = factory.Sequence(lambda n: f"story-{n}")
    standfirst = "A short standfirst for the story."
    body = "<p>First paragraph of the story.</p><p>Second paragraph.</p>"
    status = Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    section = factory.SubFactory(SectionFactory)

    class Meta:
        model = Article
        skip_postgeneration_save = True

    class Params:
        draft = factory.Trait(status=Status.DRAFT, published_at=None)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class BylineFactory(factory.django.DjangoModelFactory):
    article = factory.SubFactory(ArticleFactory)
    author = factory.SubFactory(AuthorFactory)
    position = factory.Sequence(lambda n: n)

    class Meta:
        model = Byline


class QuoteFactory(factory.django.DjangoModelFactory):
    article = factory.SubFactory(ArticleFactory)
    speaker = factory.SubFactory(SpeakerFactory)
    text = "Science is a way of thinking much more than it is a body of knowledge."
    position = factory.Sequence(lambda n: n)

    class Meta:
        model = Quote


class CitationFactory(factory.django.DjangoModelFactory):
    article = factory.SubFactory(ArticleFactory)
    authors = factory.LazyFunction(lambda: ["Ganesh, K.", "Basnet, H.", "Kaygusuz, Y."])
    et_al = True
    title = "L1CAM defines the regenerative origin of metastasis-initiating cells in colorectal cancer"
    journal = "Nature Cancer"
    volume = "1"
    first_page = "28"
    last_page = "45"
    year = 2020
    doi = "10.1038/s43018-019-0006-x"
    position = factory.Sequence(lambda n: n)

    class Meta:
        model = Citation


class CorrectionFactory(factory.django.DjangoModelFactory):
    article = factory.SubFactory(ArticleFactory)
    text = "An earlier version of this story gave the wrong size for the trial: it enrolled 312 people."

    class Meta:
        model = Correction


def full_story(authors=3, quotes=5, citations=3, tags=5, **kwargs):
    """A published story with the shape the query-count budgets are stated for."""
    article = ArticleFactory(tags=[f"tag-{i}" for i in range(tags)], **kwargs)
    for i in range(authors):
        BylineFactory(article=article, position=i)
    for i in range(quotes):
        QuoteFactory(article=article, position=i)
    for i in range(citations):
        CitationFactory(article=article, position=i)
    return article
