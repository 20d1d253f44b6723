"""应急管理部政务服务平台 (the ministry portal): accounts, 实人认证, 我的证照, JSON API, control plane."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from mem_portal import api, control, openapi, replication
from mem_portal.settings import load_settings
from mem_portal.views import PAGES, verify
from shared.clock import Clock
from shared.web.app import build_portal
from shared.world import WorldStore


def create_app(config: Mapping | None = None, *, clock: Clock | None = None,
               world: WorldStore | None = None) -> Flask:
    """Build the ministry portal: defaults → MEM_… environment → `config`.

    `clock` and `world` (the shared world's store) win over the settings'.
    """
    settings = load_settings(config)
    return build_portal(
        __name__, settings, clock, world, pages=PAGES, apis=(api.bp, replication.bp), control=control.bp,
        contract=openapi.CONTRACT,
        secrets={"MEM_SECRET_KEY": settings["SECRET_KEY"], "SYNC_SECRET": settings["SYNC_SECRET"],
                 "CERTSIM_SEAL_SEED": settings["SEAL_SEED"]},
        larger_bodies={"/verify/file": verify.MAX_BODY})
