"""Many SSE viewers in one process, for the fan-out benchmark (``python -m dajia.bench.sse_client``).

Opens ``--viewers`` streams of one channel (``--concurrency`` connections being opened at a time), prints
``READY <connected> <failed>`` once every stream has its preamble, then records when each event id reaches each
viewer (wall clock, ``time.time()``), until every viewer has ``--events`` events or ``--timeout`` seconds
pass after READY. Prints one JSON line: ``{"connected", "failed", "arrivals": {event id: [seconds, …]}}``.

A protocol per viewer and a minimal reader (find ``id: N`` lines in the bytes, in ``data_received``): each viewer
must cost the client as little as possible, or the client's own delay would be measured as the server's. The
client runs on the same cores as the server, so what it spends per viewer and event is still in the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import re
import sys
import time

from dajia.bench.common import raise_fd_limit

ID = re.compile(rb"(?:^|\n)id: ([0-9]+)\n")


class Viewer(asyncio.Protocol):
    """One stream, read in the protocol's callback: no task, no StreamReader, and the arrival time is taken when
    the bytes are handed over by the event loop (a task woken afterwards would add its own delay)."""

    def __init__(self, request: bytes, arrivals: dict, done: list, want: int) -> None:
        self.request, self.arrivals, self.done, self.want = request, arrivals, done, want
        self.ready = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.finished = False
        self.head = True  # still reading the response head and the preamble
        self.first = 0
        self.buffer = b""
        self.got: set[int] = set()

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.time()
        buffer = self.buffer + data
        if self.head:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            if b" 200 " not in buffer.split(b"\r\n", 1)[0]:
                self._fail(ConnectionError(buffer[:80]))
                return
            m = ID.search(buffer, end + 4)  # the preamble: "retry: 2000\nid: <start>\n\n"
            if m is None:
                self.buffer = buffer
                return
            self.head, self.first = False, int(m.group(1))
            buffer = buffer[m.end() :]
            if not self.ready.done():  # not given up on (start_one's timeout)
                self.ready.set_result(True)
        for m in ID.finditer(buffer):
            event_id = int(m.group(1))
            if event_id > self.first and event_id not in self.got:
                self.got.add(event_id)
                self.arrivals.setdefault(event_id, []).append(now)
                if len(self.got) == self.want:
                    # Counted, not closed yet: closing thousands of streams (here and in the server) while the
                    # others still receive this event would be measured as the server's delay.
                    self.finish()
        self.buffer = buffer[-32:]

    def _fail(self, exc: Exception) -> None:
        if not self.ready.done():
            self.ready.set_exception(exc)
        self.close()

    def finish(self) -> None:
        if not self.finished:
            self.finished = True
            self.done[0] += 1

    def close(self) -> None:
        self.finish()
        if self.transport is not None:
            self.transport.close()
            self.transport = None

    def connection_lost(self, exc) -> None:
        self._fail(exc or ConnectionError("closed"))


async def main(args) -> dict:
    loop = asyncio.get_running_loop()
    arrivals: dict = {}
    done = [0]
    connected = failed = 0
    semaphore = asyncio.Semaphore(args.concurrency)
    viewers: list[Viewer] = []
    request = (
        f"GET {args.path} HTTP/1.1\r\nHost: {args.host}:{args.port}\r\nAccept: text/event-stream\r\n\r\n"
    ).encode()

    async def start_one():
        nonlocal connected, failed
        async with semaphore:
            v = None
            try:
                async with asyncio.timeout(30):
                    _transport, v = await loop.create_connection(
                        lambda: Viewer(request, arrivals, done, args.events), args.host, args.port
                    )
                    await v.ready
                viewers.append(v)
                connected += 1
            except (OSError, TimeoutError):
                failed += 1
                if v is not None:
                    v.close()

    await asyncio.gather(*(start_one() for _ in range(args.viewers)))
    # What is allocated from here on is little (arrival times): collections would only walk the viewers.
    gc.freeze()
    print(f"READY {connected} {failed}", flush=True)
    deadline = time.monotonic() + args.timeout
    while done[0] < len(viewers) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    for v in viewers:
        v.close()
    return {"connected": connected, "failed": failed, "arrivals": {str(k): v for k, v in arrivals.items()}}


def run() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--viewers", type=int, required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    raise_fd_limit(args.viewers + 1024)
    result = asyncio.run(main(args))
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    run()
