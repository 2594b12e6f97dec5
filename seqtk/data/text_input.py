"""Texts to use a model on, from the command line: arguments, a file, or standard input."""

import dataclasses
import sys

from seqtk.data.text_sources import read_text_file
from seqtk.errors import DataError


@dataclasses.dataclass
class InputTexts:
    """Texts with where each came from (`argument 2`, `reviews.txt, line 7`) and a name for them all."""

    texts: list
    locations: list
    source: str


def read_input_texts(texts=(), input_path=None, stdin=None, verb="use", nouns="texts"):
    """The texts given as arguments, then those of `input_path` (one per line; `-` reads standard input),
    or, with neither, the lines piped to standard input. Blank lines are skipped.

    Raises a `DataError` that says how to give texts when there are none.
    """
    stdin = sys.stdin if stdin is None else stdin
    texts = list(texts)
    locations = [f"argument {i}" for i in range(1, len(texts) + 1)]
    from_stdin = input_path == "-" or (not input_path and not texts and not stdin.isatty())
    source = "argument"
    if input_path or from_stdin:
        name = "standard input" if from_stdin else input_path
        content = stdin.read() if from_stdin else read_text_file(input_path)
        numbered = [(number, line) for number, line in enumerate(content.split("\n"), start=1) if line.strip()]
        source = "input" if texts else name
        texts += [line for _, line in numbered]
        locations += [f"{name}, line {number}" for number, _ in numbered]
    if not texts:
        raise DataError(f"Nothing to {verb}: give {nouns} as arguments, a file with --input, or lines on "
                         "standard input.")
    return InputTexts(texts, locations, source)
