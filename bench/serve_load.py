"""Load on `seqtk serve`: throughput and latency under 1, 8 and 64 concurrent clients, and the server's memory
over 10,000 requests.

    python bench/serve_load.py                       # the shipped char model and classifier, ~4 min
    python bench/serve_load.py --requests 64 --soak 2000

The server runs as `seqtk serve` in its own process on 127.0.0.1 (saved folders, Keras backend, default
batching: 64 instances, 5 ms wait); the clients are asyncio tasks sharing one aiohttp connection pool in this
process, each sending its next request when its last one is answered. Per task and concurrency: requests/s,
p50/p95/p99 latency (ms) and errors (non-2xx or failed connections; must be 0).
- generation: `saved_models/shakespeare_char_large`, 100 tokens, top_k with a seed per request;
- classification: `saved_models/sst2_ulmfit_bidirectional`, one bundled SST-2 dev sentence per request.
Targets: at 64 clients, >= 5x the throughput of the same requests sent one at a time (1 client), and p99 < 3x
p50. Soak: server RSS (psutil) after warm-up, then after 10,000 more requests (classification and 20-token
generations, 64 clients); growth < 50 MB.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import aiohttp
import httpx
import psutil
from common import print_table, write_results

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = {"shakespeare": "saved_models/shakespeare_char_large", "sentiment": "saved_models/sst2_ulmfit_bidirectional"}


def sentences():
    from seqtk.data.labeled_text import read_labeled

    return [e.text for e in read_labeled("bundled:sst2_dev", text_column="sentence", label_column="label")]


def request_body(task, number, texts, tokens):
    if task == "generation":
        return "shakespeare:generate", {"instances": ["ROMEO:"], "max_tokens": tokens, "sampler": "top_k",
                                        "seed": number}
    return "sentiment:classify", {"instances": [texts[number % len(texts)]]}


async def load(url, task, clients, requests, texts, tokens=100):
    """`(wall seconds, latencies in ms, errors)` of `requests` requests sent by `clients` concurrent clients."""
    latencies, errors = [], 0
    queue = asyncio.Queue()
    for number in range(requests):
        queue.put_nowait(number)
    # aiohttp: the lightest well-kept asyncio client; the clients share this process's core with nothing else.
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(url, connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:

        async def one_client():
            nonlocal errors
            while not queue.empty():
                number = queue.get_nowait()
                path, body = request_body(task, number, texts, tokens)
                started = time.perf_counter()
                try:
                    async with session.post(f"/v1/models/{path}", json=body) as response:
                        ok = response.status == 200 and len((await response.json())["predictions"]) == 1
                except aiohttp.ClientError:
                    ok = False
                latencies.append(1000 * (time.perf_counter() - started))
                errors += not ok

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        return time.perf_counter() - started, latencies, errors


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def start_server(port, max_batch, max_wait_ms):
    command = [os.path.join(os.path.dirname(sys.executable), "seqtk"), "serve", "--port", str(port),
               "--max-batch", str(max_batch), "--max-wait-ms", str(max_wait_ms), "--max-queue", "100000"]
    for name, path in MODELS.items():
        command += ["--model", f"{name}={path}"]
    server = subprocess.Popen(command, cwd=REPOSITORY, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"seqtk serve stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.kill()
    raise RuntimeError("seqtk serve did not become ready in 300 s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=256, help="requests per task and concurrency")
    parser.add_argument("--generation-requests", type=int, default=128, help="generation requests per concurrency")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--soak", type=int, default=10_000, help="requests between the two RSS readings")
    parser.add_argument("--port", type=int, default=8911)
    parser.add_argument("--max-batch", type=int, default=64)
    parser.add_argument("--max-wait-ms", type=float, default=5.0)
    args = parser.parse_args(argv)

    texts = sentences()
    server, url = start_server(args.port, args.max_batch, args.max_wait_ms)
    process = psutil.Process(server.pid)
    rows = []
    try:
        for task, count in (("generation", args.generation_requests), ("classification", args.requests)):
            asyncio.run(load(url, task, 8, 16, texts))  # warm-up: compile the batch sizes used
            asyncio.run(load(url, task, 64, 128, texts))
            for clients in args.clients:
                wall, latencies, errors = asyncio.run(load(url, task, clients, count, texts))
                rows.append({"task": task, "clients": clients, "requests": count,
                             "requests_per_s": round(count / wall, 1),
                             "p50_ms": round(percentile(latencies, 0.50), 1),
                             "p95_ms": round(percentile(latencies, 0.95), 1),
                             "p99_ms": round(percentile(latencies, 0.99), 1), "errors": errors})
        for row in rows:
            alone = next(r for r in rows if r["task"] == row["task"] and r["clients"] == 1)
            row["speedup_vs_1"] = round(row["requests_per_s"] / alone["requests_per_s"], 2)
            row["p99_over_p50"] = round(row["p99_ms"] / row["p50_ms"], 2)
        rss_before = process.memory_info().rss
        soak_errors = 0
        generations = args.soak // 10
        wall, _, errors = asyncio.run(load(url, "classification", 64, args.soak - generations, texts))
        soak_errors += errors
        _, _, errors = asyncio.run(load(url, "generation", 64, generations, texts, tokens=20))
        soak_errors += errors
        rss_after = process.memory_info().rss
    finally:
        server.terminate()
        server.wait(timeout=30)

    columns = ["task", "clients", "requests", "requests_per_s", "speedup_vs_1", "p50_ms", "p95_ms", "p99_ms",
               "p99_over_p50", "errors"]
    print_table(rows, columns)
    growth = (rss_after - rss_before) / 2**20
    print(f"soak: {args.soak} requests, errors {soak_errors}; server RSS {rss_before / 2**20:.0f} MB -> "
          f"{rss_after / 2**20:.0f} MB ({growth:+.1f} MB)")
    top = {task: next(r for r in rows if r["task"] == task and r["clients"] == max(args.clients))
           for task in ("generation", "classification")}
    targets = {
        "generation_speedup_ge_5x": top["generation"]["speedup_vs_1"] >= 5,
        "classification_speedup_ge_5x": top["classification"]["speedup_vs_1"] >= 5,
        "p99_under_3x_p50": all(r["p99_over_p50"] < 3 for r in top.values()),
        "no_errors": all(r["errors"] == 0 for r in rows) and soak_errors == 0,
        "rss_growth_under_50mb": growth < 50,
    }
    print("targets: " + ", ".join(f"{name} {'met' if met else 'MISSED'}" for name, met in targets.items()))
    write_results("serve_load", rows, soak={"requests": args.soak, "errors": soak_errors,
                                            "rss_before_mb": round(rss_before / 2**20, 1),
                                            "rss_after_mb": round(rss_after / 2**20, 1),
                                            "growth_mb": round(growth, 1)},
                  settings={"max_batch": args.max_batch, "max_wait_ms": args.max_wait_ms, "generation_tokens": 100},
                  targets=targets)


if __name__ == "__main__":
    main()
