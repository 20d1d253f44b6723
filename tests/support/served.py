"""A WSGI app served by waitress on a free loopback port, in a daemon thread (browser and live
replay tests), with the connections `make run` serves (`certsim.serve`)."""

from __future__ import annotations

import threading


class LiveServer:
    """waitress on 127.0.0.1 with a port of its own; `stop` shuts it down in order."""

    def __init__(self, app, **adjustments):
        """Serve `app`; `adjustments` are waitress's, over these defaults."""
        from certsim.serve import create_quiet_server

        self.server = create_quiet_server(app, **{"host": "127.0.0.1", "port": 0, "threads": 4,
                                                  "asyncore_loop_timeout": 0.2, **adjustments})
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, name=f"waitress {self.url}",
                                       daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Let the requests in flight finish, then close the listener and every connection from
        inside the loop, and wait for it.

        In that order: a request still running when the loop's wake-up pipe is closed would
        write to a closed file descriptor as it ends (EBADF in a worker thread).
        """
        def close_all() -> None:
            for channel in list(self.server._map.values()):
                channel.close()

        self.server.task_dispatcher.shutdown(timeout=5)
        try:
            self.server.trigger.pull_trigger(close_all)
        except OSError:  # the wake-up pipe was closed already (EBADF: seen once at the end of
            close_all()  # a live-replay test, cause unknown); nothing can wake the loop
        self.thread.join(timeout=5)
