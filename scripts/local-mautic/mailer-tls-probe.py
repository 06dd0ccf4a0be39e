"""
SMTP servers on loopback for probing a mailer's TLS behaviour (evidence for the kit's mailer DSN
rule, components/config/mailerDsn.ts). Each server logs, per session, whether TLS was on when
AUTH and DATA arrived.

usage: /usr/bin/python3 mailer-tls-probe.py CERT KEY IP LOG
  IP:2587  plain SMTP, offers STARTTLS and AUTH PLAIN/LOGIN
  IP:2588  plain SMTP, offers AUTH but no STARTTLS (what an attacker who strips STARTTLS leaves)
  IP:465   implicit TLS (smtps), AUTH
  IP:25    plain SMTP, offers STARTTLS and AUTH
"""
import asyncio, json, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, SMTP

cert, key, ip, log = sys.argv[1:5]
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)


def record(**kv):
    kv["t"] = time.strftime("%H:%M:%S")
    with open(log, "a") as f:
        f.write(json.dumps(kv) + "\n")


def on_tls(server):
    """True when the session's transport is TLS (implicit, or after STARTTLS)."""
    return server.transport is not None and server.transport.get_extra_info("ssl_object") is not None


class Handler:
    def __init__(self, name):
        self.name = name

    async def handle_DATA(self, server, session, envelope):
        record(server=self.name, event="DATA", tls=on_tls(server), rcpt=envelope.rcpt_tos)
        return "250 OK"


def authenticator(name):
    def auth(server, session, envelope, mechanism, auth_data):
        record(server=name, event="AUTH", mechanism=mechanism, tls=on_tls(server), login=auth_data.login.decode() if auth_data else None)
        return AuthResult(success=True)
    return auth


def serve(name, port, **kw):
    c = Controller(Handler(name), hostname=ip, port=port, authenticator=authenticator(name), auth_require_tls=False, **kw)
    c.start()
    return c


servers = [
    serve("starttls-offered", 2587, tls_context=ctx),
    serve("no-starttls", 2588),
    serve("implicit-tls", 465, ssl_context=ctx),
    serve("port25-starttls", 25, tls_context=ctx),
]
print("ready", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    for s in servers:
        s.stop()
