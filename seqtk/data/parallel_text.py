"""Parallel text for translation: TSV pairs, line-aligned file pairs, JSON lines and tensorflow-datasets."""

import dataclasses
import os

from seqtk.data.text_sources import json_records, read_text_file, resolve_sources
from seqtk.errors import DataError

FORMATS = ("auto", "tsv", "jsonl")


@dataclasses.dataclass(frozen=True)
class ParallelExample:
    """A source sentence and its translation (`None` when reading sources alone), with where they came from."""

    source: str
    target: object
    origin: str
    line: int

    @property
    def location(self):
        return f"{self.origin}, line {self.line}"


def split_pair_source(source):
    """`"train.de,train.en"` (or a two-item list) -> the two paths of a line-aligned pair; else None."""
    if isinstance(source, (list, tuple)):
        if len(source) != 2:
            raise DataError(f"A line-aligned source names two files (source, target); received {list(source)}.")
        return [str(part) for part in source]
    source = str(source)
    if source.startswith(("tfds:", "bundled:")) or "," not in source:
        return None
    parts = [part.strip() for part in source.split(",")]
    if len(parts) != 2 or not all(parts):
        raise DataError(f"{source}: a line-aligned pair is written `<source_file>,<target_file>`.")
    return parts


def _one_file(source):
    files = [name for kind, name in resolve_sources(source) if kind == "file"]
    if len(files) != 1:
        raise DataError(f"{source}: each side of a line-aligned pair must be one file; it names {len(files)}.")
    return files[0]


def _lines(path):
    text = read_text_file(path)
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def read_line_aligned(source_path, target_path, with_targets=True):
    """Line `i` of `source_path` translates as line `i` of `target_path` (the Multi30k and WMT layout)."""
    source_path = _one_file(source_path)
    sources = _lines(source_path)
    if not with_targets:
        return [ParallelExample(s, None, source_path, i) for i, s in enumerate(sources, start=1)]
    target_path = _one_file(target_path)
    targets = _lines(target_path)
    if len(sources) != len(targets):
        longer, shorter = (source_path, sources), (target_path, targets)
        if len(targets) > len(sources):
            longer, shorter = shorter, longer
        extra = len(shorter[1]) + 1
        raise DataError(
            f"{source_path} has {len(sources):,} lines but {target_path} has {len(targets):,}: line-aligned "
            f"files need one translation per line. The first line without a partner is {longer[0]}, line "
            f"{extra}: {longer[1][extra - 1][:80]!r}. Remove the extra lines or fix the misalignment."
        )
    return [ParallelExample(s, t, source_path, i) for i, (s, t) in enumerate(zip(sources, targets), start=1)]


def _column(value, header, role, path):
    if isinstance(value, int) or str(value).lstrip("-").isdigit():
        return int(value)
    if header is None or value not in header:
        raise DataError(
            f"{path}, line 1: no {role} column named {value!r}"
            + (f"; the header has {header}" if header else " and the file has no header row")
            + f". Set data.{role}_column to a 0-based index or a header name."
        )
    return header.index(value)


def _read_tsv(path, source_column, target_column, with_targets, text=None):
    lines = _lines(path) if text is None else [line.rstrip("\r") for line in text.split("\n")]
    rows = [(number, line.split("\t")) for number, line in enumerate(lines, start=1) if line.strip()]
    by_name = [c for c in (source_column, target_column) if not str(c).lstrip("-").isdigit()]
    header = None
    if by_name and rows:
        header = [cell.strip() for cell in rows[0][1]]
        rows = rows[1:]
    source_index = _column(source_column, header, "source", path)
    target_index = _column(target_column, header, "target", path) if with_targets else None
    needed = max(i for i in (source_index, target_index) if i is not None)
    examples = []
    for number, row in rows:
        if needed >= len(row):
            raise DataError(
                f"{path}, line {number}: {len(row)} column(s), but the source is column {source_index}"
                + (f" and the target column {target_index}" if with_targets else "")
                + ". A parallel TSV holds `source<TAB>target` (further columns are ignored); check the tabs."
            )
        target = row[target_index] if with_targets else None
        examples.append(ParallelExample(row[source_index], target, path, number))
    return examples


