#!/usr/bin/env python3
"""A loopback TCP relay shaped like a slow link: a benchmark harness.

    throttle_proxy.py LISTEN_PORT TARGET_PORT BYTES_PER_S

Listens on 127.0.0.1:LISTEN_PORT and relays every connection to
127.0.0.1:TARGET_PORT. Each direction has one token bucket shared by all
connections (the link is shared, as a tablet's uplink is: a client that
opens 4 or 10 connections gets the same rate as one that opens one), at
BYTES_PER_S with a burst of 50 ms worth. Prints "ready PORT" on standard
output once it listens.

Used by scripts/bench-offsite.sh instead of `tc` on `lo`: it needs no
root, no kernel queueing discipline, and shapes only the benchmark's own
connections (a `tc` rule on the host's `lo` slows every loopback
connection of the machine).
"""

import asyncio
import sys
import time

CHUNK = 16 << 10


class Bucket:
    """Bytes per second with a small burst; callers wait their turn."""

    def __init__(self, rate):
        self.rate = float(rate)
        self.burst = max(self.rate * 0.05, CHUNK)
        self.tokens = self.burst
        self.t = time.monotonic()
        self.lock = asyncio.Lock()

    async def take(self, n):
        async with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
            self.t = now
            self.tokens -= n
            if self.tokens < 0:
                # Holding the lock while waiting keeps the link's order:
                # nobody else sends meanwhile.
                await asyncio.sleep(-self.tokens / self.rate)


async def pump(reader, writer, bucket):
    try:
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            await bucket.take(len(data))
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        try:
            if writer.can_write_eof():
                writer.write_eof()
        except (OSError, RuntimeError):
            writer.close()


async def main():
    listen, target, rate = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    up, down = Bucket(rate), Bucket(rate)

    async def handle(cr, cw):
        try:
            sr, sw = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            cw.close()
            return
        await asyncio.gather(pump(cr, sw, up), pump(sr, cw, down))
        for w in (cw, sw):
            w.close()

    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    print(f"ready {listen}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
