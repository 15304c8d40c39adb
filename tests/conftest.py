import pytest
from django.core.management import call_command
from haystack import connections

from tests.processes import throwaway_site


@pytest.fixture
def search_index(db):
    """An empty index; tests add what they need and call rebuild() to index the database."""
    backend = connections["default"].get_backend()
    backend.clear()

    def rebuild():
        call_command("update_index", verbosity=0)

    yield rebuild
    backend.clear()


@pytest.fixture
def demo_index(search_index):
    call_command("load_demo", verbosity=0)
    search_index()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: pages and related articles cached by one test never leak."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_processes(tmp_path):
    """The environment for subprocesses of a new, migrated site with its own database and index."""
    yield from throwaway_site(tmp_path)


@pytest.fixture
def editor_user(db):
    """A member of the 编辑 group, as editors are set up (staff, no other rights)."""
    from django.contrib.auth.models import User

    from articles.services import ensure_editor_group

    user = User.objects.create_user("editor", password="not-a-real-password-1", is_staff=True)
    user.groups.add(ensure_editor_group())
    return user


@pytest.fixture
def editor_client(client, editor_user):
    client.force_login(editor_user)
    return client
