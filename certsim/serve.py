"""`python -m certsim.serve`: waitress, as `make run` serves the portals, minus one busy loop,
in one or more processes.

It takes waitress's own arguments (`python -m certsim.serve --help`), plus `--processes=N`
(below), and differs from waitress in one place. waitress's loop asks each connection whether
it has output to send; while a request thread is sending (holding the connection's output
lock) the answer is yes, the loop's own attempt finds the lock taken and gives up, and the
socket, writable, wakes the loop at once: round and round until the send ends. Each round
takes the GIL from the request thread, which may then wait the interpreter's whole switch
interval (5 ms) to get it back. Measured on 2 cores with 8 clients (我的证照, 20 000
holders): the loop thread spent 1.7 ms of CPU per page, against 0.1 ms for the same page
served one request at a time.

Here a connection whose output lock is taken is not polled for output: the thread holding the
lock sends, and wakes the loop if it leaves anything unsent (waitress does both already).
Everything else is waitress's own: a connection about to close is still polled, and so is
one whose request thread waits for the loop to drain its output (waiting lets go of the
lock).

`--processes=N` (N > 1) serves from N processes. A portal's handlers are CPU work in one
interpreter lock, and every SQLite call lets go of that lock: two request threads busy at once
hand it back and forth at each call, and one process uses one core at most. N processes each
serve with their own threads on sockets this process binds and hands them (`sockets`, as
waitress takes them), and the kernel gives each new connection to one of them. This process
only watches: SIGTERM or SIGINT stops them all; when one ends, it stops the others and exits
with a failure (so `certsim run` restarts the portal); and if this process is killed
outright, each of them notices its pipe close and stops. Everything a portal keeps lives in its
database and the shared world, so which process answers a request does not matter.
"""

from __future__ import annotations

import functools
import getopt
import os
import signal
import socket
import subprocess
import sys
import threading

from waitress import runner, serve
from waitress.adjustments import Adjustments
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


PROCESSES = "--processes="
SOCKETS = "CERTSIM_SERVE_SOCKETS"  # to a serving process: the descriptors it listens on
PARENT = "CERTSIM_SERVE_PARENT"    # to a serving process: its pipe from the watching process
WHERE = ("host", "port", "listen", "ipv4", "ipv6")  # the arguments saying where to listen


def main(argv: list[str]) -> int:
    """Run waitress's command line with the quiet server, in `--processes` processes."""
    processes = [arg for arg in argv[1:] if arg.startswith(PROCESSES)]
    argv = [arg for arg in argv if arg not in processes]
    written = processes[-1].removeprefix(PROCESSES) if processes else "1"
    if not written.isdigit() or int(written) < 1:
        print(f"certsim.serve: {PROCESSES}N needs a whole number N ≥ 1, not {written!r}",
              file=sys.stderr)
        return 2
    count = int(written)
    if SOCKETS in os.environ:
        return runner.run(argv, _serve=_serve_handed_sockets)
    if count == 1:
        return runner.run(argv, _serve=functools.partial(serve, _server=create_quiet_server))
    return _watch(argv, count)


def _serve_handed_sockets(app, **kw) -> None:
    """Serve on the sockets the watching process bound (it chose where), until told to stop or
    until the watching process is gone."""
    sockets = [socket.socket(fileno=int(fd)) for fd in os.environ.pop(SOCKETS).split(",")]
    parent = int(os.environ.pop(PARENT))
    threading.Thread(target=_stop_when_closed, args=(parent,), daemon=True).start()
    for name in WHERE:
        kw.pop(name, None)
    serve(app, sockets=sockets, _server=create_quiet_server, **kw)


def _stop_when_closed(pipe: int) -> None:
    """Wait for the watching process's end of the pipe to close (it ended, however it ended),
    then stop this process as SIGTERM stops it."""
    while os.read(pipe, 1):
        pass
    os.kill(os.getpid(), signal.SIGTERM)


def _watch(argv: list[str], count: int) -> int:
    """Bind where the arguments say, start `count` serving processes on those sockets, and
    watch them (see the module's docstring); return the exit status."""
    try:
        kw, args = Adjustments.parse_args(argv[1:])
    except getopt.GetoptError:
        return runner.run(argv)  # waitress says what is wrong
    if kw["help"] or len(args) != 1:
        return runner.run(argv)  # its help, or what is missing
    if "unix_socket" in kw:
        print(f"certsim.serve: {PROCESSES}N serves TCP ports only, not --unix-socket",
              file=sys.stderr)
        return 2
    adjustments = Adjustments(**{name: kw[name] for name in WHERE if name in kw})
    sockets = []
    for family, kind, protocol, address in adjustments.listen:
        listener = socket.socket(family, kind, protocol)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(adjustments.backlog)
        sockets.append(listener)
    pipe_out, pipe_in = os.pipe()
    handed = [listener.fileno() for listener in sockets]
    env = {**os.environ, SOCKETS: ",".join(map(str, handed)), PARENT: str(pipe_out)}
    children: list[subprocess.Popen] = []
    told: list[int] = []  # the stop signals received

    def stop() -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    def told_to_stop(number: int, _frame) -> None:
        told.append(number)
        stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, told_to_stop)
    for _ in range(count):
        children.append(subprocess.Popen([sys.executable, "-m", "certsim.serve", *argv[1:]],
                                         env=env, pass_fds=[*handed, pipe_out]))
    os.close(pipe_out)
    for listener in sockets:
        listener.close()  # the serving processes hold them
    first = _first_to_end(children)
    stop()
    for child in children:
        child.wait()
    os.close(pipe_in)
    return 0 if told else first.returncode or 1


def _first_to_end(children: list[subprocess.Popen]) -> subprocess.Popen:
    """Wait for any of the serving processes to end; return it."""
    while True:
        if ended := [child for child in children if child.returncode is not None]:
            return ended[0]  # reaped by a stop signal's `poll`
        try:
            pid, status = os.wait()
        except ChildProcessError:  # reaped meanwhile, as above
            continue
        for child in children:
            if child.pid == pid:
                child.returncode = os.waitstatus_to_exitcode(status)
                return child


if __name__ == "__main__":
    sys.exit(main(["certsim.serve", *sys.argv[1:]]))
