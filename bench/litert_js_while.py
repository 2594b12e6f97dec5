"""An upstream-ready report: LiteRT.js 2.5.3 gives wrong numbers for a TFLite WHILE loop that Python's LiteRT
runs correctly. It makes the minimal file, runs it in both, and prints and records the numbers.

    python bench/litert_js_while.py          # writes bench/results/local/litert_js_while.json and the file

The file: `h = tanh(h·W + x_t·U)` for t in 0..5, a `tf.while_loop` over a fixed-shape input `x` (1, 6, 4) from
h = 0; 8 units; weights and `x` from numpy's default_rng(0). Its operators: ADD, FULLY_CONNECTED, LESS, PACK,
STRIDED_SLICE, TANH, WHILE. No variable tensors and no dynamic shapes, so LiteRT.js loads it. Python
(`ai-edge-litert`) gives TensorFlow's `h`; LiteRT.js (the WASM CPU build, in headless Chromium) gives
zeros. This is why seqtk's web target unrolls every recurrence.
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from common import write_results

WEB = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "web")
PAGE_SCRIPT = """
import { Tensor, loadAndCompile, loadLiteRt } from "@litertjs/core";
const expected = await (await fetch("expected.json")).json();
await loadLiteRt(new URL("wasm/", location.href).href);
const model = await loadAndCompile(new URL("while.tflite", location.href).href, { accelerator: "wasm" });
const out = await model.run("serving_default", { x: new Tensor(Float32Array.from(expected.x), [1, 6, 4]) });
window.result = Array.from(out.h.toTypedArray());
document.body.dataset.done = "1";
"""


def while_model(folder):
    import tensorflow as tf

    rng = np.random.default_rng(0)
    w = tf.constant(rng.normal(size=(8, 8)).astype(np.float32) * 0.5)
    u = tf.constant(rng.normal(size=(4, 8)).astype(np.float32) * 0.5)

    @tf.function(input_signature=[tf.TensorSpec([1, 6, 4], tf.float32)])
    def run(x):
        def body(t, h):
            return t + 1, tf.tanh(tf.matmul(h, w) + tf.matmul(x[:, t], u))

        _, h = tf.while_loop(lambda t, h: t < 6, body, (tf.constant(0), tf.zeros([1, 8])))
        return {"h": h}

    module = tf.Module()
    module.run = run
    tf.saved_model.save(module, os.path.join(folder, "saved"), signatures={"serving_default": run.get_concrete_function()})
    data = tf.lite.TFLiteConverter.from_saved_model(os.path.join(folder, "saved")).convert()
    x = rng.normal(size=(1, 6, 4)).astype(np.float32)
    return data, x, run(x)["h"].numpy()


def main():
    import shutil

    from ai_edge_litert.interpreter import Interpreter
    from playwright.sync_api import sync_playwright

    from seqtk.export.state_signatures import operator_names
    from seqtk.export.web_site import serve_site, web_assets

    with tempfile.TemporaryDirectory() as folder:
        data, x, tensorflow_h = while_model(folder)
        python_h = Interpreter(model_content=data).get_signature_runner()(x=x)["h"]
        site = os.path.join(folder, "site")
        shutil.copytree(os.path.join(web_assets(), "wasm"), os.path.join(site, "wasm"))
        with open(os.path.join(site, "while.tflite"), "wb") as handle:
            handle.write(data)
        with open(os.path.join(site, "expected.json"), "w") as handle:
            json.dump({"x": x.ravel().tolist()}, handle)
        with open(os.path.join(site, "index.html"), "w") as handle:
            handle.write('<!doctype html><meta charset="utf-8"><script type="module" src="run.js"></script>')
        bundle = ("require('esbuild').build({stdin: {contents: process.argv[1], resolveDir: '.', loader: 'js'}, "
                  "bundle: true, format: 'esm', outfile: process.argv[2], logLevel: 'warning'})")
        subprocess.run(["node", "-e", bundle, PAGE_SCRIPT, os.path.join(site, "run.js")], cwd=WEB, check=True)
        server, url = serve_site(site)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
                page = browser.new_page()
                page.goto(url)
                page.wait_for_function("document.body.dataset.done === '1'", timeout=60_000)
                browser_h = np.array(page.evaluate("window.result"), np.float32)
                browser.close()
        finally:
            server.shutdown()
        os.makedirs(os.path.join(os.path.dirname(__file__), "results", "local"), exist_ok=True)
        with open(os.path.join(os.path.dirname(__file__), "results", "local", "while.tflite"), "wb") as handle:
            handle.write(data)
    rows = [{"runtime": "TensorFlow", "h": tensorflow_h.ravel().round(6).tolist()},
            {"runtime": "ai-edge-litert (Python)", "h": python_h.ravel().round(6).tolist(),
             "max_abs_diff_vs_tensorflow": float(np.abs(python_h - tensorflow_h).max())},
            {"runtime": "LiteRT.js 2.5.3 (Chromium, WASM)", "h": browser_h.ravel().round(6).tolist(),
             "max_abs_diff_vs_tensorflow": float(np.abs(browser_h - tensorflow_h.ravel()).max())}]
    for row in rows:
        print(f"{row['runtime']:<34} {row.get('max_abs_diff_vs_tensorflow', 0):.3g}  {row['h']}")
    write_results("litert_js_while", rows, operators=sorted(operator_names(data)), file_bytes=len(data))


if __name__ == "__main__":
    main()
