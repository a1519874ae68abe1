#!/usr/bin/env python3
"""Issue 22's bound check: N chat calls, each with a random (well-shaped, unpriced) model name and a random 200+ byte
Passthrough key, Cache-Control: no-store; prints the gateway's RSS and the size of /metrics before and after.

    hostile-load.py <gateway pid> [calls=10000] [base=http://127.0.0.1:8080] [admin key]
Run it twice: the first round warms the process up; compare the second round's growth (<20 MB RSS, /metrics <1 MB).
"""
import http.client, json, sys, threading, time, uuid
from urllib.parse import urlparse

pid = int(sys.argv[1])
calls = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
base = urlparse(sys.argv[3] if len(sys.argv) > 3 else "http://127.0.0.1:8080")
admin = sys.argv[4] if len(sys.argv) > 4 else None
threads = 8

def rss_mb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024

def metrics_bytes():
    c = http.client.HTTPConnection(base.hostname, base.port)
    c.request("GET", "/metrics", headers={"Authorization": "Bearer " + admin} if admin else {})
    return len(c.getresponse().read())

statuses = {}
def work(n):
    c = http.client.HTTPConnection(base.hostname, base.port)
    for _ in range(n):
        body = json.dumps({"model": "m-" + uuid.uuid4().hex * 2, "messages": [{"role": "user", "content": uuid.uuid4().hex}]})
        c.request("POST", "/v1/chat/completions", body, {"Authorization": "Bearer sk-" + uuid.uuid4().hex + "x" * 200,
                  "Content-Type": "application/json", "Cache-Control": "no-store"})
        r = c.getresponse(); r.read()
        statuses[r.status] = statuses.get(r.status, 0) + 1

print(f"before: rss {rss_mb()} MB, /metrics {metrics_bytes()} bytes")
start = time.time()
workers = [threading.Thread(target=work, args=(calls // threads,)) for _ in range(threads)]
for w in workers: w.start()
for w in workers: w.join()
print(f"{calls} calls in {time.time() - start:.1f} s, statuses {statuses}")
time.sleep(2)
print(f"after: rss {rss_mb()} MB, /metrics {metrics_bytes()} bytes")
