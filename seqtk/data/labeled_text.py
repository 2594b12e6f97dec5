"""Labelled text: TSV, CSV, JSON lines, "label text" lines and tensorflow-datasets, with columns by name or index."""

import csv
import dataclasses
import io
import os
import sys

import numpy as np

from seqtk.data.text_sources import json_records, read_text_file, resolve_sources
from seqtk.errors import DataError

FORMATS = ("auto", "tsv", "csv", "jsonl", "label_text")
TEXT_NAMES = ("text", "sentence", "review", "content", "document")
LABEL_NAMES = ("label", "sentiment", "polarity", "class", "category")

# IMDB reviews run to 13k characters, past csv's default field limit of 128 KiB only in odd files, but a
# user's long documents should not fail on it.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclasses.dataclass(frozen=True)
class LabeledExample:
    """One text and its label (`None` for unlabelled text), with where it came from."""

    text: str
    label: object
    source: str
    line: int

    @property
    def location(self):
        return f"{self.source}, line {self.line}"


def detect_format(path, text):
    """The format a file's name or first line implies: `.tsv`, `.csv`, `.jsonl`, else tab or "label text"."""
    extension = os.path.splitext(path)[1].lower()
    if extension in (".tsv", ".csv", ".jsonl"):
        return extension[1:]
    if extension == ".json":
        return "jsonl"
    first = text.split("\n", 1)[0]
    if first.lstrip().startswith("{"):
        return "jsonl"
    return "tsv" if "\t" in first else "label_text"


def _column_index(column, header, names, role, path):
    """Resolves a column given by name, index or `"auto"` against a header (or None)."""
    if isinstance(column, int) or (isinstance(column, str) and column.lstrip("-").isdigit()):
        return int(column)
    if header is None:
        raise DataError(
            f"{path}: the {role} column is given by name ({column!r}) but the file has no header row. "
            f"Give data.{role}_column as a 0-based index instead."
        )
    lowered = [h.strip().lower() for h in header]
    wanted = names if column == "auto" else (str(column).lower(),)
    for name in wanted:
        if name in lowered:
            return lowered.index(name)
    raise DataError(
        f"{path}, line 1: no {role} column "
        + (f"named {column!r}" if column != "auto" else f"(looked for {', '.join(names)})")
        + f"; the header has {header}. Set data.{role}_column to one of those names or to an index."
    )


def _has_header(rows, text_column, label_column):
    if not rows:
        return False
    by_name = [c for c in (text_column, label_column) if isinstance(c, str) and not c.lstrip("-").isdigit()]
    if by_name:
        return True
    # Index columns with a header row: skip it when it holds a known column name.
    return any(cell.strip().lower() in TEXT_NAMES + LABEL_NAMES for cell in rows[0])


def _rows_tsv(text):
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield number, line.rstrip("\r").split("\t")


def _rows_csv(text, path):
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield start, row
            start = reader.line_num + 1
    except csv.Error as error:
        raise DataError(
            f"{path}, line {reader.line_num}: not valid CSV ({error}). Quote fields that hold commas, "
            "quotes or newlines (RFC 4180), or save the file as TSV."
        ) from None


def _read_table(path, rows, text_column, label_column, labeled, has_header=None):
    rows = list(rows)
    header = None
    if has_header is None:
        has_header = _has_header([r for _, r in rows[:1]], text_column, label_column if labeled else None)
    if has_header and rows:
        header = rows[0][1]
        rows = rows[1:]
    text_index = _column_index(text_column, header, TEXT_NAMES, "text", path)
    label_index = _column_index(label_column, header, LABEL_NAMES, "label", path) if labeled else None
    needed = max(i for i in (text_index, label_index) if i is not None)
    examples = []
    for number, row in rows:
        if needed >= len(row) or min(text_index, label_index if labeled else 0) < -len(row):
            raise DataError(
                f"{path}, line {number}: {len(row)} field(s), but the text is column {text_index}"
                + (f" and the label column {label_index}" if labeled else "")
                + ". Check the delimiter (a TSV needs tabs) and that every row has all its fields."
            )
        label = row[label_index].strip() if labeled else None
        examples.append(LabeledExample(row[text_index], label, path, number))
    return examples


def _read_jsonl(path, text, text_column, label_column, labeled):
    examples = []
    for number, record in json_records(path, text):
        values = {}
        for role, column, names in (("text", text_column, TEXT_NAMES), ("label", label_column, LABEL_NAMES)):
            if role == "label" and not labeled:
                continue
            candidates = names if column == "auto" else (str(column),)
            key = next((k for k in candidates if k in record), None)
            if key is None:
                raise DataError(
                    f"{path}, line {number}: no {role} field "
                    + (f"{column!r}" if column != "auto" else f"(looked for {', '.join(names)})")
                    + f"; the object has {sorted(record)}. Set data.{role}_column to the field's name."
                )
            values[role] = record[key]
        label = values.get("label")
        examples.append(LabeledExample(str(values["text"]), None if label is None else str(label), path, number))
    return examples


