"""Where a portal serves its documents and the API browser.

`/api/v1/openapi.json` (always), `/_sim/openapi.json` (where the control plane is on) and
`/api/docs`: Swagger UI from the `flask-swagger-ui` package, served from this portal (no CDN),
started by `static/api_docs.js` so the pages' CSP needs no inline script.
"""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Flask, current_app, render_template, send_from_directory, url_for

from shared.web.openapi.operation import Contract
from shared.web.openapi.portal import api_document, control_document, document_text

SWAGGER_UI = Path(flask_swagger_ui.__file__).parent / "dist"
OWN_STATIC = Path(__file__).parent.parent / "static"
DOCUMENTS = "certsim.openapi"  # app.extensions key: the documents, built on first use
CONTRACT = "certsim.contract"  # app.extensions key: the portal's contract


def documents_blueprint(contract: Contract, *, control: bool) -> Blueprint:
    """Return the blueprint serving the documents (the control plane's only if `control`)."""
    bp = Blueprint("api_docs", __name__, template_folder="templates")

    @bp.get("/api/v1/openapi.json")
    def openapi():
        """The JSON API and replication wire (OpenAPI 3.1)."""
        return _serve("api", api_document, contract)

    if control:
        @bp.get("/_sim/openapi.json")
        def control_openapi():
            """The control plane (OpenAPI 3.1)."""
            return _serve("control", control_document, contract)

    @bp.get("/api/docs")
    def browser():
        """The API browser: Swagger UI over this portal's documents."""
        documents = [{"name": f"{contract.title} JSON API", "url": url_for(".openapi")}]
        if control:
            documents.append({"name": f"{contract.title} 控制面 /_sim",
                              "url": url_for(".control_openapi")})
        return render_template("api_docs.html", title=contract.title, documents=documents)

    @bp.get("/api/docs/swagger-ui/<path:name>")
    def swagger_ui(name: str):
        """Swagger UI's own files (JavaScript, CSS, icons)."""
        return send_from_directory(SWAGGER_UI, name)

    @bp.get("/api/docs/api_docs.js")
    def starter():
        """The script that starts Swagger UI on the page's documents."""
        return send_from_directory(OWN_STATIC, "api_docs.js")

    return bp


def _serve(name: str, build, contract: Contract):
    documents = current_app.extensions.setdefault(DOCUMENTS, {})
    if name not in documents:
        documents[name] = document_text(build(current_app, contract))
    return current_app.response_class(documents[name], mimetype="application/json")


def register_documents(app: Flask, contract: Contract) -> None:
    """Serve the documents and the API browser on `app`."""
    app.extensions[CONTRACT] = contract
    app.register_blueprint(documents_blueprint(contract, control=app.config["SIM_ENABLED"]))
