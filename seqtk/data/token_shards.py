"""A corpus tokenized once into token-id shard files on disk, read by position: corpora larger than memory."""

import hashlib
import json
import os
import time

import numpy as np

from seqtk.data.text_sources import decode_utf8, files_of, text_chunks
from seqtk.errors import DataError
from seqtk.tokenizers.parallel_encoding import ParallelEncoder

MANIFEST = "manifest.json"
TOKENIZER_FOLDER = "tokenizer"
SHARD_TOKENS = 1 << 26  # 64 Mi tokens a shard: 128 MiB of uint16 ids
CHUNK_BYTES = 4 << 20  # text encoded at a time, cut at a line end


def local_files(sources):
    """The files that `sources` (paths, globs, `bundled:` names) name; a `tfds:` source is refused."""
    return files_of(sources, "seqtk prepare reads text files. Write the dataset's text to files first, or train "
                             "on it without prepare.")


def tokenizer_hash(directory):
    """SHA-256 of a saved tokenizer's files (names and bytes): a prepared corpus and a model must agree on it."""
    digest = hashlib.sha256()
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            digest.update(name.encode("utf-8") + b"\0")
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()


def tokenizer_fingerprint(tokenizer):
    """`tokenizer_hash` of `tokenizer` as it would be saved."""
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        tokenizer.save(directory)
        return tokenizer_hash(directory)


