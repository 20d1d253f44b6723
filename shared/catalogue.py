"""The 特种作业目录 (work categories and operation items) as versioned reference data.

`catalog_2010` is the annex of 原国家安全监管总局令第30号 (domain reference §3). Provinces
may add items (`extra_items`); a `catalog_2026` can be added when 应急〔2026〕45号 is obtained.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.errors import InvalidInput

COAL_MINE = "煤矿安全作业"

CATALOG_2010: dict[str, tuple[str, ...]] = {
    "电工作业": ("高压电工作业", "低压电工作业", "防爆电气作业"),
    "焊接与热切割作业": ("熔化焊接与热切割作业", "压力焊作业", "钎焊作业"),
    "高处作业": ("登高架设作业", "高处安装、维护、拆除作业"),
    "制冷与空调作业": ("制冷与空调设备运行操作作业", "制冷与空调设备安装修理作业"),
    COAL_MINE: (
        "煤矿井下电气作业", "煤矿井下爆破作业", "煤矿安全监测监控作业", "煤矿瓦斯检查作业",
        "煤矿安全检查作业", "煤矿提升机操作作业", "煤矿采煤机（掘进机）操作作业",
        "煤矿瓦斯抽采作业", "煤矿防突作业", "煤矿探放水作业",
    ),
    "金属非金属矿山安全作业": (
        "金属非金属矿井通风作业", "尾矿作业", "金属非金属矿山安全检查作业",
        "金属非金属矿山提升机操作作业", "金属非金属矿山支柱作业",
        "金属非金属矿山井下电气作业", "金属非金属矿山排水作业", "金属非金属矿山爆破作业",
    ),
    "石油天然气安全作业": ("司钻作业",),
    "冶金（有色）生产安全作业": ("煤气作业",),
    "危险化学品安全作业": (
        "光气及光气化工艺作业", "氯碱电解工艺作业", "氯化工艺作业", "硝化工艺作业",
        "合成氨工艺作业", "裂解（裂化）工艺作业", "氟化工艺作业", "加氢工艺作业",
        "重氮化工艺作业", "氧化工艺作业", "过氧化工艺作业", "胺基化工艺作业", "磺化工艺作业",
        "聚合工艺作业", "烷基化工艺作业", "化工自动化控制仪表作业",
    ),
    "烟花爆竹安全作业": (
        "烟火药制造作业", "黑火药制造作业", "引火线制造作业", "烟花爆竹产品涉药作业",
        "烟花爆竹储存作业",
    ),
    "应急管理部认定的其他作业": (),
}


@dataclass(frozen=True)
class Catalogue:
    """Categories and their items; `extra_items` holds provincial additions."""

    name: str
    items: dict[str, tuple[str, ...]]
    extra_items: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def categories(self) -> list[str]:
        return list(self.items)

    def items_of(self, category: str) -> tuple[str, ...]:
        return self.items.get(category, ()) + self.extra_items.get(category, ())

    def code_of(self, category: str, item: str) -> str:
        """Return the x.y number of an item, e.g. 1.2 for 低压电工作业."""
        self.check(category, item)
        return f"{self.categories().index(category) + 1}.{self.items_of(category).index(item) + 1}"

    def check(self, category: str, item: str) -> None:
        """Refuse an unknown category or an item that is not in that category."""
        if category not in self.items:
            raise InvalidInput("category", f"作业类别不存在: {category!r}")
        if item not in self.items_of(category):
            raise InvalidInput("item", f"操作项目 {item!r} 不属于作业类别 {category}")


CATALOGUES = {"catalog_2010": Catalogue("catalog_2010", CATALOG_2010)}
DEFAULT_CATALOGUE = CATALOGUES["catalog_2010"]
