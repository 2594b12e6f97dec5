"""Reading text from files, globs, the bundled corpora and tensorflow-datasets."""

import glob
import json
import os

from seqtk.errors import DataError

BUNDLED_DIR = os.path.join(os.path.dirname(__file__), "bundled")
BUNDLED = {
    "tinyshakespeare": os.path.join(BUNDLED_DIR, "tinyshakespeare", "input.txt"),
    # Labelled: SST-2 sentences in the "label text" format (see bundled/sst2_sentences/README.md).
    "sst2_sentences_train": os.path.join(BUNDLED_DIR, "sst2_sentences", "stsa.binary.train"),
    "sst2_sentences_dev": os.path.join(BUNDLED_DIR, "sst2_sentences", "stsa.binary.dev"),
    # GLUE SST-2 dev as GLUE ships it (`sentence<TAB>label`, 872 sentences): the shipped classifier's card is
    # measured on it.
    "sst2_dev": os.path.join(BUNDLED_DIR, "sst2_sentences", "dev.tsv"),
    # Parallel: Tatoeba English<TAB>French pairs (see bundled/tatoeba_fr_en/README.md, CC-BY 2.0).
    "tatoeba_fr_en_train": os.path.join(BUNDLED_DIR, "tatoeba_fr_en", "train.tsv"),
    "tatoeba_fr_en_valid": os.path.join(BUNDLED_DIR, "tatoeba_fr_en", "valid.tsv"),
    # The whole validation split (8,255 pairs): the shipped translator's card is measured on it.
    "tatoeba_fr_en_valid_full": os.path.join(BUNDLED_DIR, "tatoeba_fr_en", "valid_full.tsv"),
    # Tagged: the first sentences of UD English EWT 2.16 train and dev, CoNLL-U (see bundled/ud_ewt_sample/
    # README.md, CC BY-SA 4.0).
    "ud_ewt_sample_train": os.path.join(BUNDLED_DIR, "ud_ewt_sample", "train.conllu"),
    "ud_ewt_sample_dev": os.path.join(BUNDLED_DIR, "ud_ewt_sample", "dev.conllu"),
    # The whole dev split (2,001 sentences): the shipped tagger's card is measured on it.
    "ud_ewt_dev": os.path.join(BUNDLED_DIR, "ud_ewt_sample", "dev_full.conllu"),
}
DATA_DIR_ENV = "SEQTK_DATA_DIR"


# Where a local copy of a tensorflow-datasets split lies under $SEQTK_DATA_DIR (docs/data.md): a named config
# says `tfds:glue/sst2:train`, and a machine that holds the file reads it instead of downloading the dataset.
LOCAL_COPIES = {
    "glue/sst2:train": "sst2/train.tsv",
    "glue/sst2:validation": "sst2/dev.tsv",
    "imdb_reviews:train": "imdb/train.csv",
    "conll2003:train": "conll2003/eng.train",
    "conll2003:dev": "conll2003/eng.testa",
    "tiny_shakespeare:train": "tinyshakespeare/input.txt",
}


def data_dir():
    """Where `{data_dir}` in a config points: $SEQTK_DATA_DIR (a development checkout's default: the data folder
    beside it)."""
    return os.environ.get(DATA_DIR_ENV, os.path.join("..", "shared", "data"))


def local_copy(spec):
    """The file under $SEQTK_DATA_DIR that holds the tensorflow-datasets split `spec` (`glue/sst2:validation`;
    no split means train), or None when the variable is unset or holds no copy (the dataset is then read
    from tensorflow-datasets, the ordinary way)."""
    root = os.environ.get(DATA_DIR_ENV)
    name, _, split = spec.partition(":")
    relative = LOCAL_COPIES.get(f"{name}:{split or 'train'}")
    path = os.path.join(root, relative) if root and relative else None
    return path if path and os.path.isfile(path) else None


def expand_data_dir(source):
    """`source` with `{data_dir}` replaced by `data_dir()`, and a `tfds:` split replaced by its local copy
    when $SEQTK_DATA_DIR holds one."""
    source = str(source)
    if source.startswith("tfds:"):
        return local_copy(source[len("tfds:"):]) or source
    return source.replace("{data_dir}", data_dir())


