"""Users of each role in a workspace, and logged-in test clients for them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from relance.accounts.models import Membership, Workspace

PASSWORD = "correct-horse-battery-42"


def make_user(email: str, workspace: Workspace | None = None, role: str = "viewer") -> User:
    user = User.objects.create_user(username=email, email=email, password=PASSWORD)
    if workspace is not None:
        Membership.objects.create(user=user, workspace=workspace, role=role)
    return user


@pytest.fixture
def other_workspace(db):  # type: ignore[no-untyped-def]
    return Workspace.objects.create(
        slug="globex", name="Globex", sender="Hank Scorpio <hank@globex.example>", country="FR"
    )


@pytest.fixture
def login_as(workspace: Workspace) -> Callable[[str], Client]:
    """login_as("collector") → a client logged in as a user with that role in `workspace`."""

    def make(role: str, email: str | None = None) -> Client:
        user = make_user(email or f"{role}@acme.example", workspace, role)
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def admin_client_ws(login_as: Callable[[str], Client]) -> Client:
    return login_as("admin")


@pytest.fixture
def collector_client(login_as: Callable[[str], Client]) -> Client:
    return login_as("collector")


@pytest.fixture
def viewer_client(login_as: Callable[[str], Client]) -> Client:
    return login_as("viewer")
