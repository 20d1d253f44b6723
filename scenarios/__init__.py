"""Scenario replay: YAML files describing what testers do on both portals, replayed in
simulated time, with console, JUnit and HTML reports (docs/scenarios.md)."""
