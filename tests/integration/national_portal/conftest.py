"""The national portal with a ministry beside it, and 张三 ready to bind (a test module may
give its own `app`)."""

import pytest
from support.national import ZHANG, Api, Ministry, make_app


@pytest.fixture
def app(db_url_factory, clock):
    return make_app(db_url_factory("national"), clock)


@pytest.fixture
def ministry(db_url_factory, clock):
    return Ministry(db_url_factory("mem"), clock)


@pytest.fixture
def holder(app):
    """张三, registered, logged in through the API and face-checked in this login."""
    return Api(app).signed_up(ZHANG)
