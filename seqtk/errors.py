"""seqtk's own errors: what it refuses, with the file, line and fix in the message.

Each is a `ValueError`, so code that caught `ValueError` before still catches them; catching `SeqtkError`
tells seqtk's explained refusals apart from bugs.
"""


class SeqtkError(ValueError):
    """Bad input that seqtk explains: the message names where it is (file, line, key) and what to do.

    Example:
    >>> try:
    ...     read_labeled_file("reviews.tsv")
    ... except SeqtkError as error:
    ...     print(error)   # reviews.tsv, line 7: the label is empty. Give every row a label.
    """


class DataError(SeqtkError):
    """A data source that cannot be read as asked (format, encoding, empty rows, missing fields)."""


class TokenizerError(SeqtkError):
    """A tokenizer that cannot be trained, loaded or used as asked (its files, its settings, the text)."""


class ConfigError(SeqtkError):
    """A config value or key that is wrong, with the file (or `--set`) it came from."""


class ModelFolderError(SeqtkError):
    """A saved or exported model folder whose files are not what seqtk wrote (damaged or tampered with): the
    message names the file. Loading runs no code from a folder, so such a file is refused, never executed."""