def resolve_sources(sources):
    """Expands a source or list of sources into (kind, name) pairs.

    A source is a path, a glob (`corpus/*.txt`), `bundled:<name>` or
    `tfds:<name>[:<split>]`; `{data_dir}` expands to `data_dir()`.
    """
    if isinstance(sources, str):
        sources = [sources]
    if not sources:
        raise DataError("No text sources given: name at least one file, glob, bundled: or tfds: source.")
    resolved = []
    for given in sources:
        source = expand_data_dir(given)
        if source.startswith("tfds:"):
            resolved.append(("tfds", source[len("tfds:"):]))
        elif source.startswith("bundled:"):
            name = source[len("bundled:"):]
            if name not in BUNDLED:
                raise DataError(f"Unknown bundled corpus {name!r}; bundled corpora are {sorted(BUNDLED)}.")
            resolved.append(("file", BUNDLED[name]))
        elif glob.has_magic(source):
            matches = sorted(glob.glob(source))
            if not matches:
                raise FileNotFoundError(f"{source}: the pattern matches no file. Check the path and the glob.")
            resolved.extend(("file", path) for path in matches)
        else:
            if not os.path.isfile(source):
                where = (f" The config names it under {{data_dir}}, which is ${DATA_DIR_ENV} "
                         f"({data_dir()}): set it to the folder that holds your copies (docs/data.md)."
                         if "{data_dir}" in str(given) else "")
                raise FileNotFoundError(
                    f"{source}: no such file. Give an existing text file, a glob, bundled:<name> "
                    f"or tfds:<name>[:<split>].{where}"
                )
            resolved.append(("file", source))
    return resolved


def files_of(sources, refusal):
    """The files that `sources` (paths, globs, `bundled:` names) name; a `tfds:` source is an error saying
    `refusal` (why this reader needs files)."""
    paths = []
    for kind, name in resolve_sources(sources):
        if kind != "file":
            raise DataError(f"tfds:{name}: {refusal}")
        paths.append(name)
    return paths


def read_text_file(path):
    """The whole file as a string, with an error that names the line of any bytes that are not UTF-8."""
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise DataError(
            f"{path}, line {line}: bytes that are not UTF-8 ({raw[error.start:error.start + 4]!r}). "
            "Convert the file to UTF-8, e.g. `iconv -f latin1 -t utf-8 in.txt > out.txt`."
        ) from None


def line_spans(path, size):
    """`(start, end, line)` byte spans of a file of about `size` bytes each, each ending after a newline (the
    last one at the file's end); `line` is the first line's number."""
    line, offset, rest = 1, 0, 0
    with open(path, "rb") as handle:
        while True:
            block = handle.read(size)
            if not block:
                break
            cut = block.rfind(b"\n") + 1
            if cut:
                yield offset, offset + rest + cut, line
                line += block[:cut].count(b"\n")  # the bytes carried over hold no newline
                offset, rest = offset + rest + cut, len(block) - cut
            else:
                rest += len(block)
        if rest:
            yield offset, offset + rest, line


def read_span(path, start, end, line, handle=None):
    """The text of bytes `[start, end)` of a UTF-8 file (a span of `line_spans`), ending with a newline."""
    if handle is None:
        with open(path, "rb") as own:
            return read_span(path, start, end, line, own)
    handle.seek(start)
    data = handle.read(end - start)
    if start == 0 and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a byte-order mark
    if not data.endswith(b"\n"):
        data += b"\n"
    return decode_utf8(data, path, line)


def text_chunks(path, size, reverse=False):
    """`(text, line)` pieces of a UTF-8 file of about `size` bytes cut after a newline (last to first when
    `reverse`), each ending with a newline: a file read piece by piece, never whole."""
    spans = list(line_spans(path, size)) if reverse else line_spans(path, size)
    with open(path, "rb") as handle:
        for start, end, line in (reversed(spans) if reverse else spans):
            yield read_span(path, start, end, line, handle), line


def decode_utf8(data, path, line):
    """`data` decoded; bytes that are not UTF-8 are an error naming the file and line (counted from `line`)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = line + data[: error.start].count(b"\n")
        raise DataError(f"{path}, line {bad}: not UTF-8 ({error.reason}). Convert the file to UTF-8 "
                        "(iconv -t utf-8).") from None


def json_records(path, text):
    """`(line number, object)` for each non-blank line of a JSON lines file; errors name the line."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{path}, line {number}: not a JSON object ({error.msg}). Write one object per line.") \
                from None
        if not isinstance(record, dict):
            raise DataError(f"{path}, line {number}: expected a JSON object per line; found {type(record).__name__}.")
        yield number, record


def read_texts(sources, tfds_text_key="text"):
    """Reads every source and returns a list of (source name, text) pairs.

    Raises a `ValueError` naming the sources when they hold no text at all.
    """
    texts = []
    for kind, name in resolve_sources(sources):
        if kind == "file":
            texts.append((name, read_text_file(name)))
        else:
            from seqtk.data.tfds_source import read_tfds_text

            texts.append((f"tfds:{name}", read_tfds_text(name, text_key=tfds_text_key)))
    if not any(text.strip() for _, text in texts):
        raise DataError(
            f"The corpus is empty: {', '.join(name for name, _ in texts)} hold no text. "
            "Give files with at least a few lines of text."
        )
    return texts


def read_corpus(sources, tfds_text_key="text"):
    """All sources joined into one string, each ending with a newline."""
    parts = []
    for _, text in read_texts(sources, tfds_text_key=tfds_text_key):
        parts.append(text if text.endswith("\n") else text + "\n")
    return "".join(parts)
