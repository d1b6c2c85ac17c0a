import pytest
from django.core.cache import caches

from .factories import AuthorFactory, desk_user


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a throwaway folder, never into the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches, so no page cached by an earlier test can answer for this one."""
    for alias in ("default", "pages"):
        caches[alias].clear()
    yield
    for alias in ("default", "pages"):
        caches[alias].clear()


@pytest.fixture
def editor(db):
    return desk_user("Editor", first_name="Ada", last_name="Editor")


@pytest.fixture
def writer(db):
    """A Writer with a byline of their own (Author.user), as the desk sets them up."""
    user = desk_user("Writer", first_name="Wes", last_name="Writer")
    AuthorFactory(name="Wes Writer", user=user)
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def writer_client(client, writer):
    client.force_login(writer)
    return client


@pytest.fixture(autouse=True)
def _nothing_kept():
    """Values kept under a content state (articles/cache.py) must not outlive their test: between transactional
    tests the database is emptied, so the version starts again and SQLite hands out the same ids."""
    from articles.cache import kept

    kept.clear()
    yield
    kept.clear()
