"""Tagged sentences (one tag per token): CoNLL-U, CoNLL-2003-style column files and JSON lines."""

import dataclasses
import os

from seqtk.data.labeled_text import read_splits
from seqtk.data.tag_schemes import detect_scheme, model_scheme, rewrite_schemes
from seqtk.data.text_sources import expand_data_dir, files_of, json_records, read_text_file
from seqtk.errors import ConfigError, DataError

FORMATS = ("auto", "conllu", "conll", "jsonl")
# CoNLL-U's ten columns (https://universaldependencies.org/format.html).
CONLLU_COLUMNS = ("id", "form", "lemma", "upos", "xpos", "feats", "head", "deprel", "deps", "misc")


@dataclasses.dataclass(frozen=True)
class TaggedSentence:
    """A sentence's tokens and their tags (`None` for untagged text), with the file and first line it came from."""

    tokens: tuple
    tags: tuple
    source: str
    line: int

    @property
    def location(self):
        return f"{self.source}, line {self.line}"


def _sentences(path, text):
    """`(first line, [(line number, line)])` for each block of non-blank lines."""
    block, first = [], None
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line.strip():
            if not block:
                first = number
            block.append((number, line))
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def read_conllu(path, tag_column="upos"):
    """The sentences of a CoNLL-U file, tagged with `tag_column` (a column name such as `upos`, `xpos` or
    `deprel`, or a 0-based index).

    As Universal Dependencies specifies: comment lines (`#`) are skipped; a multiword token's range line
    (`3-4 don't`) is skipped, its syntactic words (`do`, `n't`) are the tokens; empty nodes (`8.1`, enhanced
    graphs only) are skipped. A line without ten tab-separated columns, or an `_` in the tag column, is an
    error naming the file and line.
    """
    column = _conllu_column(tag_column, path)
    text = read_text_file(path).lstrip("\ufeff")
    sentences = []
    for first, block in _sentences(path, text):
        tokens, tags = [], []
        for number, line in block:
            if line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 10:
                raise DataError(f"{path}, line {number}: {len(fields)} tab-separated column(s); a CoNLL-U word "
                                "line has 10 (ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC).")
            if "-" in fields[0] or "." in fields[0]:
                continue  # a multiword token's surface form, or an empty node
            if fields[column] == "_":
                raise DataError(f"{path}, line {number}: no {CONLLU_COLUMNS[column].upper()} (the column holds "
                                "'_'); choose another data.tag_column.")
            tokens.append(fields[1])
            tags.append(fields[column])
        if tokens:
            sentences.append(TaggedSentence(tuple(tokens), tuple(tags), path, first))
    return sentences


def _conllu_column(tag_column, path):
    if isinstance(tag_column, int) or str(tag_column).isdigit():
        index = int(tag_column)
    elif str(tag_column).lower() in ("auto", *CONLLU_COLUMNS):
        index = CONLLU_COLUMNS.index("upos" if str(tag_column).lower() == "auto" else str(tag_column).lower())
    else:
        raise DataError(f"{path}: data.tag_column {tag_column!r} is no CoNLL-U column; give one of "
                        f"{', '.join(CONLLU_COLUMNS)} or a 0-based index.")
    if not 2 <= index < 10:
        raise DataError(f"{path}: data.tag_column {tag_column!r} is the ID or FORM column; choose a tag column "
                        "(upos, xpos, ...).")
    return index


def read_conll_columns(path, tag_column=-1, word_column=0):
    """The sentences of a CoNLL-2003-style file: whitespace-separated columns, one token per line, blank lines
    between sentences, `-DOCSTART-` lines skipped; the word in `word_column` and the tag in `tag_column`
    (0-based; -1 the last)."""
    text = read_text_file(path).lstrip("\ufeff")
    sentences = []
    for first, block in _sentences(path, text):
        tokens, tags = [], []
        for number, line in block:
            fields = line.split()
            if fields[0] == "-DOCSTART-":
                continue
            needed = max(word_column, tag_column if tag_column >= 0 else -tag_column - 1)
            if len(fields) <= needed or len(fields) < 2:
                raise DataError(f"{path}, line {number}: {len(fields)} column(s), but the word is column "
                                f"{word_column} and the tag column {tag_column}. A CoNLL column file holds a "
                                "token and its tags on each line (`EU NNP I-NP I-ORG`), blank lines between "
                                "sentences.")
            tokens.append(fields[word_column])
            tags.append(fields[tag_column])
        if tokens:
            sentences.append(TaggedSentence(tuple(tokens), tuple(tags), path, first))
    return sentences


def read_tagged_jsonl(path, tokens_key="tokens", tags_key="tags"):
    """The sentences of a JSON lines file of `{"tokens": [...], "tags": [...]}` objects."""
    text = read_text_file(path).lstrip("\ufeff")
    sentences = []
    for number, record in json_records(path, text):
        if not isinstance(record.get(tokens_key), list) or not isinstance(record.get(tags_key), list):
            raise DataError(f"{path}, line {number}: expected an object with lists {tokens_key!r} and "
                            f"{tags_key!r}, e.g. {{\"{tokens_key}\": [\"Paris\"], \"{tags_key}\": [\"B-LOC\"]}}.")
        tokens, tags = record[tokens_key], record[tags_key]
        if len(tokens) != len(tags):
            raise DataError(f"{path}, line {number}: {len(tokens)} token(s) but {len(tags)} tag(s); give one tag "
                            "per token.")
        if tokens:
            sentences.append(TaggedSentence(tuple(map(str, tokens)), tuple(map(str, tags)), path, number))
    return sentences


