"""Public licence verification page (owned by the licence-files work; routes to come)."""

from flask import Blueprint

bp = Blueprint("verify", __name__)
