"""The people a recording met, as a scenario's `people`: name, ID number, phone and password as
typed at their registration or login; each named once, by their name where it makes an alias."""

from __future__ import annotations

import re

ALIAS = re.compile(r"[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff-]*")
COMPARED = ("name", "phone", "id_number", "id_valid_from", "password")


class NotExpressible(Exception):
    """An event the scenario format cannot say."""


class People:
    """Who the events name, by ID number; the first successful registration or login says the
    phone and password a person keeps."""

    def __init__(self, events: list[dict]):
        self.specs: dict[str, dict] = {}     # alias -> person
        self.by_id: dict[str, str] = {}      # id number -> alias
        for event in events:
            self._learn(event)

    def _learn(self, event: dict) -> None:
        holder, facts = event.get("holder"), event.get("facts") or {}
        typed, refused = event.get("typed") or {}, event.get("error") is not None
        if holder:
            spec = self.specs[self.meet(holder["id_number"], holder["name"])]
            spec.setdefault("phone", holder["phone"])
            if not refused and event.get("action") in ("register", "login"):
                spec.setdefault("password", typed.get("password") or "")
            if not refused and event.get("action") == "register":
                spec.setdefault("id_valid_from", typed.get("id_valid_from"))
        for ref in [facts.get("certificate"), *facts.get("listed", []), *facts.get("bound", [])]:
            if ref and "id_number" in ref:
                self.meet(ref["id_number"], ref["name"])

    def meet(self, id_number: str, name: str) -> str:
        """Return the alias of the person with this ID number, naming them if new."""
        id_number = id_number.strip().upper()
        if id_number not in self.by_id:
            alias = name if ALIAS.fullmatch(name or "") else f"p{len(self.specs) + 1}"
            while alias in self.specs:
                alias = f"{alias}_{len(self.specs) + 1}"
            self.by_id[id_number] = alias
            self.specs[alias] = {"name": name, "id_number": id_number}
        return self.by_id[id_number]

    def meet_holder(self, ref: dict) -> str:
        """The alias of a certificate's holder."""
        return self.meet(ref["id_number"], ref["name"])

    def alias_of(self, id_number: str) -> str:
        return self.by_id[id_number.strip().upper()]

    def spec(self, alias: str) -> dict:
        return self.specs[alias]

    def find(self, login: str) -> str | None:
        """The person a typed phone or ID number names, if the recording met them."""
        login = (login or "").strip().upper()
        if login in self.by_id:
            return self.by_id[login]
        return next((alias for alias, spec in self.specs.items()
                     if spec.get("phone") == login), None)

    def login_person(self, event: dict) -> str:
        if event.get("holder"):
            return self.alias_of(event["holder"]["id_number"])
        login = (event.get("typed") or {}).get("login") or ""
        alias = self.find(login)
        if alias is None:
            raise NotExpressible(f"a login as {login!r}, whom the recording never met")
        return alias

    def registrant(self, event: dict) -> str:
        """Who registered (or tried to): the holder, else whom the typed ID number or phone
        names, else a new person with what was typed."""
        if event.get("holder"):
            return self.alias_of(event["holder"]["id_number"])
        typed = event.get("typed") or {}
        alias = self.find(typed.get("id_number", "")) or self.find(typed.get("phone", ""))
        if alias is None:
            if not typed.get("name") or not typed.get("id_number"):
                raise NotExpressible("a refused registration of someone without a name and "
                                     "ID number the recording knows")
            alias = self.meet(typed["id_number"], typed["name"])
            self.specs[alias].update(phone=typed.get("phone") or "",
                                     password=typed.get("password") or "")
        return alias

    def overrides(self, alias: str, typed: dict) -> dict:
        """What a registration form said differently from the person (a step's overrides)."""
        spec, found = self.specs[alias], {}
        for key in COMPARED:
            if key in typed and typed[key] != spec.get(key) and (
                    key != "id_number" or typed[key].strip().upper() != spec[key]):
                found[key] = typed[key]
        if "confirm_password" in typed and typed["confirm_password"] != typed.get("password"):
            found["confirm_password"] = typed["confirm_password"]
        if typed.get("agree") is False:
            found["agree"] = False
        return found

    def document(self) -> dict:
        """The `people` of the scenario (phone and password only where known)."""
        return {alias: {key: value for key, value in spec.items()
                        if value is not None and value != ""}
                for alias, spec in self.specs.items()}
