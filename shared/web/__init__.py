"""The web kit both portals (and the console) share: what every Flask app of certsim needs.

It may import Flask and the core of `shared`; the core never imports it.
"""
