"""Encoding a large text on every core: worker processes, results in order, a bounded read-ahead."""

import collections
import multiprocessing
import os

_tokenizer = None  # the worker process's tokenizer


def _start(directory):
    global _tokenizer
    from seqtk.tokenizers.tokenizer import load_tokenizer

    _tokenizer = load_tokenizer(directory)


def _encode(item):
    text, reverse = item
    ids = _tokenizer.encode_array(text)
    unknown = _tokenizer.unknown_id
    return (ids[::-1] if reverse else ids), len(text.encode("utf-8", "surrogatepass")), \
        int((ids == unknown).sum()) if unknown is not None else 0


class ParallelEncoder:
    """Encodes pieces of text in `workers` processes, each loading the tokenizer saved in `directory`.

    `workers=0` encodes in this process. Results come back in the order of the pieces, with at most `2 * workers` pieces read ahead, so a
    corpus of any size passes through in bounded memory (`Pool.imap` would queue all of it). The workers
    import only the tokenizers (no TensorFlow).

    Example:
    >>> with ParallelEncoder("prepared/wiki/tokenizer", workers=2) as encoder:
    ...     for ids, size, unknown in encoder.encode(chunks_of_text):
    ...         writer.write(ids)
    """

    def __init__(self, directory, workers=None):
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self._pool = None
        if self.workers == 0:  # in this process: small inputs, tests
            _start(directory)
            return
        # Spawned, not forked: a fork of a process running TensorFlow's threads can deadlock.
        self._pool = multiprocessing.get_context("spawn").Pool(self.workers, initializer=_start,
                                                                initargs=(directory,))

    def encode(self, texts, reverse=False):
        """`(ids, utf8_bytes, unknown_count)` for each text, in order (ids reversed when `reverse`)."""
        if self._pool is None:
            yield from (_encode((text, reverse)) for text in texts)
            return
        pending = collections.deque()
        for text in texts:
            pending.append(self._pool.apply_async(_encode, ((text, reverse),)))
            if len(pending) >= 2 * self.workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def close(self):
        if self._pool is not None:
            self._pool.close()
            self._pool.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None or self._pool is None:
            self.close()
        else:
            self._pool.terminate()
