"""The templates' URL helpers build exactly what Flask's url_for builds, only once."""

import pytest
from flask import render_template_string, url_for

import national_portal
from shared.web.pages import url_filler

KEYS = ["2016000000001", "1.2.156.3005.2.X.Y.001.Q", "a b/c?d#e", "中文%", "x'<y>&"]


@pytest.fixture
def app(tmp_path, clock):
    return national_portal.create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                                       "SECRET_KEY": "k" * 32}, clock=clock)


@pytest.mark.parametrize("script_root", ["", "/portal"])
def test_a_filled_row_url_is_the_url_for_of_its_key(app, script_root):
    with app.test_request_context("/space/licences", base_url=f"http://localhost{script_root}/"):
        assert url_for("licences.index").startswith(script_root + "/space/")
        detail, unbind = url_filler("licences.detail", "key"), url_filler("licences.unbind", "key")
        for key in KEYS:
            assert detail(key) == url_for("licences.detail", key=key)
            assert unbind(key) == url_for("licences.unbind", key=key)


def test_a_template_url_is_flasks_url_under_each_script_root(app):
    template = ("{{ url_for('licences.index', status='valid') }} {{ url_for('static', "
                "filename='css/portal.css') }} {{ url_for('licences.index', _anchor='faq') }}")
    for script_root in ("", "/portal", "", "/other"):
        with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
            expected = " ".join((url_for("licences.index", status="valid"),
                                 url_for("static", filename="css/portal.css"),
                                 url_for("licences.index", _anchor="faq")))
            assert render_template_string(template) == expected
            assert expected.startswith(script_root + "/space/licences")
