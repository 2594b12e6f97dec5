"""A real server on a free loopback port, in a thread of the test process, serving the shipped presets (one
model of each task) by name; tests talk to it over HTTP as any client would."""

import contextlib
import socket
import threading
import time

import uvicorn
from shipped_models import shipped_model

from seqtk.predictors import load
from seqtk.serving import create_app

PRESETS = {"shakespeare": "shakespeare_char_large", "sentiment": "sst2_ulmfit_bidirectional",
           "fr_en": "tatoeba_fr_en", "upos": "ud_ewt_upos"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_server(predictors, limits=None):
    """`(base URL, app)` of a uvicorn server serving `predictors` until the block ends."""
    app = create_app(predictors, limits)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def preset_predictors(names=tuple(PRESETS)):
    return {name: load(shipped_model(PRESETS[name])) for name in names}
