"""Talk to a portal's HTTP/JSON API: in-process as a WSGI call, or over HTTP.

The runner never calls a service function: every action is a call to `/api/v1/…` or to the
control plane `/_sim/…`, exactly what a tester's script would send to a live server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import orjson

from shared.wsgi import call_wsgi


@dataclass
class Reply:
    """A portal's answer: status, content type and body."""

    status: int
    content_type: str
    body: bytes

    @property
    def data(self) -> dict:
        """Return the JSON body, or {} when the answer is not JSON."""
        if "json" not in self.content_type:
            return {}
        try:
            value = orjson.loads(self.body or b"{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {"value": value}

    @property
    def text(self) -> str:
        """Return the body as text (JSON with its Chinese characters unescaped)."""
        if "json" in self.content_type:
            return json.dumps(self.data, ensure_ascii=False)
        return self.body.decode("utf-8", "replace")


class ApiError(Exception):
    """The portal refused a call: its error code, the fields at fault (each with its message)
    and its message."""

    def __init__(self, code: str, message: str = "", fields: dict[str, str] | None = None,
                 reply: Reply | None = None, call: str = ""):
        super().__init__(code, message)
        self.code, self.message, self.fields = code, message, fields or {}
        self.reply, self.call = reply, call

    @property
    def said(self) -> str:
        """The message, then each field's own, each once ("…；两次输入的密码不一致")."""
        return "；".join(dict.fromkeys([self.message, *self.fields.values()]))

    def __str__(self) -> str:
        where = f" on {', '.join(self.fields)}" if self.fields else ""
        return f"{self.code}{where}: {self.message}" + (f" ({self.call})" if self.call else "")

    @classmethod
    def from_reply(cls, reply: Reply, call: str) -> ApiError:
        data = reply.data
        message = str(data.get("message") or reply.body[:200])
        fields = {str(k): str(v) for k, v in (data.get("errors") or {}).items()}
        if data.get("field"):  # the field the portal names first comes first
            fields = {data["field"]: fields.get(data["field"], message), **fields}
        code = data.get("error") or f"http_{reply.status}"
        return cls(code, message, fields, reply, call)


class Portal:
    """One portal's API; subclasses send the request."""

    name = "portal"

    def send(self, method: str, path: str, body: dict | None, headers: dict) -> Reply:
        raise NotImplementedError

    def call(self, method: str, path: str, body: dict | None = None, *,
             token: str | None = None) -> Reply:
        """Send one call; a bearer `token` authenticates it."""
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.send(method, path, body, headers)

    def ok(self, method: str, path: str, body: dict | None = None, *,
           token: str | None = None) -> dict:
        """Send one call and return its JSON, or raise ApiError with the portal's error."""
        reply = self.call(method, path, body, token=token)
        if reply.status >= 400:
            raise ApiError.from_reply(reply, f"{self.name} {method} {path}")
        return reply.data

    def close(self) -> None:
        """Release connections (nothing in-process)."""


class FlaskPortal(Portal):
    """A portal app in this process, called as WSGI from this thread (shared.wsgi); the API
    authenticates with bearer tokens, so no cookie is carried between calls."""

    def __init__(self, name: str, app):
        self.name, self.app = name, app

    def send(self, method: str, path: str, body: dict | None, headers: dict) -> Reply:
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
        answer = call_wsgi(self.app, method, path,
                           b"" if body is None else orjson.dumps(body), headers)
        return Reply(answer.status, answer.header("Content-Type"), answer.body)


class HttpPortal(Portal):
    """A portal served elsewhere, reached over HTTP with requests."""

    def __init__(self, name: str, base_url: str, timeout: float = 30.0):
        import requests  # here: an in-process replay never needs it (~60 ms to import)

        self.name, self.base_url, self.timeout = name, base_url.rstrip("/"), timeout
        self.http = requests.Session()

    def send(self, method: str, path: str, body: dict | None, headers: dict) -> Reply:
        response = self.http.request(method, self.base_url + path, json=body, headers=headers,
                                     timeout=self.timeout)
        return Reply(response.status_code, response.headers.get("Content-Type", ""),
                     response.content)

    def close(self) -> None:
        self.http.close()
