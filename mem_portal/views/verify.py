"""电子证照核验: the public page (no login) the licence QR code opens, and file upload checks.

`/verify/<licence_id>` says whether the licence exists and is valid now (masked holder data);
`/verify` also takes an uploaded OFD file and checks its SM3 digests and simulated seal;
`GET /api/v1/verify/<licence_id>` is the JSON twin.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize

from mem_portal.issuer import get_seal
from mem_portal.services.verify import check_file, check_licence
from shared.errors import DomainError
from shared.web.resources import get_clock, get_session

bp = Blueprint("verify", __name__)
MAX_UPLOAD = 2 * 1024 * 1024
MAX_BODY = MAX_UPLOAD + 64 * 1024  # the file and the form around it


class UploadForm(FlaskForm):
    """上传电子证照文件核验."""

    licence_file = FileField("电子证照文件", validators=[
        FileRequired("请选择要核验的电子证照文件（.ofd）"),
        FileSize(MAX_UPLOAD, message="文件不能超过2MB")])


@bp.get("/verify")
def index():
    """Show the query box and the upload form; ?licence_id= looks a licence up."""
    licence_id = request.args.get("licence_id", "").strip()
    if licence_id:
        return result(licence_id)
    return render_template("verify/index.html", form=UploadForm())


@bp.get("/verify/<path:licence_id>")
def result(licence_id: str):
    """Show whether the licence is genuine and currently valid (what the QR code opens)."""
    check = check_licence(get_session(), get_clock(), licence_id.strip())
    return render_template("verify/result.html", check=check,
                           form=UploadForm()), 200 if check.found else 404


@bp.post("/verify/file")
def upload():
    """Verify an uploaded OFD file: digests, simulated seal, then the licence's status."""
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("verify/index.html", form=form), 400
    verification, check = check_file(get_session(), get_clock(), form.licence_file.data.read(),
                                     get_seal())
    return render_template("verify/file.html", verification=verification, check=check,
                           form=UploadForm())


@bp.get("/api/v1/verify/<path:licence_id>")
def api_result(licence_id: str):
    """JSON twin of the verification page."""
    check = check_licence(get_session(), get_clock(), licence_id.strip())
    if not check.found:
        error = DomainError("licence_id", check.verdict, code="not_found")
        return jsonify(error.to_json()), 404
    return jsonify({"licence_id": check.licence_id, "found": True, "status": check.status,
                    "status_label": check.label, "verdict": check.verdict,
                    "valid": check.status == "valid", "checked_at": check.checked_at.isoformat(),
                    "licence": {label: value for label, value in check.rows}})
