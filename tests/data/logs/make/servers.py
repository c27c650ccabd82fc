#!/usr/bin/env python3
"""Tiny loopback servers with faults, for the real logs.  Binds 127.0.0.1 only.

servers.py static  PORT DIR                 plain PEP 503 index
servers.py slow    PORT DIR SECONDS         every request sleeps first (read timeouts)
servers.py slowfirst PORT DIR SECONDS       only the first request sleeps (one retry, then fine)
servers.py stallfile PORT DIR SECONDS       index pages fine, /files/ send headers then stall
servers.py reset   PORT                     accept, then close with RST
servers.py forbidden PORT DIR               index fine, /files/ -> 403 with an Azure blob XML body
servers.py proxy407 PORT                    a proxy that answers 407 to everything
servers.py tls     PORT DIR CERT KEY        HTTPS static index (self-signed)
servers.py registry PORT MODE               fake registry: MODE 429 (toomanyrequests) | 403 (denied)
"""
import http.server, os, socket, socketserver, ssl, struct, sys, time, functools, json

mode, port = sys.argv[1], int(sys.argv[2])
args = sys.argv[3:]
state = {"n": 0}


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def handler_for(directory):
    return functools.partial(Quiet, directory=directory)


class Slow(Quiet):
    def do_GET(self):
        state["n"] += 1
        if mode == "slow" or (mode == "slowfirst" and state["n"] == 1):
            time.sleep(float(args[1]))
        if mode == "stallfile" and self.path.startswith("/files/"):
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", "4000000")
            self.end_headers()
            self.wfile.write(b"PK\x03\x04" + b"\0" * 60000)
            self.wfile.flush()
            time.sleep(float(args[1]))
            return
        if mode == "forbidden" and self.path.startswith("/files/"):
            body = (b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationFailure</Code>'
                    b'<Message>This request is not authorized to perform this operation.\nRequestId:3b1e8f0a-601e-0042-2c4f-1f5e8b000000\n'
                    b'Time:2024-05-02T09:14:51.6034472Z</Message></Error>')
            self.send_response(403, "This request is not authorized to perform this operation.")
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Server", "Microsoft-HTTPAPI/2.0")
            self.end_headers()
            self.wfile.write(body)
            return
        return super().do_GET()


class Proxy407(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def _deny(self):
        body = b"<html><body><h1>407 Proxy Authentication Required</h1></body></html>"
        self.send_response(407, "Proxy Authentication Required")
        self.send_header("Proxy-Authenticate", 'Basic realm="corp-proxy"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_CONNECT = do_GET = do_HEAD = _deny


class FakeRegistry(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def _answer(self):
        if self.path == "/v2/":
            self.send_response(200); self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
            self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"{}"); return
        if args[0] == "429":
            code, err = 429, {"errors": [{"code": "TOOMANYREQUESTS", "message": "You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit"}]}
        else:
            code, err = 403, {"errors": [{"code": "DENIED", "message": "requested access to the resource is denied"}]}
        body = json.dumps(err).encode() + b"\n"
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
    do_GET = do_HEAD = do_POST = do_PUT = _answer


class Srv(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


if mode == "reset":
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(50)
    while True:
        c, _ = s.accept()
        c.recv(1024)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
elif mode == "proxy407":
    Srv(("127.0.0.1", port), Proxy407).serve_forever()
elif mode == "registry":
    Srv(("127.0.0.1", port), FakeRegistry).serve_forever()
elif mode == "tls":
    srv = Srv(("127.0.0.1", port), handler_for(args[0]))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(args[1], args[2])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()
elif mode == "static":
    Srv(("127.0.0.1", port), handler_for(args[0])).serve_forever()
else:
    Srv(("127.0.0.1", port), functools.partial(Slow, directory=args[0])).serve_forever()
