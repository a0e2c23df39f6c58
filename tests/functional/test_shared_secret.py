"""Every app server of a deployment signs cookies with one key (issue 13): two servers, each
on its own instance folder, on one database and without a configured key — a browser logged
in through one is logged in on the other, and a form served by one is accepted by the other.
An explicitly configured key wins; a server that ran before keeps its users' sessions."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import WebAuth


def _server(app, folder: Path, **config):
    """Another app server of the same deployment (same database), on its own machine."""
    from eoffice import create_app

    folder.mkdir(exist_ok=True)
    return create_app({"DATABASE_URL": app.config["DATABASE_URL"], "TESTING": True,
                       "SEARCH_WORKER": "sync", "STORAGE_URL": app.config["STORAGE_URL"],
                       "TRUST_ROOTS": app.config["TRUST_ROOTS"], **config}, instance=folder)


def _browser_on(server, source):
    """``source``'s browser, its next request sent by the load balancer to ``server``."""
    other = server.test_client()
    for cookie in source._cookies.values():
        other.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return other


def test_session_and_form_of_one_server_are_accepted_by_the_other(app, client, auth, tmp_path):
    machine_b = tmp_path / "machine-b"
    machine_b.mkdir()
    (machine_b / "secret_key").write_text("key-generated-by-an-older-machine-b")
    server_b = _server(app, machine_b)
    auth.login("vanthu")
    assert _browser_on(server_b, client).get("/dashboard").status_code == 200  # logged in
    token = auth.csrf("/dashboard")  # a form served by server A …
    resp = _browser_on(server_b, client).post("/logout", data={"csrf_token": token})  # … to B
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert client.get("/dashboard").status_code == 302  # the logout took effect
    assert not (Path(app.instance_path) / "secret_key").exists()  # nothing to copy around


def test_a_configured_key_wins(app, client, auth, tmp_path):
    own = _server(app, tmp_path / "machine-c", SECRET_KEY="machine-c-configured-key")
    auth.login("vanthu")
    browser_c = _browser_on(own, client)
    resp = browser_c.get("/dashboard")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    WebAuth(browser_c).login("vanthu")
    assert browser_c.get("/dashboard").status_code == 200
    assert _browser_on(app, browser_c).get("/dashboard").status_code == 302


def test_a_server_that_ran_before_keeps_its_users_logged_in(app, tmp_path):
    machine = tmp_path / "upgraded"
    machine.mkdir()
    (machine / "secret_key").write_text("key-of-the-instance-before-upgrade")
    before = _server(app, machine, SECRET_KEY="key-of-the-instance-before-upgrade")
    browser = before.test_client()
    WebAuth(browser).login("vanthu")
    assert browser.get("/dashboard").status_code == 200
    after = _server(app, machine)  # no configured key: the database's, seeded from the file
    assert _browser_on(after, browser).get("/dashboard").status_code == 200
    assert _browser_on(app, browser).get("/dashboard").status_code == 200  # and everywhere
