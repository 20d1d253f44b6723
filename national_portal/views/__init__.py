"""The national portal's pages, one blueprint a module (实人认证's QR codes and state are the
web kit's: shared.web.face_checks)."""

from national_portal.views import auth, licences, site, space

PAGES = (site.bp, auth.bp, space.bp, licences.bp)
