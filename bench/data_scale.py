"""Training on a corpus larger than memory (issue 17): prepare speed, training speed and peak memory at two sizes.

    python bench/data_scale.py                         # 0.1 GB and 4 GB: about 15 minutes, 13 GB of disk
    python bench/data_scale.py --sizes 0.1 0.5 --steps 100   # a quick look

For each size, a corpus is built by repeating the text of `../shared/data` (PTB, WikiText-2, tiny Shakespeare,
Multi30k, Tatoeba and IMDB training files) to that many bytes; `seqtk prepare` tokenizes it (characters, the
`shakespeare_char` config) into token shards, timed; then a fresh process trains `shakespeare_char` on it with
`data.prepared` for `--steps` steps and reports tokens per second (steps after the first 20, so XLA's compile
is left out) and its peak resident memory (VmHWM). Run it on an idle machine: tokens/s is compared across two processes.
The validation loss is printed to show the runs learn; it is no quality measure across sizes: after 400 steps
of the `stream` pipeline it depends on which parts of the corpus the 32 streams start in, and those move with
the corpus's length. The targets: peak memory grows by less than 300 MB from the
smallest corpus to the largest, tokens/s stays within 10%, and prepare runs at 5 MB/s or more on 2 cores.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from common import print_table, write_results  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("SEQTK_DATA_DIR", os.path.join(ROOT, "..", "shared", "data"))
SOURCES = ["ptb/ptb.train.txt", "wikitext-2/train.txt", "tinyshakespeare/*", "multi30k/*train*",
           "tatoeba-fra-eng/*train*", "imdb/*train*"]


def base_text():
    parts = []
    for pattern in SOURCES:
        for path in sorted(glob.glob(os.path.join(DATA, pattern))):
            if os.path.isfile(path) and not path.endswith(".md"):
                with open(path, "rb") as handle:
                    parts.append(handle.read().decode("utf-8", "replace").encode("utf-8"))
    return b"".join(part if part.endswith(b"\n") else part + b"\n" for part in parts)


def build_corpus(path, size, text):
    if os.path.exists(path) and os.path.getsize(path) == size:
        return
    with open(path + ".tmp", "wb") as handle:
        written = 0
        while written < size:
            piece = text[: size - written]
            if written + len(piece) == size and not piece.endswith(b"\n"):
                piece = piece[:-1] + b"\n"
            handle.write(piece)
            written += len(piece)
    os.replace(path + ".tmp", path)


def peak_rss_mb():
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def train_one(prepared, steps, pipeline):
    """In a fresh process: trains on `prepared`, prints one JSON line of tokens/s and peak memory."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    from seqtk.tasks import get_task

    times = []

    class Clock(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            times.append(time.perf_counter())

    task = get_task("lm")
    work = os.path.dirname(prepared)
    config = task.load_config("shakespeare_char", overrides=[
        f"data.prepared={prepared}", f"training.steps_per_epoch={steps}", "training.epochs=1",
        "training.time_budget_minutes=0", "training.verbose=0", f"training.pipeline={pipeline}",
        "sample_length=20", "name=data_scale", f"output_dir={work}/saved", f"checkpoint_dir={work}/checkpoints",
        f"log_dir={work}/runs"])
    result = task.train(config, log=lambda *a: None, callbacks=[Clock()])
    training = config.training
    tokens = training.batch_size * training.sequence_length * (len(times) - 21)
    print(json.dumps({"tokens_per_second": tokens / (times[-1] - times[20]), "peak_rss_mb": peak_rss_mb(),
                      "train_tokens": result["metrics"]["train_tokens"],
                      "validation_loss": result["metrics"]["validation"]["loss"]}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.1, 4.0], help="corpus sizes in GB")
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--pipeline", default="stream", choices=["stream", "windows"])
    parser.add_argument("--work", default=os.path.join("/tmp", "seqtk_data_scale"), help="where corpora go")
    parser.add_argument("--keep", action="store_true", help="keep the corpora and shards")
    parser.add_argument("--train", help=argparse.SUPPRESS)  # internal: one training run
    args = parser.parse_args()
    if args.train:
        return train_one(args.train, args.steps, args.pipeline)
    os.makedirs(args.work, exist_ok=True)
    text = base_text()
    valid = os.path.join(args.work, "valid.txt")
    with open(os.path.join(DATA, "wikitext-2", "valid.txt"), "rb") as handle:
        open(valid, "wb").write(handle.read(300_000).rsplit(b"\n", 1)[0] + b"\n")
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "3"}
    rows = []
    for size in args.sizes:
        corpus = os.path.join(args.work, f"corpus_{size:g}GB.txt")
        build_corpus(corpus, int(size * 1e9), text)
        prepared = os.path.join(args.work, f"prepared_{size:g}GB")
        start = time.monotonic()
        subprocess.run([sys.executable, "-m", "seqtk.cli", "prepare", "--config", "shakespeare_char", "--data", corpus,
                        "--set", f"data.validation=[{valid}]", "--out", prepared], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        seconds = time.monotonic() - start
        manifest = json.load(open(os.path.join(prepared, "manifest.json")))
        done = subprocess.run([sys.executable, __file__, "--train", prepared, "--steps", str(args.steps),
                               "--pipeline", args.pipeline], check=True, env=env, capture_output=True, text=True)
        trained = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append({"corpus_gb": size, "tokens": manifest["splits"]["train"]["tokens"],
                     "prepare_seconds": round(seconds, 1),
                     "prepare_mb_per_s": round(os.path.getsize(corpus) / 1e6 / seconds, 1),
                     # Inside `write_token_shards`: without the command's start-up (TensorFlow's import).
                     "encode_mb_per_s": manifest["megabytes_per_second"],
                     "train_tokens_per_s": round(trained["tokens_per_second"]),
                     "peak_rss_mb": round(trained["peak_rss_mb"]),
                     "validation_loss": round(trained["validation_loss"], 4)})
        print(json.dumps(rows[-1]), flush=True)
        if not args.keep:
            for path in glob.glob(os.path.join(prepared, "*.ids")):
                os.remove(path)
    first, last = rows[0], rows[-1]
    summary = {"rss_growth_mb": last["peak_rss_mb"] - first["peak_rss_mb"],
               "tokens_per_s_ratio": round(last["train_tokens_per_s"] / first["train_tokens_per_s"], 3),
               "slowest_prepare_mb_per_s": min(r["prepare_mb_per_s"] for r in rows)}
    print_table(rows, list(rows[0]))
    print(f"peak memory {first['corpus_gb']:g} GB -> {last['corpus_gb']:g} GB: {summary['rss_growth_mb']:+} MB "
          f"(target < 300); tokens/s ratio {summary['tokens_per_s_ratio']} (target 0.9-1.1); slowest prepare "
          f"{summary['slowest_prepare_mb_per_s']} MB/s (target >= 5)")
    write_results(f"data_scale_{args.pipeline}", rows, steps=args.steps, **summary,
                  command=" ".join(["python bench/data_scale.py"] + sys.argv[1:]))


if __name__ == "__main__":
    main()
