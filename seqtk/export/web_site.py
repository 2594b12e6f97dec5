"""`seqtk export web`: a static site that runs a model in the browser with LiteRT.js, offline.

The site is the page and its JavaScript (built once from the repository's `web/` folder with Node.js: the
set-up script does it), LiteRT.js's WASM runtime, and the model exported for the web target under `model/`.
It runs from any static host; nothing is fetched from elsewhere.
"""

import functools
import http.server
import os
import shutil
import threading

from seqtk.export.tflite_exporter import export_tflite
from seqtk.models.model_directory import read_saved_config, write_directory

ASSET_FILES = ("index.html", "seqtk-web.js", os.path.join("wasm", "litert_wasm_internal.js"),
               os.path.join("wasm", "litert_wasm_internal.wasm"))
PAGE_TASKS = ("lm", "classifier", "translator", "tagger")  # the tasks the page runs
REPOSITORY_ASSETS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                 "web", "dist")


def web_assets(directory=None):
    """The folder of the built page assets: `directory`, `$SEQTK_WEB_ASSETS`, or the repository's `web/dist`."""
    directory = directory or os.environ.get("SEQTK_WEB_ASSETS") or REPOSITORY_ASSETS
    missing = [name for name in ASSET_FILES if not os.path.isfile(os.path.join(directory, name))]
    if missing:
        raise FileNotFoundError(
            f"{directory}: the web page's assets are not built ({', '.join(missing)} missing). Build them once "
            "with Node.js 20: `cd web && npm ci && npm run build` in a clone of seqtk (scripts/setup.sh does "
            "it), or point SEQTK_WEB_ASSETS at a folder built that way.")
    return directory


def export_web(model_directory, output_directory=None, examples_path=None, assets=None, log=print, quantize="none"):
    """Writes the site for the model saved in `model_directory` and returns the export's report.

    `quantize` is `export_tflite`'s (`dynamic` stores the weights as int8: about a quarter of the download).
    The folder holds `index.html`, `seqtk-web.js`, `wasm/` (LiteRT.js) and `model/` (the web export:
    `model.tflite` with fixed input shapes and no fused LSTM, WHILE or variable tensors; `metadata.json`;
    the tokenizer). It is written to a temporary name and renamed, so it is complete or absent.

    Example:
    >>> export_web("saved_models/shakespeare_char_large", "sites/shakespeare")
    """
    config = read_saved_config(model_directory) or {}
    if config.get("task") not in PAGE_TASKS:
        raise ValueError(f"{model_directory}: a {config.get('task') or 'model without a task'}; the web page runs "
                         f"{', '.join(PAGE_TASKS)} models so far.")
    assets = web_assets(assets)
    output_directory = output_directory or os.path.join(
        "sites", os.path.basename(os.path.normpath(model_directory)))
    reports = []

    def write(staging):
        for name in ASSET_FILES:
            os.makedirs(os.path.dirname(os.path.join(staging, name)), exist_ok=True)
            shutil.copyfile(os.path.join(assets, name), os.path.join(staging, name))
        reports.append(export_tflite(model_directory, os.path.join(staging, "model"), quantize=quantize,
                                     examples_path=examples_path, log=log, target="web"))

    write_directory(output_directory, write)
    log(f"Site written to {output_directory}: serve it with any static server, e.g. "
        f"`python -m http.server -d {output_directory}`, and open it in a browser.")
    return reports[0]


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    # Browsers compile WebAssembly as it streams in only when it is served as application/wasm.
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,  # noqa: RUF012
                      ".wasm": "application/wasm", ".js": "text/javascript"}

    def log_message(self, *args):
        pass


def serve_site(directory, host="127.0.0.1", port=0):
    """Serves the site in `directory` from a background thread; returns `(server, url)`. For trying a site and
    for tests; any static host serves it as well. `server.shutdown()` stops it.

    Example:
    >>> server, url = serve_site("sites/shakespeare")
    """
    server = http.server.ThreadingHTTPServer((host, port), functools.partial(_SiteHandler, directory=directory))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}/"
