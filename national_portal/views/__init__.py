"""The national portal's pages, one blueprint a module."""

from national_portal.views import auth, faces, licences, site, space

PAGES = (site.bp, auth.bp, faces.bp, space.bp, licences.bp)
