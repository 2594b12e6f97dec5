"""The web export in the browser against Python's LiteRT on the same file: per-step latency and file sizes.

    python bench/web_speed.py                  # the shipped character model (2x512 LSTM), ~2 min
    python bench/web_speed.py --steps 500

`seqtk export web` writes the site for `saved_models/shakespeare_char_large` to a temporary folder; a static
server on 127.0.0.1 serves it, and headless Chromium (Debian's, driven by Playwright) opens it. A step is one
call of the `step` signature with its state tensors in and out (the page's `LanguageModel.step`, which also
builds and frees the tensors). It is timed in the page (LiteRT.js 2.5, WASM on the CPU, one thread) and in
Python (`ai-edge-litert`, one thread and the default), on the same `model.tflite`; each figure is the median
of `--steps` steps after 20 warm-up steps. Sizes are raw and gzipped (level 9), as a static host serves them.
"""

import argparse
import gzip
import os
import pathlib
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from common import print_table, write_results

PRESET = "saved_models/shakespeare_char_large"


def python_step_ms(path, steps, threads):
    from seqtk.export.litert_model import LiteRTModel

    model = LiteRTModel.from_directory(path, num_threads=threads)
    states, token, times = model.start_states(), model.tokenizer.newline_id, []
    for index in range(steps + 20):
        started = time.perf_counter()
        logits, states = model.step(token, states)
        if index >= 20:
            times.append(1000 * (time.perf_counter() - started))
        token = int(np.argmax(logits[1:])) + 1
    return statistics.median(times)


def browser_step_ms(url, steps, chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(url)
        page.wait_for_function("document.body.dataset.ready !== undefined", timeout=120_000)
        times = page.evaluate("""async (steps) => {
            const { model, tokenizer } = window.seqtk;
            let states = model.startStates(), token = tokenizer.newlineId;
            const times = [];
            for (let i = 0; i < steps + 20; i += 1) {
                const started = performance.now();
                const result = await model.step(token, states);
                if (i >= 20) times.push(performance.now() - started);
                states = result.states;
                let best = 1;
                for (let j = 2; j < result.logits.length; j += 1) if (result.logits[j] > result.logits[best]) best = j;
                token = best;
            }
            return times;
        }""", steps)
        browser.close()
    return statistics.median(times)


def sizes(site):
    rows = []
    for name in ("model/model.tflite", "wasm/litert_wasm_internal.wasm", "wasm/litert_wasm_internal.js",
                 "seqtk-web.js", "index.html", "model/metadata.json"):
        data = pathlib.Path(site, name).read_bytes()
        rows.append({"file": name, "bytes": len(data), "gzipped_bytes": len(gzip.compress(data, 9))})
    return rows


def main(argv=None):
    import shutil

    from seqtk.export.web_site import export_web, serve_site

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--model", default=PRESET)
    args = parser.parse_args(argv)
    chromium = os.environ.get("SEQTK_CHROMIUM") or shutil.which("chromium")
    with tempfile.TemporaryDirectory() as folder:
        site = os.path.join(folder, "site")
        export_web(args.model, site, log=lambda *a: None)
        server, url = serve_site(site)
        try:
            browser = browser_step_ms(url, args.steps, chromium)
        finally:
            server.shutdown()
        model_path = os.path.join(site, "model")
        rows = [{"runtime": "LiteRT.js 2.5.3 (Chromium, WASM, 1 thread)", "step_ms": round(browser, 3)},
                {"runtime": "ai-edge-litert (Python, 1 thread)", "step_ms": round(python_step_ms(model_path, args.steps, 1), 3)},
                {"runtime": "ai-edge-litert (Python, default threads)",
                 "step_ms": round(python_step_ms(model_path, args.steps, None), 3)}]
        files = sizes(site)
    print_table(rows, ["runtime", "step_ms"])
    print()
    print_table(files, ["file", "bytes", "gzipped_bytes"])
    write_results("web_speed", rows, files=files, model=args.model, steps=args.steps)


if __name__ == "__main__":
    main()
