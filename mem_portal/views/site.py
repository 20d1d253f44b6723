"""The public pages: 办事大厅 (the portal's front page) and the navigation's columns."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

bp = Blueprint("site", __name__)

# The ministry site's navigation and top-bar links: slug -> label (首页 and 服务 lead to 办事大厅).
COLUMNS = {
    "organisation": "机构", "news": "新闻", "disclosure": "公开", "interaction": "互动",
    "science": "科普", "party": "党建", "rescue": "社会救援服务",
    "accessibility": "无障碍", "english": "English",  # the top bar's links
}
SERVICES = (
    ("行政许可", "应急管理部", "（国务院审批、核准、备案的）金属冶炼建设项目安全设施设计审查"),
    ("行政许可", "应急管理部", "高风险非煤矿山建设项目安全设施设计审查"),
    ("行政许可", "应急管理部", "非煤矿山、危险化学品、烟花爆竹、金属冶炼等生产经营单位主要负责人和安全生产管理人员"
                            "安全生产知识和管理能力考核"),
    ("公共服务", "应急管理部", "特种作业操作证电子证照查看与下载"),
    ("行政确认", "应急管理部", "安全评价机构资质认可"),
    ("行政奖励", "应急管理部", "安全生产领域举报奖励"),
)


@bp.get("/")
def index():
    """办事大厅: the services on offer, with 特种作业操作证电子证照 among them."""
    return render_template("site/index.html", services=SERVICES, columns=COLUMNS)


@bp.get("/column/<slug>")
def column(slug: str):
    """A navigation column of the ministry's site (not simulated beyond its title)."""
    if slug not in COLUMNS:
        abort(404)
    return render_template("site/column.html", label=COLUMNS[slug], columns=COLUMNS)
