"""The ministry portal's pages, one blueprint a module."""

from mem_portal.views import auth, faces, licences, site, space, verify

PAGES = (site.bp, auth.bp, faces.bp, space.bp, licences.bp, verify.bp)