def _read_jsonl(path, source_column, target_column, with_targets, text=None):
    examples = []
    for number, record in json_records(path, "\n".join(_lines(path)) if text is None else text):
        roles = [("source", source_column)] + ([("target", target_column)] if with_targets else [])
        values = {}
        for role, key in roles:
            if str(key) not in record:
                raise DataError(f"{path}, line {number}: no {role} field {key!r}; the object has {sorted(record)}. "
                                 f"Set data.{role}_column to the field's name.")
            values[role] = str(record[str(key)])
        examples.append(ParallelExample(values["source"], values.get("target"), path, number))
    return examples


def _read_tfds(spec, source_column, target_column, with_targets):
    from seqtk.data.tfds_source import load_tfds_split

    dataset = load_tfds_split(spec)
    features = sorted(dataset.element_spec)
    for role, key in (("source", source_column), ("target", target_column)):
        if (role == "source" or with_targets) and str(key) not in features:
            raise DataError(f"tfds:{spec} has no {role} feature {key!r}; its features are {features} (language "
                             f"codes for translation datasets). Set data.{role}_column to one of them.")
    decode = lambda value: value.decode("utf-8") if isinstance(value, bytes) else str(value)  # noqa: E731
    return [
        ParallelExample(decode(record[str(source_column)]),
                        decode(record[str(target_column)]) if with_targets else None, f"tfds:{spec}", number)
        for number, record in enumerate(dataset.as_numpy_iterator(), start=1)
    ]


def check_pairs(examples, with_targets=True):
    """Refuses an empty sentence, naming its file and line."""
    for example in examples:
        if not example.source.strip():
            raise DataError(f"{example.location}: the source sentence is empty. Remove the line or fill it in.")
        if with_targets and not str(example.target).strip():
            raise DataError(f"{example.location}: the target sentence is empty. Remove the line or fill it in.")


def parse_parallel(path, text, file_format, source_column=0, target_column=1):
    """The pairs of `text` (a TSV or JSON lines file's content, or a piece of it), checked."""
    read = _read_jsonl if file_format == "jsonl" else _read_tsv
    examples = read(path, source_column, target_column, True, text=text)
    check_pairs(examples)
    return examples


def parallel_format(path, file_format):
    """`tsv` or `jsonl`: `file_format`, or what the file's extension says under `auto`."""
    if file_format != "auto":
        return file_format
    return "jsonl" if os.path.splitext(path)[1].lower() in (".jsonl", ".json") else "tsv"


def read_parallel(sources, file_format="auto", source_column=0, target_column=1, with_targets=True):
    """Reads sentence pairs from every source into a list of `ParallelExample`.

    A source is one of:
        - a TSV file whose columns `source_column` and `target_column` (0-based
          indices, or header names) hold the pair; further columns are ignored
          (the Tatoeba `fra.txt` layout: `English<TAB>French<TAB>attribution`);
        - a JSON lines file with the pair in the fields `source_column` and `target_column`;
        - two line-aligned files, `"train.de,train.en"` or a two-item list (Multi30k);
        - `tfds:<name>[:<split>]`, whose features `source_column` and `target_column`
          are usually language codes (`tfds:wmt14_translate/de-en` with `de`, `en`).

    Empty sentences raise a `DataError` naming the file and line; so do rows
    with too few columns and line-aligned files of different lengths.

    Example:
    >>> pairs = read_parallel(["fra.txt"], source_column=1, target_column=0)   # French -> English
    >>> pairs[0].source, pairs[0].target
    ('Va !', 'Go.')
    """
    if file_format not in FORMATS:
        raise DataError(f"data.format must be one of {FORMATS} for parallel text; received {file_format!r}.")
    sources = [sources] if isinstance(sources, str) else list(sources)
    if not sources:
        raise DataError("No parallel sources given: name a TSV, a JSON lines file, two line-aligned files or a "
                         "tfds: dataset.")
    examples = []
    for source in sources:
        pair = split_pair_source(source)
        if pair is not None:
            examples.extend(read_line_aligned(pair[0], pair[1], with_targets))
            continue
        for kind, name in resolve_sources(source):
            if kind == "tfds":
                examples.extend(_read_tfds(name, source_column, target_column, with_targets))
                continue
            read = _read_jsonl if parallel_format(name, file_format) == "jsonl" else _read_tsv
            examples.extend(read(name, source_column, target_column, with_targets))
    check_pairs(examples, with_targets)
    if not examples:
        raise DataError(f"{', '.join(map(str, sources))}: no sentence pairs. Give files with one pair per line.")
    return examples
