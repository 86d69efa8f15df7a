#!/usr/bin/env python3
"""A stand-in for the customers' and the trading desk's webhook receivers: prints each POST (its
path and JSON body) and answers 204. Python 3.8+, standard library only.

    python3 receiver.py            # listens on 127.0.0.1:9000, as sluice.yaml's webhooks expect
    python3 receiver.py --port 9001
"""

import argparse
import http.server
import json
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            text = json.dumps(json.loads(body), separators=(",", ":"))
        except ValueError:
            text = body.decode("utf-8", "replace")
        print("%s %s" % (self.path, text), flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass  # one line per request is printed above


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, default=9000)
    a = p.parse_args()
    server = http.server.HTTPServer(("127.0.0.1", a.port), Handler)
    print("receiving on http://127.0.0.1:%d/" % a.port, file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
