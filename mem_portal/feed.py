"""Change feed for the replicator (owned by the replication work; routes to come)."""

from flask import Blueprint

api = Blueprint("feed", __name__)
sim = Blueprint("feed_sim", __name__)
