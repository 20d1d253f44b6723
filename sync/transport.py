"""How the replicator reaches the two portals: real HTTP, or their WSGI apps in-process.

Both transports sign every call the same way (shared.wire) and turn answers into the same
outcomes, so the replicator's code is identical in live mode and in replay:

- a JSON answer with status 2xx is returned;
- no answer (connection refused, timeout), a 5xx or a body that is not JSON raises
  `TransportFailure` (retried with backoff);
- a 4xx raises `CallRefused` (a bad signature, a malformed call: retried too, and logged
  loudly, because it needs a person).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlencode

import orjson

from shared.clock import wall_now
from shared.wire import sign_request
from shared.wsgi import call_wsgi
from sync.pages import PassedChanges, as_fragment, split_page

if TYPE_CHECKING:  # imported where used: an in-process replay never needs it (~60 ms)
    import requests

READ_PIECE = 1024 * 1024  # an answer is read 1 MB at a time (a feed page is a few MB)


class TransportFailure(Exception):
    """The portal did not answer usefully; try again later."""

    def __init__(self, service: str, reason: str, status: int | None = None):
        super().__init__(f"{service}: {reason}")
        self.service, self.reason, self.status = service, reason, status


class CallRefused(TransportFailure):
    """The portal refused the call itself (4xx)."""


class Transport(Protocol):
    def call(self, service: str, method: str, path: str, *, query: dict | None = None,
             body: dict | None = None, page: bool = False) -> dict: ...


def encode(path: str, query: dict | None, body: dict | None) -> tuple[str, bytes]:
    """Return the request target and the body bytes exactly as they are signed and sent."""
    target = path + (f"?{urlencode(query)}" if query else "")
    data = b"" if body is None else orjson.dumps(body, default=as_fragment)  # compact UTF-8
    return target, data


def decode(service: str, status: int, data: bytes, *, page: bool = False) -> dict:
    """Turn a portal's answer into its JSON body or the right exception.

    `page`: the answer is a feed page; its changes are kept as the bytes received
    (sync.pages.PassedChanges), decoded only when the page is not in the head-first shape.
    """
    if page and 200 <= status < 300:
        answer = split_page(data)
        if answer is not None:
            return answer
        answer = decode(service, status, data)
        answer["changes"] = PassedChanges.of(answer.get("changes") or [])
        return answer
    try:
        answer = orjson.loads(data) if data else None
    except orjson.JSONDecodeError:
        answer = None
    if status >= 500 or (status < 400 and not isinstance(answer, dict)):
        reason = answer.get("error") if isinstance(answer, dict) else data[:200].decode(
            "utf-8", "replace")
        raise TransportFailure(service, f"HTTP {status}: {reason}", status)
    if status >= 400:
        reason = answer.get("message") if isinstance(answer, dict) else "refused"
        raise CallRefused(service, f"HTTP {status}: {reason}", status)
    return answer


class HttpTransport:
    """Call the portals over HTTP with requests: signed, with a timeout on every call.

    Safe to call from several threads (the replicator's ministry lane, the tick watcher): each
    thread keeps its own pooled `requests.Session`.
    """

    concurrent = True

    def __init__(self, urls: dict[str, str], secret: str, *, timeout: float = 10.0):
        self.urls = {name: url.rstrip("/") for name, url in urls.items()}
        self.secret, self.timeout = secret, timeout
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    @property
    def http(self) -> requests.Session:
        """Return this thread's pooled HTTP session."""
        session = getattr(self._local, "session", None)
        if session is None:
            import requests

            session = self._local.session = requests.Session()
            with self._lock:
                self._sessions.append(session)
        return session

    def call(self, service: str, method: str, path: str, *, query: dict | None = None,
             body: dict | None = None, page: bool = False) -> dict:
        """Send one signed call and return the JSON answer (`page`: see `decode`)."""
        import requests

        target, data = encode(path, query, body)
        headers = sign_request(self.secret, method, target, data, now=wall_now())
        headers["Content-Type"] = "application/json"
        try:
            response = self.http.request(method, self.urls[service] + target, data=data,
                                         headers=headers, timeout=self.timeout, stream=True)
            with response:  # read in large pieces: `.content` takes a page 10 KB at a time
                content = b"".join(response.iter_content(READ_PIECE))
        except requests.Timeout:
            raise TransportFailure(service, f"no answer within {self.timeout}s") from None
        except requests.RequestException as exc:
            raise TransportFailure(service, f"unreachable: {type(exc).__name__}") from None
        return decode(service, response.status_code, content, page=page)

    def close(self) -> None:
        """Close every thread's pooled connections."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()


class WsgiTransport:
    """Call the portals' WSGI apps in this process (replay and tests), signed like HTTP.

    Called from one thread only: the replicator runs its ministry lane inline with it, so a
    replay is deterministic.
    """

    concurrent = False

    def __init__(self, apps: dict, secret: str):
        self.apps, self.secret = apps, secret

    def call(self, service: str, method: str, path: str, *, query: dict | None = None,
             body: dict | None = None, page: bool = False) -> dict:
        """Send one signed call to the app as WSGI (shared.wsgi) and return the JSON answer."""
        target, data = encode(path, query, body)
        headers = sign_request(self.secret, method, target, data, now=wall_now())
        answer = call_wsgi(self.apps[service], method, target, data,
                           {**headers, "Content-Type": "application/json"})
        return decode(service, answer.status, answer.body, page=page)

    def close(self) -> None:
        """Nothing to release in-process."""