def read_tfds_tagged(spec, tag_column="auto"):
    """The sentences of a tensorflow-datasets split with `tokens` and a sequence of class labels
    (`tfds:conll2003` has `ner`, `pos` and `chunks`; `auto` takes `ner`), tags by their class names."""
    try:
        import tensorflow_datasets as tfds
    except ImportError:
        raise ImportError("tfds: sources need tensorflow-datasets: pip install tensorflow-datasets") from None
    from seqtk.data.tfds_source import parse_tfds_name

    name, split = parse_tfds_name(spec)
    dataset, info = tfds.load(name, split=split, shuffle_files=False, with_info=True)
    features = info.features
    key = "ner" if tag_column == "auto" else str(tag_column)
    labels = getattr(getattr(features[key], "feature", None), "names", None) if key in features else None
    if "tokens" not in features or labels is None:
        raise DataError(f"tfds:{spec} has no `tokens` and class-label sequence {key!r}; its features are "
                        f"{sorted(features)}. Set data.tag_column to one of them.")
    sentences = []
    for number, example in enumerate(dataset.as_numpy_iterator(), start=1):
        tokens = tuple(t.decode("utf-8") if isinstance(t, bytes) else str(t) for t in example["tokens"])
        if len(tokens) != len(example[key]):
            raise DataError(f"tfds:{spec}, example {number}: {len(tokens)} token(s) but {len(example[key])} "
                            f"{key} tag(s).")
        if tokens:
            sentences.append(TaggedSentence(tokens, tuple(labels[int(i)] for i in example[key]), f"tfds:{spec}",
                                            number))
    return sentences


def kind_of_extension(path):
    """The tagged format a file's extension names (`conllu`, `jsonl`), or None."""
    return {".conllu": "conllu", ".jsonl": "jsonl", ".json": "jsonl"}.get(os.path.splitext(str(path))[1].lower())


def read_tagged(sources, file_format="auto", tag_column="auto"):
    """Tagged sentences from files, globs and `tfds:<name>[:<split>]`: `.conllu` files are CoNLL-U,
    `.jsonl`/`.json` JSON lines, any other a CoNLL column file (tag in the last column unless `tag_column`
    says otherwise)."""
    if file_format not in FORMATS:
        raise DataError(f"data.format must be one of {FORMATS} for tagged text; received {file_format!r}.")
    sources = [expand_data_dir(s) for s in ([sources] if isinstance(sources, str) else sources)]
    sentences = []
    for source in [s for s in sources if str(s).startswith("tfds:")]:
        sentences.extend(read_tfds_tagged(str(source)[len("tfds:"):], tag_column))
    files = [s for s in sources if not str(s).startswith("tfds:")]
    for path in (files_of(files, "") if files else []):
        kind = file_format
        if kind == "auto":
            kind = kind_of_extension(path) or "conll"
        if kind == "conllu":
            sentences.extend(read_conllu(path, tag_column))
        elif kind == "jsonl":
            sentences.extend(read_tagged_jsonl(path))
        else:
            column = str(tag_column)
            if column != "auto" and not column.lstrip("-").isdigit():
                raise DataError(f"{path}: a CoNLL column file has no header; give data.tag_column as a 0-based "
                                f"index (-1 for the last column), not {tag_column!r}.")
            sentences.extend(read_conll_columns(path, -1 if column == "auto" else int(column)))
    if not sentences:
        raise DataError(f"{', '.join(map(str, sources))}: no tagged sentences. Give CoNLL-U, CoNLL column or JSON "
                        "lines files.")
    return sentences


def read_tagging_data(data, log=print):
    """`(train, validation, scheme)`: tagged sentences from a `TaggerDataConfig`, tags in the model's scheme,
    and the files' scheme (`data.scheme`, or read from the training tags when it is `auto`)."""
    read = lambda sources: read_tagged(sources, data.format, data.tag_column)  # noqa: E731
    train, valid = read_splits(read, data)
    scheme = data.scheme
    if scheme == "auto":
        scheme = detect_scheme(s.tags for s in train)
        log(f"Tag scheme: {scheme}" + (" (plain tags)" if scheme == "none" else " (entity tags)") +
            ", read from the training tags; set data.scheme to say otherwise.")
    data = dataclasses.replace(data, scheme=scheme)
    target = model_scheme(data)
    if target is None:
        if data.train_scheme != "same" or data.output_scheme != "same":
            raise ConfigError(f"data.train_scheme and data.output_scheme convert entity tags; the tags of "
                              f"{train[0].location} are plain tags (data.scheme none). Leave them at same.")
        return train, valid, scheme
    return (rewrite_schemes(train, scheme, target, data.strict_scheme, log),
            rewrite_schemes(valid, scheme, target, data.strict_scheme, log), scheme)
