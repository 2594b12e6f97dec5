"""Labelled texts and sentence pairs read from their files piece by piece, pass after pass: training sets
larger than memory for classifiers and translators (`data.streaming`)."""

import contextlib
import dataclasses
import re

import numpy as np

from seqtk.data.batch_stream import BatchStream
from seqtk.data.classification_dataset import bucketed_order
from seqtk.data.labeled_text import _has_header, _rows_tsv, detect_format, parse_labeled
from seqtk.data.parallel_text import (
    ParallelExample,
    check_pairs,
    parallel_format,
    parse_parallel,
    split_pair_source,
)
from seqtk.data.text_sources import files_of, line_spans, read_span
from seqtk.errors import ConfigError, DataError

PIECE_BYTES = 1 << 20  # a piece of a file read at once: its examples are shuffled and bucketed together
SAMPLE_BYTES = 256 << 20  # the text a tokenizer is trained on, at most
ALIGNED_LINES = 20_000  # lines of a piece of two line-aligned files


@dataclasses.dataclass(frozen=True)
class Piece:
    """A run of whole lines of a file (`[start, end)` bytes from line `line`), and of its partner for
    line-aligned pairs; `count` examples."""

    path: str
    start: int
    end: int
    line: int
    count: int = 0
    partner: tuple = ()  # (path, start, end) of the target file's same lines


class ExampleFiles:
    """The training examples of some files, read a piece (about 1 MB) at a time, never all at once.

    Made by `labeled_files` or `parallel_files`, which read every file once to check it (an error names the
    file and line before training starts) and count its examples; `sample` holds the first examples (up to
    256 MB of text) for training a tokenizer and `labels` the distinct labels.

    Example:
    >>> files = labeled_files(["reviews/*.tsv"])
    >>> files.count, files.labels          # (25_000_000, ['neg', 'pos'])
    >>> examples = files.read(files.pieces[0])
    """

    def __init__(self, pieces, parse, sources):
        self.pieces = pieces
        self.parse = parse  # parse(piece) -> examples
        self.sources = sources
        self.count = sum(piece.count for piece in pieces)
        self.sample, self.labels = [], []

    def read(self, piece):
        return self.parse(piece)

    def __len__(self):
        return self.count


@contextlib.contextmanager
def _lines_from(path, offset):
    """Errors of a piece's parser name lines counted from the piece's start: they are renumbered from the
    file's (every seqtk data error says `<path>, line <n>`)."""
    try:
        yield
    except DataError as error:
        pattern = re.compile(re.escape(str(path)) + r", line (\d+)")
        message = pattern.sub(lambda m: f"{path}, line {int(m.group(1)) + offset}", str(error))
        raise DataError(message) from None


def _scan(pieces_of_file, paths, parse, is_labeled, sample_text):
    pieces, sample, labels, sampled = [], [], set(), 0
    for path in paths:
        for piece in pieces_of_file(path):
            examples = parse(piece)
            if not examples:
                continue
            pieces.append(dataclasses.replace(piece, count=len(examples)))
            if is_labeled:
                labels.update(str(e.label) for e in examples)
            if sampled < SAMPLE_BYTES:
                sample.extend(examples)
                sampled += sum(len(sample_text(e)) for e in examples)
    return pieces, sample, labels


def _local(sources):
    return files_of(sources, "data.streaming reads files; a tensorflow-datasets source is read whole (set "
                             "data.streaming=false).")


