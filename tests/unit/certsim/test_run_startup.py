"""`certsim run` waits for each portal to answer before it prints the banner."""

import http.client
import subprocess
import sys

from certsim import run


def test_waiting_for_a_portal_survives_a_connection_that_met_itself(monkeypatch):
    # Before a server listens, a connect to a port in the ephemeral range can be answered by
    # its own request (TCP self-connect); that reads as a bad status line, not an OSError.
    answers = [http.client.BadStatusLine("GET / HTTP/1.1"), ConnectionRefusedError(), None]
    calls = []

    class Page:
        def close(self):
            pass

    def urlopen(url, timeout):
        calls.append(url)
        answer = answers.pop(0)
        if answer is not None:
            raise answer
        return Page()

    monkeypatch.setattr(run.urllib.request, "urlopen", urlopen)
    monkeypatch.setattr(run.time, "sleep", lambda seconds: None)
    alive = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    try:
        run.wait_until_up(["http://127.0.0.1:1"], {"ministry": alive}, timeout=30)
    finally:
        alive.communicate(b"")
    assert calls == ["http://127.0.0.1:1/"] * 3
