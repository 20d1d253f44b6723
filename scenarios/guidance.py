"""The guide's FAQ an answer carries (`guidance`: why a licence may be missing), as text.

The national pages show the reasons as 原因一, 原因二 … each with its 解决方法; the answer lists
them in that order, so a step can check the numbering as well as the words.
"""

from __future__ import annotations

from scenarios.portals import Reply

NUMERALS = "一二三四五六七八九十"
LABELS = {"remedy": "解决方法："}


def faq_text(guidance: list) -> str:
    """Return the reasons one a line: "原因一：<reason> 解决方法：<remedy>"."""
    lines = []
    for numeral, item in zip(NUMERALS, guidance, strict=False):
        said = item.items() if isinstance(item, dict) else [("reason", item)]
        lines.append(f"原因{numeral}：" + " ".join(
            LABELS.get(key, "") + str(value) for key, value in said if value))
    return "\n".join(lines)


def answer_facts(reply: Reply) -> dict:
    """Return what any answer lets a step check: its text, and its FAQ when it carries one."""
    facts = {"text": reply.text}
    guidance = reply.data.get("guidance")
    if isinstance(guidance, list):
        facts["guidance"] = faq_text(guidance)
    return facts
