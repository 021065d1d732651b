#!/usr/bin/env python3
"""Server-side latency of the first diagnostics of a language server.

The message is serialised before the clock starts (unlike bench.mjs, whose
figure includes vscode-jsonrpc serialising the didOpen): the clock runs from
the first byte of didOpen written to the first publishDiagnostics with
findings read back. A fresh server per run.

usage: python3 first_diag.py SERVER DOCUMENT [RUNS]
   e.g. python3 first_diag.py ../../build/bin/loaddensity-lsp big.json 9
   (node gen.mjs 10000 > big.json makes the benchmark document)
"""
import json
import subprocess
import sys
import time


def frame(obj):
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_msg(f):
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        c = f.read(1)
        if not c:
            raise EOFError("server closed its output")
        head += c
    n = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
             if line.lower().startswith(b"content-length"))
    return json.loads(f.read(n))


def one_run(server, text):
    p = subprocess.Popen([server, "--stdio"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE)
    try:
        p.stdin.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                             "params": {"capabilities": {}, "processId": None,
                                        "rootUri": None}}))
        p.stdin.flush()
        while read_msg(p.stdout).get("id") != 1:
            pass
        p.stdin.write(frame({"jsonrpc": "2.0", "method": "initialized",
                             "params": {}}))
        p.stdin.flush()
        msg = frame({"jsonrpc": "2.0", "method": "textDocument/didOpen",
                     "params": {"textDocument": {
                         "uri": "file:///bench/actions.json",
                         "languageId": "json", "version": 1, "text": text}}})
        time.sleep(0.2)
        t0 = time.perf_counter()
        p.stdin.write(msg)
        p.stdin.flush()
        while True:
            m = read_msg(p.stdout)
            if (m.get("method") == "textDocument/publishDiagnostics"
                    and m["params"]["diagnostics"]):
                return (time.perf_counter() - t0) * 1000
    finally:
        p.kill()
        p.wait()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    server, doc = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 9
    text = open(doc, encoding="utf-8").read()
    res = sorted(one_run(server, text) for _ in range(runs))
    print("first diagnostics (ms) over %d runs: min %.1f median %.1f max %.1f"
          % (runs, res[0], res[len(res) // 2], res[-1]))


if __name__ == "__main__":
    main()
