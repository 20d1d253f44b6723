"""`certsim.serve`: waitress whose loop does not spin while a request thread sends, and whose
answers still arrive whole."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import threading

import pytest
import requests
from support.served import LiveServer

from certsim.serve import QuietChannel, create_quiet_server

BIG = bytes(range(256)) * 4096 * 5  # 5 MB: far more than a loopback socket buffers


def answer(environ, start_response):
    """A WSGI app: /big answers 5 MB at once, /stream 5 MB in 64 KB pieces."""
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    if environ["PATH_INFO"] == "/big":
        return [BIG]
    return (BIG[i:i + 65536] for i in range(0, len(BIG), 65536))


@pytest.fixture
def channel():
    """One accepted QuietChannel of a server whose loop does not run (the test drives it)."""
    server = create_quiet_server(answer, host="127.0.0.1", port=0, threads=1)
    client = socket.create_connection(("127.0.0.1", server.effective_port))
    server.handle_accept()
    (accepted,) = [c for c in server._map.values() if isinstance(c, QuietChannel)]
    yield accepted
    accepted.close()
    client.close()
    server.close()
    server.task_dispatcher.shutdown(timeout=1)


def hold(lock) -> tuple[threading.Event, threading.Thread]:
    """Hold `lock` in another thread (as a request thread does while it sends) until released."""
    taken, release = threading.Event(), threading.Event()

    def holder() -> None:
        with lock:
            taken.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    taken.wait(5)
    return release, thread


def test_the_loop_does_not_poll_a_connection_whose_request_thread_is_sending(channel):
    channel.outbufs[-1].append(b"HTTP/1.1 200 OK\r\n")
    channel.total_outbufs_len += 17
    assert channel.writable()          # buffered output and nobody sending: the loop sends it
    release, thread = hold(channel.outbuf_lock)
    try:
        assert not channel.writable()  # a request thread is sending it: no busy round
        channel.will_close = True
        assert channel.writable()      # a connection about to close is still closed by the loop
    finally:
        release.set()
        thread.join(5)


def test_a_connection_with_nothing_to_send_is_not_polled_for_output(channel):
    assert not channel.writable()


@pytest.mark.parametrize("path", ["/big", "/stream"])
def test_large_answers_arrive_whole_even_to_a_slow_reader(path):
    # past 256 KB unsent the request thread waits for the loop to drain its output: the loop
    # must still poll that connection, or the answer would stop there
    server = LiveServer(answer, threads=2, outbuf_high_watermark=256 * 1024)
    try:
        with requests.get(server.url + path, stream=True, timeout=30) as response:
            received = hashlib.sha256()
            for piece in response.iter_content(7000):  # small reads: the socket fills up
                received.update(piece)
        assert received.hexdigest() == hashlib.sha256(BIG).hexdigest()
    finally:
        server.stop()


def test_the_command_takes_waitress_arguments():
    done = subprocess.run([sys.executable, "-m", "certsim.serve", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--threads=INT" in done.stdout
