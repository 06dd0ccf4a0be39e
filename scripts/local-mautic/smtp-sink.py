"""local-mautic: an SMTP sink for one instance. usage: smtp-sink.py HOST PORT DIR

Accepts every message on HOST:PORT (loopback) and writes it to DIR as one <time>-<n>.eml file
(the layout `npm run conformance -- --mail-dir` reads); nothing is relayed. Needs Debian's
python3-aiosmtpd (run with /usr/bin/python3)."""
import asyncio
import itertools
import os
import sys
import time

from aiosmtpd.controller import Controller

host, port, outdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(outdir, exist_ok=True)
counter = itertools.count(1)


class Sink:
    async def handle_DATA(self, server, session, envelope):
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{next(counter):05d}.eml"
        tmp = os.path.join(outdir, "." + name)
        with open(tmp, "wb") as f:
            f.write(f"X-Sink-Mail-From: {envelope.mail_from}\r\n".encode())
            f.write(f"X-Sink-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n".encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(outdir, name))  # readers never see half a message
        return "250 stored"


controller = Controller(Sink(), hostname=host, port=port)
controller.start()
print(f"smtp-sink: {host}:{port} -> {outdir}", flush=True)
try:
    asyncio.get_event_loop().run_until_complete(asyncio.Event().wait())
except KeyboardInterrupt:
    pass
finally:
    controller.stop()