def labeled_files(sources, file_format="auto", text_column="auto", label_column="auto"):
    """`ExampleFiles` of TSV, JSON lines or "label text" files (CSV's quoted newlines cannot be cut into
    pieces: save it as TSV), checked and counted."""
    paths = _local(sources)
    formats, headers = {}, {}

    def pieces_of_file(path):
        for start, end, line in line_spans(path, PIECE_BYTES):
            yield Piece(path, start, end, line)

    def parse(piece):
        text = read_span(piece.path, piece.start, piece.end, piece.line)
        if piece.path not in formats:  # the file's first piece: its format and header
            kind = detect_format(piece.path, text) if file_format == "auto" else file_format
            if kind == "csv":
                raise DataError(f"{piece.path}: data.streaming reads TSV, JSON lines and label-text files; a CSV "
                                "field may hold newlines, so the file cannot be cut into pieces. Save it as TSV or "
                                "JSON lines, or set data.streaming=false.")
            formats[piece.path] = kind
            if kind == "tsv":
                headers[piece.path] = _header_line(text, text_column, label_column)
        kind, header = formats[piece.path], headers.get(piece.path)
        offset = piece.line - 1
        if header is not None and piece.start > 0:
            text, offset = header + text, offset - 1
        with _lines_from(piece.path, offset):
            examples = parse_labeled(piece.path, text, kind, text_column, label_column,
                                     has_header=(header is not None) if kind == "tsv" else None)
        return [dataclasses.replace(e, line=e.line + offset) for e in examples]

    pieces, sample, labels = _scan(pieces_of_file, paths, parse, True, lambda e: e.text)
    if not pieces:
        raise DataError(f"{', '.join(paths)}: no examples in the files. Give files with one example per row.")
    files = ExampleFiles(pieces, parse, paths)
    files.sample, files.labels = sample, sorted(labels)
    return files


def _header_line(text, text_column, label_column):
    """The file's header line (with its newline) when its first row is one, else None."""
    first = text.split("\n", 1)[0]
    rows = list(_rows_tsv(first))
    return first + "\n" if _has_header([r for _, r in rows], text_column, label_column) else None


def parallel_files(sources, file_format="auto", source_column=0, target_column=1):
    """`ExampleFiles` of sentence pairs: TSV or JSON lines files, or line-aligned file pairs, checked and
    counted (line-aligned files of different lengths are an error naming the first line without a partner)."""
    sources = [sources] if isinstance(sources, str) else list(sources)
    headers = {}
    by_name = any(not str(c).lstrip("-").isdigit() for c in (source_column, target_column))
    entries = []
    for source in sources:
        pair = split_pair_source(source)
        entries.extend([tuple(_local(side)[0] for side in pair)] if pair else _local(source))

    def pieces_of_file(entry):
        if isinstance(entry, tuple):
            yield from _aligned_pieces(*entry)
            return
        for start, end, line in line_spans(entry, PIECE_BYTES):
            yield Piece(entry, start, end, line)

    def parse(piece):
        if piece.partner:
            target_path, target_start, target_end = piece.partner
            sources_ = read_span(piece.path, piece.start, piece.end, piece.line).split("\n")[:-1]
            targets = read_span(target_path, target_start, target_end, piece.line).split("\n")[:-1]
            examples = [ParallelExample(s.rstrip("\r"), t.rstrip("\r"), piece.path, piece.line + i)
                        for i, (s, t) in enumerate(zip(sources_, targets, strict=True))]
            check_pairs(examples)
            return examples
        text = read_span(piece.path, piece.start, piece.end, piece.line)
        kind, offset = parallel_format(piece.path, file_format), piece.line - 1
        if kind == "tsv" and by_name:
            if piece.start == 0:
                headers[piece.path] = text.split("\n", 1)[0] + "\n"
            else:
                text, offset = headers[piece.path] + text, offset - 1
        with _lines_from(piece.path, offset):
            examples = parse_parallel(piece.path, text, kind, source_column, target_column)
        return [dataclasses.replace(e, line=e.line + offset) for e in examples]

    pieces, sample, _ = _scan(pieces_of_file, entries, parse, False, lambda e: e.source + e.target)
    if not pieces:
        raise DataError(f"{', '.join(map(str, sources))}: no sentence pairs. Give files with one pair per line.")
    files = ExampleFiles(pieces, parse, [e if isinstance(e, str) else e[0] for e in entries])
    files.sample = sample
    return files


