"""The templates' context calls plain functions directly and everything else as Jinja does;
every form of a session's pages carries the one CSRF token signed on its first page."""

from itertools import count

import pytest
from flask import render_template_string, session
from itsdangerous import TimestampSigner
from jinja2 import pass_context, pass_environment

import national_portal


@pytest.fixture
def app(tmp_path, clock):
    return national_portal.create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                                       "SECRET_KEY": "k" * 32}, clock=clock)


def test_calls_in_loops_blocks_and_macros_answer_as_jinjas(app):
    app.jinja_env.globals.update(
        plain=lambda *args, **kwargs: f"{args}{sorted(kwargs.items())}",
        with_context=pass_context(lambda context, name: context[name]),
        with_environment=pass_environment(lambda env, *args: str(env is app.jinja_env)),
        stops=lambda: next(iter(())))
    template = ("{% macro m(x) %}[{{ plain(x, k=x) }}]{% endmacro %}"
                "{% for i in [1, 2] %}{{ plain(i) }}{{ with_context('here') }}{{ m(i) }}"
                "{% endfor %}{{ with_environment() }}{{ stops() }}|{{ plain(a='<b>') }}")
    with app.test_request_context("/"):
        assert render_template_string(template, here="h") == (
            "(1,)[]h[(1,)[(&#39;k&#39;, 1)]](2,)[]h[(2,)[(&#39;k&#39;, 2)]]True|"
            "()[(&#39;a&#39;, &#39;&lt;b&gt;&#39;)]")


def test_every_form_of_a_sessions_pages_carries_its_first_token(app, monkeypatch):
    seconds = count(1_700_000_000)  # a token signed again would carry a later time
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _signer: next(seconds))
    tokens = []
    for _ in range(2):
        with app.test_request_context("/"):
            session["csrf_token"] = "raw-token-of-this-session"
            page = render_template_string("{{ csrf_token() }} {{ csrf_token() }}")
            first, second = page.split(" ")
            assert first == second
            tokens.append(first)
    assert tokens[0] == tokens[1]
