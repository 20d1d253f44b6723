"""The issuance core both portals use: rules, identifiers, calendar, clock, certificates, rendering."""