def _aligned_pieces(source_path, target_path, lines=None):
    """Pieces of `lines` (default `ALIGNED_LINES`) lines of two line-aligned files, with the byte spans of each."""
    lines = lines or ALIGNED_LINES
    with open(source_path, "rb") as source, open(target_path, "rb") as target:
        number, starts = 1, (0, 0)
        while True:
            count, sources_done, targets_done = 0, False, False
            for _ in range(lines):
                a, b = source.readline(), target.readline()
                if not a or not b:
                    sources_done, targets_done = not a, not b
                    break
                count += 1
            if sources_done != targets_done:
                longer = target_path if sources_done else source_path
                raise DataError(f"{source_path} and {target_path} differ in length: {longer}, line {number + count} "
                                "has no partner. Line-aligned files need one translation per line; remove the extra "
                                "lines or fix the misalignment.")
            if count:
                yield Piece(source_path, starts[0], source.tell(), number, partner=(target_path, starts[1], target.tell()))
            if sources_done:
                return
            number += count
            starts = (source.tell(), target.tell())


class StreamedBatches(BatchStream):
    """The batches of `ExampleFiles`, pass after pass: each pass visits the pieces in an order of its own
    (`seed + pass`) and shuffles and length-buckets the examples of each piece (`bucketed_order`), so only
    one piece is in memory at a time. Like every `BatchStream`, it can start at any batch.

    Args:
        files: the `ExampleFiles`.
        batch_size: examples a batch.
        encode: `encode(examples)` -> the encoded items (a translator's drop pairs over its length limits).
        length: `length(item)`, for bucketing.
        make_batch: `make_batch(items)` -> the batch's numpy arrays.
        counts: items per piece after `encode` (default: the pieces' example counts).
    """

    def __init__(self, files, batch_size, encode, length, make_batch, signature, seed=0, drop_remainder=False,
                 counts=None):
        self.files, self.batch_size, self.seed, self.drop_remainder = files, batch_size, seed, drop_remainder
        self.encode, self.length, self.make_batch = encode, length, make_batch
        self.counts = counts if counts is not None else [piece.count for piece in files.pieces]
        total = sum(self._batches(count) for count in self.counts)
        if total < 1:
            raise DataError(f"{', '.join(files.sources)}: fewer examples than one batch of {batch_size}.")
        super().__init__(total, None, None, signature)

    def _batches(self, count):
        return count // self.batch_size if self.drop_remainder else -(-count // self.batch_size)

    def _from(self, pass_index, skip):
        order = np.random.default_rng(self.seed + pass_index).permutation(len(self.files.pieces))
        for index in order:
            batches = self._batches(self.counts[index])
            if skip >= batches:
                skip -= batches  # not read at all
                continue
            items = self.encode(self.files.read(self.files.pieces[index]))
            chosen = bucketed_order([self.length(item) for item in items], self.batch_size, True,
                                    seed=[self.seed, pass_index, int(index)], drop_remainder=self.drop_remainder)
            for indices in chosen[skip:]:
                yield self.make_batch([items[i] for i in indices])
            skip = 0

    def _generate(self):
        pass_index, offset = divmod(self.position, self.batches_per_pass)
        while True:
            yield from self._from(pass_index, offset)
            pass_index, offset = pass_index + 1, 0

    def _pass(self, pass_index):
        yield from self._from(pass_index, 0)


def check_streaming(data):
    """`data.streaming` needs a validation set of its own: a held-out fraction would mean reading it all."""
    if not data.validation:
        raise ConfigError("data.streaming reads the training files a piece at a time and cannot hold out "
                          "data.validation_fraction of them; give data.validation (a file of examples to validate on).")


def streamed_sample(data, log=None):
    """The examples a task reads whole: `data` itself, or the sample of streamed `ExampleFiles` (the first
    256 MB of text, what the tokenizer is trained on and unknown symbols are counted in)."""
    if data and isinstance(data[0], ExampleFiles):
        if log is not None:
            log(f"The tokenizer is trained on the first {len(data[0].sample):,} of the {data[0].count:,} "
                "streamed training examples.")
        return data[0].sample
    return data
