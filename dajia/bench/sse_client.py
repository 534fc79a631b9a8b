"""Many SSE viewers in one process, for the fan-out benchmark (``python -m dajia.bench.sse_client``).

Opens ``--viewers`` streams of one channel (``--concurrency`` connections being opened at a time), prints
``READY <connected> <failed>`` once every stream has its preamble, then records when each event id reaches each
viewer (wall clock, ``time.time()``), until every viewer has ``--events`` events or ``--timeout`` seconds
pass after READY. Prints one JSON line: ``{"connected", "failed", "arrivals": {event id: [seconds, …]}}``.

Plain sockets and a minimal reader (find ``id: N`` lines in the bytes): each viewer must cost the client as little
as possible, or the client's own delay would be measured as the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time

from dajia.bench.common import raise_fd_limit

ID = re.compile(rb"(?:^|\n)id: ([0-9]+)\n")


async def viewer(host, port, path, ready: asyncio.Event, arrivals: dict, done_count: list, want: int, stop):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n", 1)[0]:
        writer.close()
        raise ConnectionError(head[:80])
    first = None
    buffer = b""
    while first is None:  # the preamble: "retry: 2000\nid: <start>\n\n"
        buffer += await reader.read(4096)
        m = ID.search(buffer)
        if m:
            first = int(m.group(1))
            buffer = buffer[m.end() :]
    ready.set()
    seen = 0
    got: set[int] = set()
    try:
        while seen < want and not stop.is_set():
            chunk = await reader.read(65536)
            if not chunk:
                break
            now = time.time()
            buffer = buffer[-32:] + chunk
            for m in ID.finditer(buffer):
                event_id = int(m.group(1))
                if event_id > first and event_id not in got:
                    got.add(event_id)
                    arrivals.setdefault(event_id, []).append(now)
                    seen += 1
            buffer = buffer[-32:]
    finally:
        done_count[0] += 1
        writer.close()


async def main(args) -> dict:
    arrivals: dict = {}
    done_count = [0]
    stop = asyncio.Event()
    connected = failed = 0
    semaphore = asyncio.Semaphore(args.concurrency)
    tasks = []

    async def start_one():
        nonlocal connected, failed
        ready = asyncio.Event()
        async with semaphore:
            task = asyncio.create_task(
                viewer(args.host, args.port, args.path, ready, arrivals, done_count, args.events, stop)
            )
            tasks.append(task)
            waiter = asyncio.create_task(ready.wait())
            finished, _ = await asyncio.wait({task, waiter}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
            if waiter in finished:
                connected += 1
            else:
                failed += 1
                waiter.cancel()
                task.cancel()

    await asyncio.gather(*(start_one() for _ in range(args.viewers)))
    print(f"READY {connected} {failed}", flush=True)
    deadline = time.monotonic() + args.timeout
    while done_count[0] < len(tasks) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
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
