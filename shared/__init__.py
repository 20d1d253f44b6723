"""Issuance core shared by both portals: rules, identifiers, calendar, clock, models, rendering."""
