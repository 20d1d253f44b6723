"""`python -m certsim.serve`: waitress, as `make run` serves the portals, minus one busy loop.

It takes waitress's own arguments (`python -m certsim.serve --help`) and differs in one
place. waitress's loop asks each connection whether it has output to send; while a request
thread is sending (holding the connection's output lock) the answer is yes, the loop's own
attempt finds the lock taken and gives up, and the socket, writable, wakes the loop at once:
round and round until the send ends. Each round takes the GIL from the request thread, which
may then wait the interpreter's whole switch interval (5 ms) to get it back. Measured on 2
cores with 8 clients (我的证照, 20 000 holders): the loop thread spent 1.7 ms of CPU per page,
against 0.1 ms for the same page served one request at a time.

Here a connection whose output lock is taken is not polled for output: the thread holding the
lock sends, and wakes the loop if it leaves anything unsent (waitress does both already).
Everything else is waitress's own: a connection about to close is still polled, and so is
one whose request thread waits for the loop to drain its output (waiting lets go of the
lock).
"""

from __future__ import annotations

import functools
import sys

from waitress import runner, serve
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server


class QuietChannel(HTTPChannel):
    """An HTTP connection the loop does not poll for output while a request thread sends."""

    def writable(self):
        if not self.outbuf_lock.acquire(blocking=False):
            return self.will_close or self.close_when_flushed
        self.outbuf_lock.release()
        return super().writable()


def create_quiet_server(app, **kw):
    """waitress's `create_server`, its connections made with QuietChannel."""
    server = create_server(app, **kw)
    listeners = [server] if isinstance(server, BaseWSGIServer) else list(server.map.values())
    for listener in listeners:
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = QuietChannel
    return server


def main(argv: list[str]) -> int:
    """Run waitress's command line with the quiet server."""
    return runner.run(argv, _serve=functools.partial(serve, _server=create_quiet_server))


if __name__ == "__main__":
    sys.exit(main(["certsim.serve", *sys.argv[1:]]))
