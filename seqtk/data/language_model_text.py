"""The text a language model trains on: plain files, or one column of labelled files, with a held-out tail."""

from seqtk.data.labeled_text import read_labeled, read_splits
from seqtk.data.text_sources import read_texts


def split_validation(named_texts, fraction):
    """Holds out the last `fraction` of the joined text (nanoGPT's split for tiny Shakespeare)."""
    if not 0 < fraction < 1:
        raise ValueError(
            f"data.validation_fraction must be in (0, 1) when no data.validation is given; received {fraction}."
        )
    joined = "".join(t if t.endswith("\n") else t + "\n" for _, t in named_texts)
    boundary = int(len(joined) * (1 - fraction))
    name = " + ".join(n for n, _ in named_texts)
    return [(name, joined[:boundary])], [(f"{name} (last {fraction:.0%})", joined[boundary:])]


def _column_texts(examples):
    """Examples as one (sources, text) pair, an example per line."""
    sources = " + ".join(dict.fromkeys(e.source for e in examples))
    return [(sources, "\n".join(e.text for e in examples) + "\n")]


def read_language_model_data(data):
    """`(named_train, named_valid)` from the data section: plain text, or one column of a labelled file."""
    if data.text_column:
        read = lambda sources: read_labeled(  # noqa: E731
            sources, data.format, text_column=data.text_column, labeled=False)
        train, valid = read_splits(read, data)
        return _column_texts(train), _column_texts(valid)
    named_train = read_texts(data.train, tfds_text_key=data.tfds_text_key)
    if data.validation:
        return named_train, read_texts(data.validation, tfds_text_key=data.tfds_text_key)
    return split_validation(named_train, data.validation_fraction)