def _read_label_text(path, text, labeled):
    examples = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        # The first word is the label even when only the text is wanted (a language model reading the
        # sentences of a labelled file), so labels never leak into the text.
        label, _, body = line.strip().partition(" ")
        if not body.strip():
            raise DataError(
                f"{path}, line {number}: expected \"<label> <text>\" (the stsa.binary format); found only "
                f"{label!r}. Put the label, a space, then the text."
            )
        examples.append(LabeledExample(body, label if labeled else None, path, number))
    return examples


def read_labeled_file(path, file_format="auto", text_column="auto", label_column="auto", labeled=True):
    """Reads one file of labelled (or, with `labeled=False`, unlabelled) texts.

    Args:
        path: a TSV, CSV (RFC 4180: quoted fields may hold newlines), JSON lines
            or "label text" file (the `stsa.binary.*` format).
        file_format: one of `FORMATS`; `"auto"` goes by the extension, then the first line.
        text_column, label_column: a header name, a 0-based index, or `"auto"`
            (a column named like `text`/`sentence` and `label`/`sentiment`).
        labeled: read labels too.

    Returns:
        A list of `LabeledExample`. Empty texts raise a `ValueError` that names the line.
    """
    if file_format not in FORMATS:
        raise DataError(f"data.format must be one of {FORMATS}; received {file_format!r}.")
    text = read_text_file(path)
    if text.startswith("\ufeff"):
        text = text[1:]
    file_format = detect_format(path, text) if file_format == "auto" else file_format
    examples = parse_labeled(path, text, file_format, text_column, label_column, labeled)
    if not examples:
        raise DataError(f"{path}: no examples in the file. Give a file with one example per row.")
    return examples


def parse_labeled(path, text, file_format, text_column="auto", label_column="auto", labeled=True, has_header=None):
    """The examples of `text` (a file's content, or a piece of it) in `file_format`, checked: an empty text
    or label is an error naming the line. `has_header` (TSV, CSV) overrides the header detection."""
    if file_format == "jsonl":
        examples = _read_jsonl(path, text, text_column, label_column, labeled)
    elif file_format == "label_text":
        examples = _read_label_text(path, text, labeled)
    else:
        rows = _rows_tsv(text) if file_format == "tsv" else _rows_csv(text, path)
        examples = _read_table(path, rows, text_column, label_column, labeled, has_header)
    for example in examples:
        if not example.text.strip():
            raise DataError(f"{example.location}: the text is empty. Remove the row or fill in its text.")
        if labeled and (example.label is None or not str(example.label).strip()):
            raise DataError(f"{example.location}: the label is empty. Give every row a label.")
    return examples


def _read_tfds(spec, text_column, label_column, labeled):
    from seqtk.data.tfds_source import load_tfds_split

    dataset = load_tfds_split(spec)
    features = sorted(dataset.element_spec)
    text_key = next((k for k in TEXT_NAMES if k in features), None) if text_column == "auto" else text_column
    label_key = next((k for k in LABEL_NAMES if k in features), None) if label_column == "auto" else label_column
    for role, key in (("text", text_key), ("label", label_key)):
        if (role == "text" or labeled) and key not in features:
            raise DataError(f"tfds:{spec} has no {role} feature {key!r}; its features are {features}. "
                             f"Set data.{role}_column to one of them.")
    examples = []
    for number, record in enumerate(dataset.as_numpy_iterator(), start=1):
        value = record[text_key]
        text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
        label = None
        if labeled:
            label = record[label_key]
            label = label.decode("utf-8") if isinstance(label, bytes) else str(int(label))
        examples.append(LabeledExample(text, label, f"tfds:{spec}", number))
    return examples


def read_labeled(sources, file_format="auto", text_column="auto", label_column="auto", labeled=True):
    """Reads files, globs and `tfds:<name>[:<split>]` sources (e.g. `tfds:glue/sst2:validation`) into examples."""
    examples = []
    for kind, name in resolve_sources(sources):
        if kind == "tfds":
            examples.extend(_read_tfds(name, text_column, label_column, labeled))
        else:
            examples.extend(read_labeled_file(name, file_format, text_column, label_column, labeled))
    return examples


def split_examples(examples, fraction, seed):
    """A seeded random `(train, validation)` split; the same seed and rows give the same split.

    The language-model and classifier configs of one corpus share the seed, so a
    language model pretrained for transfer never reads the classifier's validation rows.
    """
    if not 0 < fraction < 1:
        raise DataError(
            f"data.validation_fraction must be in (0, 1) when no data.validation is given; received {fraction}."
        )
    order = np.random.RandomState(seed).permutation(len(examples))
    cut = int(round(len(examples) * fraction))
    held = set(order[:cut].tolist())
    train = [e for i, e in enumerate(examples) if i not in held]
    valid = [e for i, e in enumerate(examples) if i in held]
    return train, valid


def read_splits(read, data):
    """`(train, validation)` from a data config: `read(data.validation)` when it names sources, else a
    seeded `data.validation_fraction` of `read(data.train)` held out by `split_examples`."""
    train = read(data.train)
    if data.validation:
        return train, read(data.validation)
    return split_examples(train, data.validation_fraction, data.split_seed)
