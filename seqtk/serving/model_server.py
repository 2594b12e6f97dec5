"""`seqtk serve`: loaded models over HTTP, in TensorFlow Serving's REST shape plus each task's verbs, with
dynamic batching, Server-Sent Events for generation, limits on every request, and a page to try them at `/`.

Every bad request is answered with a 4xx JSON body `{"error": "..."}` that says what was wrong; a request
names models by the names the server was started with, never a file.
"""

import asyncio
import contextlib
import ctypes
import json
import os
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from seqtk.serving.model_worker import GenerationJob, Job, ModelWorker, ServerBusy
from seqtk.serving.request_schemas import TASK_VERBS, VERB_REQUESTS
from seqtk.serving.serve_limits import ServeLimits

STATIC_DIR = os.path.join(os.path.dirname(__file__), "static")
MODEL_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class ApiError(Exception):
    """Answered as `{"error": message}` with `status`."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


def model_specs(specs):
    """`{name: directory}` from `seqtk serve --model` values, each `NAME=DIR` or `DIR` (named after its folder)."""
    models = {}
    for spec in specs:
        name, separator, directory = spec.partition("=")
        if not separator:
            directory, name = spec, os.path.basename(os.path.normpath(spec))
        if not MODEL_NAME.match(name):
            raise ValueError(f"--model {spec}: a model name is 1-64 letters, digits, '_', '.' or '-'; give one "
                             "as NAME=DIR.")
        if name in models:
            raise ValueError(f"--model {spec}: the name {name!r} is given twice; name one of them NAME=DIR.")
        models[name] = directory
    if not models:
        raise ValueError("Give at least one model to serve: --model [NAME=]DIR.")
    return models


class ServedModel:
    """A predictor with its worker, and what the status and metadata routes say about it."""

    def __init__(self, name, predictor, limits):
        self.name, self.predictor = name, predictor
        self.task = predictor.task
        self.verbs = TASK_VERBS[self.task]
        self.worker = ModelWorker(predictor, limits)

    def metadata(self):
        info = {"task": self.task, "backend": self.predictor.backend, "verbs": [*self.verbs, "predict"]}
        for attribute in ("labels", "scheme", "reverse", "length_penalty", "precision"):
            if hasattr(self.predictor, attribute):
                info[attribute] = getattr(self.predictor, attribute)
        return info


def create_app(predictors, limits=None):
    """The FastAPI app serving `predictors` (`{name: predictor}`, as `seqtk.load` gives them).

    Example:
    >>> app = create_app({"shakespeare": seqtk.load("saved_models/shakespeare_char_large")})
    >>> uvicorn.run(app, host="127.0.0.1", port=8000)
    """
    limits = limits or ServeLimits()
    served = {}

    @contextlib.asynccontextmanager
    async def lifespan(app):
        for name, predictor in predictors.items():
            served[name] = ServedModel(name, predictor, limits)
        yield
        for model in served.values():
            model.worker.stop()

    # No /docs or /redoc: their pages load Swagger UI and ReDoc from a CDN; every asset here is served by seqtk.
    app = FastAPI(title="seqtk", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Recurrent sequence models served by seqtk: TensorFlow Serving's REST shape "
                              "(`:predict`) plus each task's verbs.")
    app.state.served, app.state.limits = served, limits

    @app.exception_handler(ApiError)
    async def api_error(request, error):
        return JSONResponse({"error": error.message}, status_code=error.status)

    @app.exception_handler(HTTPException)
    async def http_error(request, error):
        message = error.detail if error.status_code != 404 else f"No route {request.url.path!r}; see /openapi.json."
        return JSONResponse({"error": message}, status_code=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request, error):
        return JSONResponse({"error": _validation_message(error.errors())}, status_code=400)

    def model(name):
        if name not in served:
            raise ApiError(404, f"No model named {name!r}; this server has {', '.join(sorted(served)) or 'none'}.")
        return served[name]

    @app.get("/healthz", summary="The process answers")
    async def healthz():
        return {"status": "ok"}

    @app.get("/readyz", summary="Every model is loaded and its worker running")
    async def readyz():
        ready = bool(served) and all(m.worker.alive for m in served.values())
        body = {"ready": ready, "models": {name: m.worker.alive for name, m in served.items()}}
        return JSONResponse(body, status_code=200 if ready else 503)

    @app.get("/v1/models", summary="The models served, with their tasks and verbs")
    async def models():
        return {"models": [{"name": name, **m.metadata()} for name, m in served.items()]}

    @app.get("/v1/models/{name}", summary="A model's status (TensorFlow Serving's shape)")
    async def status(name: str):
        served_model = model(name)
        state = "AVAILABLE" if served_model.worker.alive else "END"
        return {"model_version_status": [{"version": "1", "state": state,
                                          "status": {"error_code": "OK", "error_message": ""}}]}

    @app.get("/v1/models/{name}/metadata", summary="A model's task, backend, verbs and labels")
    async def metadata(name: str):
        return {"model_spec": {"name": name, "version": "1"}, "metadata": model(name).metadata()}

    def verb_route(verb):
        request_model = None if verb == "predict" else VERB_REQUESTS[verb]
        schema = ({"anyOf": [m.model_json_schema() for m in {id(m): m for m in VERB_REQUESTS.values()}.values()]}
                  if request_model is None else request_model.model_json_schema())

        async def handler(name: str, request: Request):
            return await _run_verb(model(name), verb, request, limits)

        summary = ("The task's main verb (generate, classify, translate or tag)" if verb == "predict"
                   else f"{verb.capitalize()} (models of the task {', '.join(t for t, v in TASK_VERBS.items() if verb in v)})")
        app.post(f"/v1/models/{{name}}:{verb}", summary=summary, name=verb, openapi_extra={
            "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}})(handler)

    for verb in ("predict", *VERB_REQUESTS):
        verb_route(verb)

    @app.get("/", include_in_schema=False)
    async def index():
        return FileResponse(os.path.join(STATIC_DIR, "index.html"))

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


async def _read_json(request, limit):
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"The body is {declared} bytes; this server reads at most {limit}.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, f"The body is over {limit} bytes, the most this server reads.")
    try:
        text = bytes(body).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(400, f"The body is not valid UTF-8 (byte {error.start}); send JSON in UTF-8.") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ApiError(400, f"The body is not valid JSON: {error.msg} at line {error.lineno}, column "
                            f"{error.colno}.") from None


def _validation_message(errors):
    parts = []
    for error in errors[:5]:
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "Bad request: " + "; ".join(parts) + "."


def _parse(verb, data, limits):
    if not isinstance(data, dict):
        raise ApiError(400, 'The body must be a JSON object such as {"instances": ["some text"]}.')
    try:
        request = VERB_REQUESTS[verb].model_validate(data)
    except ValidationError as error:
        raise ApiError(400, _validation_message(error.errors())) from None
    if len(request.instances) > limits.max_instances:
        raise ApiError(400, f"{len(request.instances)} instances; send at most {limits.max_instances} per request.")
    for number, instance in enumerate(request.instances):
        text = instance if isinstance(instance, str) else " ".join(instance)
        if len(text) > limits.max_text_chars:
            raise ApiError(400, f"instances.{number}: {len(text)} characters; this server takes at most "
                                f"{limits.max_text_chars}.")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ApiError(400, f"instances.{number}: holds an unpaired surrogate (\\ud800-\\udfff), which is "
                                "not text; send valid Unicode.") from None
        if verb != "generate" and not text.strip():
            raise ApiError(400, f"instances.{number}: the text is empty; send non-empty texts.")
        if verb == "tag" and not isinstance(instance, str) and any(not token.strip() or token.split() != [token]
                                                                    for token in instance):
            raise ApiError(400, f"instances.{number}: a token is empty or holds whitespace; send tokens as words.")
    if getattr(request, "max_tokens", 0) > limits.max_tokens:
        raise ApiError(400, f"max_tokens {request.max_tokens} is over this server's limit of {limits.max_tokens}.")
    if getattr(request, "beam_size", 0) > limits.max_beam_size:
        raise ApiError(400, f"beam_size {request.beam_size} is over this server's limit of {limits.max_beam_size}.")
    return request


async def _run_verb(served_model, verb, request, limits):
    if verb == "predict":
        verb = served_model.verbs[0]
    if verb not in served_model.verbs:
        raise ApiError(404, f"The model {served_model.name!r} ({served_model.task}) answers "
                            f"{', '.join(':' + v for v in (*served_model.verbs, 'predict'))}, not :{verb}.")
    parsed = _parse(verb, await _read_json(request, limits.max_body_bytes), limits)
    if verb == "generate":
        return await _generate(served_model, parsed, limits)
    options = parsed.model_dump(exclude={"instances"}, exclude_none=True)
    results = await _submit(served_model, Job(verb, list(parsed.instances), options, None), limits)
    return {"predictions": results}


async def _submit(served_model, job, limits):
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def done(results, error):
        loop.call_soon_threadsafe(_settle, future, results, error)

    job.done = done
    try:
        served_model.worker.submit(job)
    except ServerBusy as error:
        raise ApiError(503, str(error)) from None
    try:
        return await asyncio.wait_for(future, limits.request_timeout_s)
    except asyncio.TimeoutError:
        for stream in getattr(job, "streams", ()):
            stream.cancelled = True
        raise ApiError(503, f"The request took over {limits.request_timeout_s:g} s; the server is busy, or "
                            "ask for less.") from None
    except (ValueError, TypeError) as error:
        raise ApiError(400, str(error)) from None


def _settle(future, results, error):
    if future.done():
        return  # the request timed out or its client left
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(results)


def _streams(served_model, parsed):
    predictor = served_model.predictor
    try:
        return [predictor.new_stream(prompt, parsed.max_tokens, parsed.sampler, parsed.temperature, parsed.top_k,
                                     parsed.top_p, None if parsed.seed is None else parsed.seed + i)
                for i, prompt in enumerate(parsed.instances)]
    except (ValueError, TypeError) as error:
        raise ApiError(400, str(error)) from None


async def _generate(served_model, parsed, limits):
    streams = _streams(served_model, parsed)
    if not parsed.stream:
        finished = await _submit(served_model, GenerationJob(streams, None), limits)
        return {"predictions": [stream.text() for stream in finished]}
    if len(streams) != 1:
        raise ApiError(400, f"stream: true sends one prompt's text as it is drawn; send one instance, not "
                            f"{len(streams)}.")
    if served_model.predictor.reverse:
        raise ApiError(400, f"The model {served_model.name!r} is a backward language model: it writes the text "
                            "before the prompt, which cannot be streamed; send stream: false.")
    return StreamingResponse(_events(served_model, streams[0], limits), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _events(served_model, stream, limits):
    """Server-Sent Events: `data: {"text": piece}` as each piece is drawn, then `event: done` with the whole
    text, or `event: error`. A client that leaves cancels its stream, which frees its row of the batch."""
    loop = asyncio.get_running_loop()
    events = asyncio.Queue()

    def piece(_, text):
        loop.call_soon_threadsafe(events.put_nowait, ("piece", text))

    def done(results, error):
        loop.call_soon_threadsafe(events.put_nowait, ("error", str(error)) if error else ("done", None))

    try:
        try:
            served_model.worker.submit(GenerationJob([stream], done, piece))
        except ServerBusy as error:
            yield _event({"error": str(error)}, "error")
            return
        deadline = loop.time() + limits.request_timeout_s
        while True:
            try:
                kind, value = await asyncio.wait_for(events.get(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                yield _event({"error": f"The generation took over {limits.request_timeout_s:g} s."}, "error")
                return
            if kind == "piece":
                yield _event({"text": value})
            elif kind == "done":
                yield _event({"text": stream.text(), "tokens": len(stream.generated)}, "done")
                return
            else:
                yield _event({"error": value}, "error")
                return
    finally:
        stream.cancelled = stream.cancelled or not stream.done


def _event(data, name=None):
    head = f"event: {name}\n" if name else ""
    return f"{head}data: {json.dumps(data, ensure_ascii=False)}\n\n"


def _fewer_malloc_arenas():
    """glibc gives threads that allocate at once arenas of their own (up to 8 per core). A server's threads
    (the event loop, the model workers, TensorFlow's pools) then keep freed memory apart, and RSS creeps up
    with every batch shape. Two arenas keep it flatter: +33 MB against +59 MB over 10,000 requests in
    `bench/serve_load.py`. This is `MALLOC_ARENA_MAX=2`, set from inside the process."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc: its allocator has its own policy
        pass


def use_precision(predictors, precision):
    """Makes every saved language model of `predictors` generate with `precision` (`"float32"` or
    `"bfloat16"`, `LanguageModelPredictor.use_precision`); returns `{name: what it runs}` for those that
    cannot: other tasks run float32, and an export runs the products it was exported with."""
    from seqtk.generation.generation_precision import check_precision

    check_precision(precision)
    unchanged = {}
    for name, predictor in predictors.items():
        if hasattr(predictor, "use_precision") and predictor.backend == "keras":
            predictor.use_precision(precision)
        elif precision != "float32":
            unchanged[name] = getattr(predictor, "precision", "float32")
    return unchanged


def serve(specs, host="127.0.0.1", port=8000, limits=None, log_level="info", precision="float32"):
    """Loads the models of `specs` (`NAME=DIR` or `DIR`) and serves them until interrupted; saved language
    models generate with `precision` (`use_precision`)."""
    import uvicorn

    _fewer_malloc_arenas()

    from seqtk.predictors import load

    predictors = {name: load(directory) for name, directory in model_specs(specs).items()}
    unchanged = use_precision(predictors, precision)
    for name, predictor in predictors.items():
        note = f", {predictor.precision} generation" if hasattr(predictor, "use_precision") else ""
        print(f"{name}: {predictor.task} ({predictor.backend}{note}) from {predictor.directory}")
    for name, runs in unchanged.items():
        print(f"{name}: --precision {precision} is for generation from a saved language model; it runs {runs}")
    app = create_app(predictors, limits)
    print(f"Serving on http://{host}:{port}/ (the page), http://{host}:{port}/openapi.json (the API)")
    uvicorn.run(app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=5)
