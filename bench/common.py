"""Helpers shared by the benchmarks: machine description, table printing, JSON results."""

import datetime
import json
import os
import platform
import statistics
import time

# A run writes its JSON to bench/results/local/ (ignored by git), so running a benchmark changes no tracked
# file; SEQTK_BENCH_RESULTS=bench/results records it among the committed results.
RESULTS_DIR = os.environ.get("SEQTK_BENCH_RESULTS") or os.path.join(os.path.dirname(__file__), "results", "local")


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()}"


def print_table(rows, columns):
    widths = [max(len(str(c)), *(len(str(r.get(c, ""))) for r in rows)) for c in columns]
    print("  ".join(str(c).ljust(w) for c, w in zip(columns, widths)))
    for row in rows:
        print("  ".join(str(row.get(c, "")).ljust(w) for c, w in zip(columns, widths)))


def write_results(name, rows, **extra):
    os.makedirs(RESULTS_DIR, exist_ok=True)
    path = os.path.join(RESULTS_DIR, f"{name}.json")
    record = {"benchmark": name, "machine": machine(), "date": datetime.date.today().isoformat(), "rows": rows,
              **extra}
    with open(path, "w") as handle:
        json.dump(record, handle, indent=2)
    print(f"machine: {record['machine']}\nwrote {path}")


def median_ms(function, calls=20, warmup=3):
    """The median wall time of `function()` in milliseconds over `calls` calls, after `warmup` untimed ones."""
    for _ in range(warmup):
        function()
    timings = []
    for _ in range(calls):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return 1000 * statistics.median(timings)


def matmul_peak(n=2048, repeats=10):
    """GFLOP/s of a chain of `n x n` fp32 matrix products (TensorFlow, all cores): the practical ceiling.

    Each product takes the previous one's result, so the graph optimizer cannot merge repeated products.
    """
    import tensorflow as tf

    a = tf.random.uniform([n, n], -1, 1) / n
    w = tf.random.uniform([n, n], -1, 1)

    @tf.function
    def chain(x):
        for _ in range(repeats):
            x = tf.matmul(x, w)
        return x

    chain(a).numpy()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        chain(a).numpy()
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 * repeats / best / 1e9
