"""Real texts that calibrate int8 conversion and verify every export."""

import dataclasses
import os

from seqtk.data.labeled_text import read_labeled_file
from seqtk.data.parallel_text import read_parallel, split_pair_source
from seqtk.data.text_sources import read_text_file, resolve_sources

PLAIN_SUFFIXES = (".txt", ".text")


@dataclasses.dataclass
class ExportExamples:
    """Texts for one task: running text (language model), texts (classifier) or sources and targets."""

    texts: list
    targets: list = None
    source: str = ""
    lines: list = None  # the line of the file each text is on

    def located(self):
        """`(source, line, text)` triples, as `seqtk.tokenizers.unknown_symbols` reports them."""
        lines = self.lines or [None] * len(self.texts)
        return [(self.source, line, text) for line, text in zip(lines, self.texts, strict=True)]


def read_text_lines(path, limit=None):
    """One example per non-empty line of a plain text file (a language model's running text)."""
    numbered = _lines(path)[:limit] if limit else _lines(path)
    return _checked(ExportExamples([text for _, text in numbered], source=str(path),
                                   lines=[number for number, _ in numbered]), path)


def _plain(path):
    return os.path.splitext(str(path))[1].lower() in PLAIN_SUFFIXES and split_pair_source(str(path)) is None


def read_classifier_examples(path, data, limit=2000):
    """Texts to classify from `path`: plain lines (`.txt`), or a labelled TSV/CSV/JSON lines file read
    with the model's `data` settings (format, text column; labels are not needed)."""
    if _plain(path):
        return read_text_lines(path, limit)
    read = read_labeled_file(_one_file(path), data.format, data.text_column, data.label_column, labeled=False)
    return _checked(ExportExamples([e.text for e in read[:limit]], source=str(path),
                                   lines=[e.line for e in read[:limit]]), path)


def read_translator_examples(path, data, limit=2000):
    """Sources, with targets when present, from `path`: plain lines (`.txt`), or a parallel TSV, JSON lines
    or `src,tgt` line-aligned pair read with the model's `data` columns. A `.txt` of tab-separated pairs
    (Tatoeba's fra.txt) is read as pairs. Targets let quantized files be scored by BLEU."""
    if _plain(path) and not _tab_separated([text for _, text in _lines(path)[:100]]):
        return read_text_lines(path, limit)
    columns = (data.source_column, data.target_column)
    try:
        pairs = read_parallel([str(path)], data.format, *columns, with_targets=True)
    except ValueError:
        pairs = read_parallel([str(path)], data.format, *columns, with_targets=False)
    pairs = pairs[:limit]
    targets = [p.target for p in pairs] if all(p.target for p in pairs) else None
    return _checked(ExportExamples([p.source for p in pairs], targets, source=str(path),
                                   lines=[p.line for p in pairs]), path)


def _checked(examples, path):
    if not any(text.strip() for text in examples.texts):
        raise ValueError(
            f"{path}: no usable example in the file (every line is empty). Give a file with one "
            "example per line, or the task's own data format."
        )
    return examples


def _one_file(path):
    resolved = resolve_sources([str(path)])
    if len(resolved) != 1 or resolved[0][0] != "file":
        raise ValueError(f"{path}: give one file of examples (not a glob or a tfds: name).")
    return resolved[0][1]


def _tab_separated(lines):
    return bool(lines) and all("\t" in line for line in lines)


def _lines(path):
    """`(line number, line)` of the non-empty lines of the file."""
    return [(number, line) for number, line in enumerate(read_text_file(_one_file(path)).splitlines(), start=1)
            if line.strip()]
