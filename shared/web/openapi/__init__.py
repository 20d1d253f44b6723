"""The OpenAPI 3.1 documents of both portals, built from the routes they serve.

Each portal names an `Operation` for every endpoint of its JSON API (`/api/v1`) and of its
control plane (`/_sim`); `document.build_document` walks the app's URL map and refuses a route
without an operation or an operation without a route, and takes every error's HTTP status from
`shared.web.errors.STATUS`. `views` serves the documents and the API browser (`/api/docs`).
"""