def text_sample(paths, size):
    """About `size` bytes of text from the start of the files (an equal share of each), cut at line ends:
    what a tokenizer is trained on when the corpus is too large to read whole."""
    share, texts = max(size // max(len(paths), 1), 1), []
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read(share)
        if len(data) == share and b"\n" in data:
            data = data[: data.rfind(b"\n") + 1]
        texts.append((path, decode_utf8(data, path, 1)))
    return texts


def write_manifest(directory, manifest):
    """Writes `manifest.json` under a temporary name, then renames it: a folder with one is a whole corpus."""
    temporary = os.path.join(directory, MANIFEST + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2)
    os.replace(temporary, os.path.join(directory, MANIFEST))


def read_manifest(directory):
    path = os.path.join(directory, MANIFEST)
    if not os.path.exists(path):
        raise DataError(f"{directory}: not a prepared corpus (no {MANIFEST}); make one with "
                        "`seqtk prepare --config <name> --data '<files>' --out <folder>`.")
    try:
        with open(path, encoding="utf-8") as handle:
            manifest = json.load(handle)
        manifest["splits"]  # noqa: B018  (the key every manifest has)
    except (ValueError, KeyError, TypeError) as error:
        raise DataError(f"{path}: not a seqtk corpus manifest ({error}). Prepare the corpus again.") from None
    return manifest


class TokenShards:
    """The token ids of one split of a prepared corpus, read from its shard files by position.

    Shards are flat little-endian arrays (`uint16` when the vocabulary fits, else `int32`) that
    `np.memmap` can map; they are read here with `os.pread`, so the ids a batch needs are copied out and
    nothing else of the corpus stays in the process's memory, however large it is.

    Args:
        directory: the folder `seqtk prepare` wrote (`manifest.json`, `tokenizer/`, `<split>-NNNNN.ids`).
        split: `train` or `validation`.

    Example:
    >>> tokens = TokenShards("prepared/wiki")
    >>> len(tokens), tokens.read(0, 10)        # (4_012_345_678, array([12, 5, ...], dtype=int32))
    """

    def __init__(self, directory, split="train", start=0, stop=None):
        self.directory = directory
        self.manifest = read_manifest(directory)
        if split not in self.manifest["splits"]:
            raise DataError(f"{directory}: the prepared corpus has no {split} split "
                            f"(it has {sorted(self.manifest['splits'])}).")
        self.dtype = np.dtype(self.manifest["dtype"])
        shards = self.manifest["splits"][split]["shards"]
        self._handles = []
        for shard in shards:
            path = os.path.join(directory, shard["file"])
            if not os.path.exists(path) or os.path.getsize(path) != shard["tokens"] * self.dtype.itemsize:
                raise DataError(f"{path}: missing or of the wrong size for {shard['tokens']} tokens "
                                f"({MANIFEST} says so); prepare the corpus again.")
            self._handles.append(os.open(path, os.O_RDONLY))
        self._ends = np.cumsum([s["tokens"] for s in shards], dtype=np.int64)
        total = int(self._ends[-1]) if len(self._ends) else 0
        self.start, self.stop = start, total if stop is None else min(stop, total)

    def __len__(self):
        return max(self.stop - self.start, 0)

    def read(self, start, stop):
        """Ids `[start, stop)` (of this view) as int32, across shard boundaries."""
        start, stop = max(int(start), 0), min(int(stop), len(self))
        start, stop = start + self.start, stop + self.start
        pieces = []
        while start < stop:
            index = int(np.searchsorted(self._ends, start, side="right"))
            first = int(self._ends[index - 1]) if index else 0
            end = min(stop, int(self._ends[index]))
            size = self.dtype.itemsize
            data = os.pread(self._handles[index], (end - start) * size, (start - first) * size)
            pieces.append(np.frombuffer(data, self.dtype))
            start = end
        return np.concatenate(pieces).astype(np.int32) if pieces else np.zeros(0, np.int32)

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("TokenShards takes contiguous slices: tokens[start:stop].")
        start, stop, _ = key.indices(len(self))
        return self.read(start, stop)

    def close(self):
        for handle in self._handles:
            os.close(handle)
        self._handles = []

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001  interpreter shutdown
            pass


class _ShardWriter:
    """Appends ids to `<split>-NNNNN.ids` files of `shard_tokens` each, each renamed into place when full."""

    def __init__(self, directory, split, dtype, shard_tokens):
        self.directory, self.split, self.dtype, self.shard_tokens = directory, split, dtype, shard_tokens
        self.shards, self._handle, self._count = [], None, 0

    def _open(self):
        self._name = f"{self.split}-{len(self.shards):05d}.ids"
        self._handle = open(os.path.join(self.directory, self._name + ".tmp"), "wb")  # noqa: SIM115
        self._count = 0

    def _close(self):
        self._handle.close()
        os.replace(os.path.join(self.directory, self._name + ".tmp"), os.path.join(self.directory, self._name))
        self.shards.append({"file": self._name, "tokens": self._count})
        self._handle = None

    def write(self, ids):
        ids = np.asarray(ids).astype(self.dtype, copy=False)
        while len(ids):
            if self._handle is None:
                self._open()
            room = self.shard_tokens - self._count
            self._handle.write(ids[:room].tobytes())
            self._count += min(room, len(ids))
            ids = ids[room:]
            if self._count == self.shard_tokens:
                self._close()

    def finish(self):
        if self._handle is not None:
            self._close()
        return self.shards


def write_token_shards(tokenizer, splits, directory, reverse=False, workers=None, shard_tokens=SHARD_TOKENS,
                       log=print, progress=True):
    """Tokenizes the files of each split into shard files under `directory`, with a manifest.

    Args:
        tokenizer: a seqtk tokenizer; it is saved in `directory/tokenizer/` and its hash recorded.
        splits: `{"train": [paths or globs], "validation": [...]}`.
        reverse: store the stream right to left (a backward language model): every file reversed, in
            reverse order.
        workers: encoding processes (default: the machine's cores; 0 encodes in this process).

    Returns:
        The manifest (also written to `directory/manifest.json`, last, once every shard is in place).
    """
    os.makedirs(directory, exist_ok=True)
    if os.path.exists(os.path.join(directory, MANIFEST)):
        os.remove(os.path.join(directory, MANIFEST))  # until the new one is whole, the folder is no corpus
    tokenizer_directory = os.path.join(directory, TOKENIZER_FOLDER)
    tokenizer.save(tokenizer_directory)
    dtype = np.uint16 if tokenizer.vocabulary_size <= np.iinfo(np.uint16).max + 1 else np.int32
    files = {split: local_files(sources) for split, sources in splits.items() if sources}
    total_bytes = sum(os.path.getsize(p) for paths in files.values() for p in paths)
    manifest = {"format": 1, "dtype": np.dtype(dtype).name, "vocabulary_size": tokenizer.vocabulary_size,
                "tokenizer_hash": tokenizer_hash(tokenizer_directory), "reverse": bool(reverse), "splits": {}}
    import keras  # the progress bar fit shows

    bar = keras.utils.Progbar(total_bytes, unit_name="byte", verbose=1 if progress else 0)
    start, done = time.monotonic(), 0
    with ParallelEncoder(tokenizer_directory, workers) as encoder:
        for split, paths in files.items():
            # Right to left: the files in reverse order, each written reversed, so the shards hold the
            # whole stream reversed (as `encode_texts(..., reverse=True)` gives it).
            writer = _ShardWriter(directory, split, dtype, shard_tokens)
            counts = {"tokens": 0, "bytes": 0, "unknown": 0, "files": []}
            for path in (reversed(paths) if reverse else paths):
                tokens = 0
                pieces = (text for text, _ in text_chunks(path, CHUNK_BYTES, reverse))
                for ids, size, unknown in encoder.encode(pieces, reverse):
                    writer.write(ids)
                    tokens += len(ids)
                    counts["bytes"] += size
                    counts["unknown"] += unknown
                    done += size
                    bar.update(min(done, total_bytes))
                counts["tokens"] += tokens
                counts["files"].append({"path": os.path.abspath(path), "bytes": os.path.getsize(path),
                                        "tokens": tokens})
            counts["shards"] = writer.finish()
            manifest["splits"][split] = counts
    seconds = time.monotonic() - start
    manifest["seconds"] = round(seconds, 2)
    manifest["megabytes_per_second"] = round(total_bytes / 1e6 / max(seconds, 1e-9), 2)
    write_manifest(directory, manifest)
    summary = ", ".join(f"{split} {c['tokens']:,} tokens ({c['bytes'] / 1e6:,.1f} MB, {len(c['shards'])} shard(s))"
                        for split, c in manifest["splits"].items())
    log(f"Prepared {directory}: {summary}; {manifest['megabytes_per_second']} MB/s.")
    return manifest
