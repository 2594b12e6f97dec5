"""One thread per served model that runs its requests in batches: requests that arrive together are run as
one call (TF Serving's batching: a maximum batch size and a maximum wait), and generations advance together
one token per step, streams joining and leaving between steps."""

import collections
import dataclasses
import queue
import threading
import time

from seqtk.generation.stream_batch import StreamBatch


class ServerBusy(Exception):
    """The model's queue is full: the request is answered with 503 and may be sent again."""


@dataclasses.dataclass
class Job:
    """A request's instances for one verb (`classify`, `translate`, `tag`, `score`) with its options; `done` is
    called once, from the worker thread, with `(results, None)` or `(None, error)`."""

    verb: str
    inputs: list
    options: dict
    done: object

    @property
    def key(self):
        """Jobs with the same key run as one call."""
        return self.verb, tuple(sorted(self.options.items()))


@dataclasses.dataclass
class GenerationJob:
    """Generations to run: one `Stream` per prompt. `piece(stream, text)` is called as each stream draws a
    token; `done(streams)` once all are finished or cancelled."""

    streams: list
    done: object
    piece: object = None


class ModelWorker:
    """Runs every request for one predictor on its own thread, batching them.

    Args:
        predictor: what `seqtk.load` returned.
        limits: the server's `ServeLimits` (`max_batch`, `max_wait_ms`, `max_queue`).

    Example:
    >>> worker = ModelWorker(seqtk.load("saved_models/sst2_ulmfit_bidirectional"), ServeLimits())
    >>> worker.submit(Job("classify", ["a witty film"], {}, done=print))
    """

    def __init__(self, predictor, limits):
        self.predictor, self.limits = predictor, limits
        self.jobs = queue.Queue(maxsize=limits.max_queue)
        self.generation = None
        if hasattr(predictor, "step_runner"):
            self.generation = StreamBatch(predictor.step_runner, max_batch=limits.max_batch)
        self._generation_jobs = []
        self._job_of = {}  # id(stream) -> its GenerationJob: one lookup per drawn piece
        # (verb, instances) of the last batches run: what the batching did, for tests and stats (bounded: a
        # server runs for months).
        self.batches = collections.deque(maxlen=4096)
        self.thread = threading.Thread(target=self._run, name=f"seqtk-model-{predictor.directory}", daemon=True)
        self._stopping = False
        self.thread.start()

    @property
    def alive(self):
        return self.thread.is_alive()

    def submit(self, job):
        try:
            self.jobs.put_nowait(job)
        except queue.Full:
            raise ServerBusy(f"{self.limits.max_queue} requests are already waiting for this model; "
                             "try again shortly.") from None

    def stop(self):
        self._stopping = True
        self.jobs.put(None)
        self.thread.join(timeout=10)

    def _run(self):
        while not self._stopping:
            generating = self.generation is not None and self.generation.busy
            waiting = self._collect(block=not generating)
            if self._stopping:
                break
            self._run_jobs(waiting)
            if self.generation is not None and self.generation.busy:
                self._step_generation()

    def _collect(self, block):
        """The jobs to run now: after the first, those arriving within `max_wait_ms` (or until `max_batch`
        instances are waiting); without blocking while generations are running."""
        jobs = []
        try:
            first = self.jobs.get(block=block)
        except queue.Empty:
            return jobs
        if first is None:
            return jobs
        jobs.append(first)
        deadline = time.monotonic() + self.limits.max_wait_ms / 1000
        size = _size(first)
        while size < self.limits.max_batch:
            remaining = deadline - time.monotonic()
            try:
                job = self.jobs.get(timeout=remaining) if block and remaining > 0 else self.jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                self._stopping = True
                break
            jobs.append(job)
            size += _size(job)
        return jobs

    def _run_jobs(self, jobs):
        groups = {}
        for job in jobs:
            if isinstance(job, GenerationJob):
                self._generation_jobs.append(job)
                for stream in job.streams:
                    self._job_of[id(stream)] = job
                    self.generation.add(stream)
            else:
                groups.setdefault(job.key, []).append(job)
        for group in groups.values():
            self._run_group(group)

    def _run_group(self, group):
        verb, options = group[0].verb, group[0].options
        method = getattr(self.predictor, verb)
        # One call per max_batch instances: a request's instances stay together.
        start = 0
        while start < len(group):
            end, size = start, 0
            while end < len(group) and (end == start or size + len(group[end].inputs) <= self.limits.max_batch):
                size += len(group[end].inputs)
                end += 1
            batch = group[start:end]
            inputs = [item for job in batch for item in job.inputs]
            try:
                results = method(inputs, **options)
            except Exception:  # noqa: BLE001 - one bad request must not fail the others in its batch
                for job in batch:
                    self._run_alone(method, job)
            else:
                self.batches.append((verb, len(inputs)))
                offset = 0
                for job in batch:
                    job.done(results[offset : offset + len(job.inputs)], None)
                    offset += len(job.inputs)
            start = end

    def _run_alone(self, method, job):
        try:
            results = method(job.inputs, **job.options)
        except Exception as error:  # noqa: BLE001 - reported to the request that caused it
            job.done(None, error)
        else:
            self.batches.append((job.verb, len(job.inputs)))
            job.done(results, None)

    def _step_generation(self):
        try:
            pieces = self.generation.step()
        except Exception as error:  # noqa: BLE001 - ends the generations running, not the worker
            self.generation = StreamBatch(self.predictor.step_runner, max_batch=self.limits.max_batch)
            jobs, self._generation_jobs, self._job_of = self._generation_jobs, [], {}
            for job in jobs:
                job.done(None, error)
            return
        self.batches.append(("generate", len(pieces)))
        for stream, piece in pieces:
            job = self._job_of[id(stream)]
            if piece and job.piece is not None:
                job.piece(stream, piece)
        finished = [job for job in self._generation_jobs if all(s.done for s in job.streams)]
        self._generation_jobs = [job for job in self._generation_jobs if job not in finished]
        for job in finished:
            for stream in job.streams:
                del self._job_of[id(stream)]
            job.done(job.streams, None)


def _size(job):
    return len(job.streams) if isinstance(job, GenerationJob) else len(job.inputs)
