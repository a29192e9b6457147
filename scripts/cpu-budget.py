#!/usr/bin/env python3
"""Where a request's CPU microseconds go, per mount: a profile of the real server under load.

Writes docs/measured/cpu-budget.md, the table docs/architecture.md ("CPU budget per request")
quotes. Run it on an otherwise idle machine with at least two cores:

    cargo build --release -p authlab
    python3 scripts/cpu-budget.py            # needs perf (linux-perf), wrk, redis-server, taskset

What it does, per mount (the baseline first):
  1. a private redis-server and the release `authlab serve` binary with one worker, the server
     pinned to core 0 and Redis and the load generator (wrk, 16 connections, one thread) to
     core 1, as `authlab bench throughput` does;
  2. one login over the JSON API, then wrk on `GET /{b}/api/me` with that credential while
     `perf record -e cpu-clock` samples the server process (a software clock: hardware counters
     are not available on every virtual machine);
  3. the server's utime + stime over the run (from /proc) divided by wrk's request count gives
     its CPU per request; perf's flat profile (self time per symbol) splits it into buckets by the
     crate each symbol belongs to.

Self time is attributed after inlining: a serde or HMAC function the compiler inlined into a
handler is counted where it was inlined. The buckets are therefore approximate at their edges;
the kernel's share and the totals are not.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import OrderedDict

MOUNTS = ["baseline", "jwt", "memory", "session"]
USERS = {"jwt": ("bob", "builder"), "memory": ("bob", "builder"), "session": ("bob", "builder")}

# (bucket, pattern on "dso symbol"), first match wins.
BUCKETS = [
    ("kernel: sockets, wake-ups, scheduling", re.compile(r"^\[kernel")),
    ("Redis client (redis-rs, its parser)", re.compile(r"\b(redis|combine)::")),
    ("token check (HMAC-SHA256, base64, claims)", re.compile(r"\b(authlab_jwt|hmac|sha2|base64|jsonwebtoken|digest)::")),
    ("cookie decryption (AES-GCM)", re.compile(r"\b(aes|aes_gcm|aead|ghash|polyval|cookie::secure)|aesni|gcm", re.I)),
    ("JSON (serde_json)", re.compile(r"\bserde(_json)?::")),
    ("authlab: middleware, handlers, stores", re.compile(r"\bauthlab")),
    ("actix-web: HTTP/1 parsing, routing, response", re.compile(r"\b(actix_http|actix_web|actix_server|actix_service|actix_router|httparse|http::|bytes::|bytestring)")),
    ("tokio / actix runtime (tasks, timers, I/O driver)", re.compile(r"\b(tokio|mio|actix_rt|futures_util|futures_core)::")),
    ("allocation, memcpy (libc)", re.compile(r"^alloc::|\b(malloc|free|realloc|calloc|_int_malloc|_int_free|cfree|memcpy|memmove|memset|__memcpy|__memmove|__memset|tcache)", re.I)),
]
OTHER = "other (std, libc, unresolved)"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.1)
    sys.exit(f"{url} did not answer within {seconds} s")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def login(base, mount):
    if mount == "baseline":
        return None
    user, password = USERS[mount]
    request = urllib.request.Request(
        f"{base}/{mount}/api/login",
        data=json.dumps({"username": user, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as r:
        body = json.loads(r.read() or b"{}")
        if body.get("token"):
            return f"Authorization: Bearer {body['token']}"
        for header, value in r.getheaders():
            if header.lower() == "set-cookie" and value.startswith(f"authlab_{mount}="):
                return "Cookie: " + value.split(";", 1)[0]
    sys.exit(f"login on /{mount} returned no credential")


def crate_of(symbol):
    """The crate a symbol's code belongs to: the first path segment of the function's own name.

    Generic arguments name other crates (`Dispatcher<authlab_web::…>`), so only the leading path
    counts; for `<T as Trait>::method` that is T's crate.
    """
    s = symbol.lstrip("<&*( ")
    for wrapper in ("core::ptr::drop_in_place<", "core::ptr::drop_in_place::<"):
        if s.startswith(wrapper):
            s = s[len(wrapper):].lstrip("<&*( ")
    if s.startswith("dyn "):
        s = s[4:]
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)::", s)
    return m.group(1) if m else s


def bucket_of(dso, symbol):
    if dso.startswith("[kernel"):
        return BUCKETS[0][0]
    head = crate_of(symbol) + "::" + symbol[:0]
    for name, pattern in BUCKETS[1:]:
        if pattern.search(head) or (not "::" in symbol and pattern.search(symbol)):
            return name
    return OTHER


def profile(perf_data):
    report = subprocess.run(
        ["perf", "report", "-i", perf_data, "--stdio", "--no-children", "--sort", "dso,sym",
         "--percent-limit", "0", "-q"],
        capture_output=True, text=True, check=True,
    ).stdout
    shares = OrderedDict((name, 0.0) for name, _ in BUCKETS)
    shares[OTHER] = 0.0
    top = []
    for line in report.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)", line)
        if not m:
            continue
        percent, dso, symbol = float(m.group(1)), m.group(2), m.group(3).strip()
        shares[bucket_of(dso, symbol)] += percent / 100.0
        if len(top) < 8:
            top.append((percent, dso, symbol[:90]))
    threads = subprocess.run(
        ["perf", "report", "-i", perf_data, "--stdio", "--no-children", "--sort", "comm", "-q"],
        capture_output=True, text=True, check=True,
    ).stdout
    per_thread = []
    for line in threads.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(.*)", line)
        if m:
            per_thread.append((float(m.group(1)), m.group(2).strip()))
    return shares, top, per_thread


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default="target/release/authlab")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--out", default="docs/measured/cpu-budget.md")
    args = parser.parse_args()
    for tool in ["perf", "wrk", "redis-server", "taskset"]:
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed")
    if (os.cpu_count() or 1) < 2:
        sys.exit("needs two cores: the server on one, Redis and the load generator on the other")

    work = tempfile.mkdtemp(prefix="authlab-cpu-budget-")
    redis_port, app_port = free_port(), free_port()
    redis = subprocess.Popen(
        ["taskset", "-c", "1", "redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no",
         "--dir", work], stdout=subprocess.DEVNULL)
    env = dict(os.environ, AUTHLAB_PORT=str(app_port), AUTHLAB_REDIS_URL=f"redis://127.0.0.1:{redis_port}",
               AUTHLAB_DATA_DIR=os.path.join(work, "data"), AUTHLAB_WORKERS="1", RUST_LOG="warn",
               AUTHLAB_NO_PRIVATE_REDIS="true", AUTHLAB_LOGINS_PER_MINUTE="1000000")
    app = subprocess.Popen(["taskset", "-c", "0", args.binary, "serve"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{app_port}"
    rows = OrderedDict()
    tops = {}
    try:
        wait_for(f"{base}/healthz")
        hz = os.sysconf("SC_CLK_TCK")
        for mount in MOUNTS:
            credential = login(base, mount)
            wrk = ["taskset", "-c", "1", "wrk", "-t1", "-c16", f"-d{args.seconds}s", "--latency"]
            if credential:
                wrk += ["-H", credential]
            url = f"{base}/{mount}/api/me"
            # Warm-up, unprofiled.
            subprocess.run(wrk[:6] + ["-d2s"] + wrk[7:] + [url], capture_output=True, check=True)
            perf_data = os.path.join(work, f"{mount}.perf")
            before = cpu_ticks(app.pid)
            perf = subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock", "-F", "2999", "-p", str(app.pid),
                                     "-o", perf_data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            out = subprocess.run(wrk + [url], capture_output=True, text=True, check=True).stdout
            perf.send_signal(signal.SIGINT)
            perf.wait(timeout=60)
            ticks = cpu_ticks(app.pid) - before
            requests = int(re.search(r"(\d+) requests in", out).group(1))
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            if non2xx:
                sys.exit(f"/{mount}: {non2xx.group(1)} requests were not answered 200")
            us = ticks / hz * 1e6 / requests
            shares, top, per_thread = profile(perf_data)
            rows[mount] = (us, requests / args.seconds, shares)
            tops[mount] = (top, per_thread)
            print(f"/{mount}: {requests / args.seconds:.0f} req/s, {us:.1f} µs server CPU per request", file=sys.stderr)
    finally:
        app.terminate()
        redis.terminate()
        app.wait(timeout=10)
        redis.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)

    commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    lines = [
        "# CPU budget per request, per mount (measured)",
        "",
        f"Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `scripts/cpu-budget.py` on commit `{commit}`, "
        f"{cpu}, {os.cpu_count()} cores; load average {open('/proc/loadavg').read().split()[0]} at the end. "
        f"The release server with one worker pinned to core 0; Redis and wrk (1 thread, 16 connections, "
        f"{args.seconds} s per mount) on core 1; `perf record -e cpu-clock` on the server; self time per symbol, "
        "bucketed by crate. µs are the bucket's share of the server's measured CPU per request.",
        "",
        "| where the server's time goes (µs per request) | " + " | ".join(f"/{m}" for m in rows) + " |",
        "|---|" + "---|" * len(rows),
    ]
    names = list(next(iter(rows.values()))[2].keys())
    for name in names:
        cells = [f"{us * shares[name]:.1f}" for us, _, shares in rows.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("| **total server CPU per request** | " + " | ".join(f"**{us:.1f}**" for us, _, _ in rows.values()) + " |")
    base_us = rows.get("baseline", (0, 0, None))[0]
    lines.append("| above the baseline | " + " | ".join(f"{us - base_us:+.1f}" for us, _, _ in rows.values()) + " |")
    lines.append("| requests/s (wrk) | " + " | ".join(f"{rps:.0f}" for _, rps, _ in rows.values()) + " |")
    lines.append("")
    lines.append("Hottest symbols per mount (self time, share of the server's samples):")
    lines.append("")
    for mount, (top, _) in tops.items():
        lines.append(f"- /{mount}: " + "; ".join(f"{p:.1f} % `{sym}` ({dso})" for p, dso, sym in top[:5]))
    lines.append("")
    lines.append("The server's samples by thread (an actix worker is `actix-rt|system:0|arbiter:N`; "
                 "work on any other thread is a hop away from the request's worker):")
    lines.append("")
    for mount, (_, per_thread) in tops.items():
        lines.append(f"- /{mount}: " + "; ".join(f"{p:.1f} % `{name}`" for p, name in per_thread[:4]))
    lines.append("")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
