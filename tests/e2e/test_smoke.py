from __future__ import annotations

import pytest

from tests.e2e.conftest import shoot
from tests.web.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_in_a_real_browser(live_server, page, workspace):
    make_user("marie@acme.example", workspace, "admin")
    page.goto(live_server.url + "/")
    page.get_by_label("E-mail").fill("marie@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    shoot(page, "smoke")
    assert "Acme" in page.content()
