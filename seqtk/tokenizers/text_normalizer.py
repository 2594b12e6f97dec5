"""Text clean-up applied before tokenization, saved with the tokenizer so inference sees what training saw."""

import html
import re

from seqtk.errors import TokenizerError

# Applied in this order whatever order the user lists them in: tags go before punctuation splitting
# would tear them apart, and lowercasing first lets the contraction rules stay lowercase.
STEPS = ("strip_html", "lowercase", "zero_digits", "split_punctuation")

_TAG = re.compile(r"<[^>\n]{0,200}>")
_DIGITS = re.compile(r"\d")
_SPACES = re.compile(r"[ \t\r\f\v]+")
# Penn Treebank conventions, as in the Stanford Sentiment Treebank and GLUE SST-2 text.
_PUNCTUATION_RULES = [
    (re.compile(r'(^|(?<=[\s(\[{]))"'), " `` "),
    (re.compile(r'"'), " '' "),
    (re.compile(r"\.\.\.+"), " ... "),
    (re.compile(r"--+"), " -- "),
    (re.compile(r"([,;:@#$%&?!(){}\[\]*/=+<>|~^])"), r" \1 "),
    # A period that ends a word (not 3.5 or u.s.a) and is followed by space, a quote or the end.
    (re.compile(r"(?<![.\s])\.(?=[\s\"')\]]|$)"), " . "),
    (re.compile(r"(?i)(\w)(n't)\b"), r"\1 \2"),
    (re.compile(r"(?i)(\w)('(?:s|re|ve|ll|d|m))\b"), r"\1 \2"),
]


class TextNormalizer:
    """A fixed sequence of text clean-up steps; each line keeps its newline.

    Steps:
        strip_html: drop tags such as IMDB's `<br />` and decode entities (`&amp;` → `&`).
        lowercase: lowercase everything.
        zero_digits: every digit becomes 0 (`12.5` → `00.0`), so numbers share their word vectors (Lample
            et al. 2016's taggers; the character encoder still sees the digits).
        split_punctuation: Penn Treebank style, the tokenization of SST and PTB:
            `doesn't` → `does n't`, `it's` → `it 's`, punctuation set apart, `"x"` → `` `` x '' ``.

    A language model trained on raw reviews transfers better to a lowercased, tokenized corpus
    such as SST-2 when its text is normalized the same way; the steps are saved with the tokenizer
    so `encode` applies them at inference too.

    Example:
    >>> normalize = TextNormalizer(["strip_html", "lowercase", "split_punctuation"])
    >>> normalize('It\\'s "great"!<br />Really.')
    "it 's `` great '' ! really ."
    """

    def __init__(self, steps=()):
        steps = [steps] if isinstance(steps, str) else list(steps or ())
        unknown = [step for step in steps if step not in STEPS]
        if unknown:
            raise TokenizerError(f"unknown text normalization step(s) {unknown}; choose from {list(STEPS)}.")
        self.steps = tuple(step for step in STEPS if step in steps)

    def __bool__(self):
        return bool(self.steps)

    def __call__(self, text):
        if not self.steps:
            return text
        return "\n".join(self._line(line) for line in text.split("\n"))

    def _line(self, line):
        if "strip_html" in self.steps:
            line = html.unescape(_TAG.sub(" ", line))
        if "lowercase" in self.steps:
            line = line.lower()
        if "zero_digits" in self.steps:
            line = _DIGITS.sub("0", line)
        if "split_punctuation" in self.steps:
            for pattern, replacement in _PUNCTUATION_RULES:
                line = pattern.sub(replacement, line)
        return _SPACES.sub(" ", line).strip()
