"""国家政务服务平台 (the national portal): 个人注册, 登录, 个人专属服务空间, 我的证照, control plane."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from national_portal import api, control, openapi, replication
from national_portal.settings import load_settings
from national_portal.views import PAGES
from shared.clock import Clock
from shared.web.app import build_portal
from shared.world import WorldStore


def create_app(config: Mapping | None = None, *, clock: Clock | None = None,
               world: WorldStore | None = None) -> Flask:
    """Build the national portal: defaults → NATIONAL_… environment → `config`.

    `clock` and `world` (the shared world's store) win over the settings'.
    """
    settings = load_settings(config)
    return build_portal(
        __name__, settings, clock, world, pages=PAGES, apis=(api.bp, replication.bp), control=control.bp,
        contract=openapi.CONTRACT,
        secrets={"NATIONAL_SECRET_KEY": settings["SECRET_KEY"],
                 "SYNC_SECRET": settings["SYNC_SECRET"]},
        larger_bodies={replication.INGEST_PATH: replication.MAX_BODY})
