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


def read_export_examples(path, task, data_config=None, limit=2000):
    """Reads up to `limit` examples from `path` for `task`.

    A plain text file (`.txt`, or any file of a language model) is one example per line. Otherwise the
    file is read in the task's own format with the model's column settings: a labelled TSV/CSV/JSON lines
    file for a classifier (labels are not needed), a parallel TSV, JSON lines or `src,tgt` line-aligned
    pair for a translator (targets, when present, let quantized files be scored by BLEU).

    Raises:
        ValueError: the file holds no usable example; the message names it and says what to give.
    """
    data_config = data_config or {}
    plain = os.path.splitext(str(path))[1].lower() in PLAIN_SUFFIXES and split_pair_source(str(path)) is None
    if plain and task == "translator" and _tab_separated(_lines(path)[:100]):
        plain = False  # tab-separated pairs in a .txt, as Tatoeba's fra.txt: read with the model's columns
    if task == "language_model" or (plain and task != "translator"):
        texts = _lines(path)
        examples = ExportExamples(texts[:limit] if task != "language_model" else texts, source=str(path))
    elif task == "classifier":
        read = read_labeled_file(
            _one_file(path),
            data_config.get("format", "auto"),
            data_config.get("text_column", "auto"),
            data_config.get("label_column", "auto"),
            labeled=False,
        )
        examples = ExportExamples([e.text for e in read[:limit]], source=str(path))
    elif plain:
        examples = ExportExamples(_lines(path)[:limit], source=str(path))
    else:
        columns = (data_config.get("source_column", 0), data_config.get("target_column", 1))
        try:
            pairs = read_parallel([str(path)], data_config.get("format", "auto"), *columns, with_targets=True)
        except ValueError:
            pairs = read_parallel(
                [str(path)], data_config.get("format", "auto"), *columns, with_targets=False
            )
        pairs = pairs[:limit]
        targets = [p.target for p in pairs] if all(p.target for p in pairs) else None
        examples = ExportExamples([p.source for p in pairs], targets, source=str(path))
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
    return [line for line in read_text_file(_one_file(path)).splitlines() if line.strip()]
