#!/usr/bin/python3
"""A real SMTP server for the campaign tests: aiosmtpd (Debian's python3-aiosmtpd) on
127.0.0.1, on a port the system picks, keeping every message it accepts in a Maildir.

Usage: smtp_sink.py MAILDIR. Prints the port on its first line once it accepts connections,
and runs until its standard input closes (the test that started it ends).
"""
import asyncio
import sys

from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP


async def main(maildir: str) -> None:
    loop = asyncio.get_running_loop()
    handler = Mailbox(maildir)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp-sink.test"), host="127.0.0.1", port=0
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    # Ends when the test closes our standard input (or dies).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
