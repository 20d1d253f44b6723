"""Ingest API for the replicator (owned by the replication work; routes to come)."""

from flask import Blueprint

api = Blueprint("ingest", __name__)
sim = Blueprint("ingest_sim", __name__)
