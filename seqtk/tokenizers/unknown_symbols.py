"""Symbols outside a tokenizer's vocabulary: counted, reported, refused under `--strict`.

A model reads what its vocabulary lacks as its unknown symbol (`<unk>`), or leaves it out when it has
none (character models saved before seqtk gave them one). Every command that reads text counts those
symbols and says how many, what share and which ones; a source whose share passes the threshold gets a
warning with the remedy, and `strict` turns the first unknown symbol into an error naming file and line.
Commands set the policy once (`unknown_symbol_policy`); the code that reads text calls `report_unknown`.
"""

import collections
import contextlib
import contextvars
import dataclasses
import sys

from seqtk.defaults import UNKNOWN_WARNING
from seqtk.errors import TokenizerError

DEFAULT_THRESHOLD = UNKNOWN_WARNING
SHOWN = 8  # how many of the most frequent unknown symbols a report names


def _stderr(message):
    print(message, file=sys.stderr)


@dataclasses.dataclass(frozen=True)
class UnknownSymbolPolicy:
    """How commands treat symbols outside the vocabulary.

    Args:
        strict: an unknown symbol is an error (naming file and line) instead of `<unk>`.
        threshold: warn about a source when more than this share of its symbols is unknown.
        log: where reports go (standard error by default, so they stay apart from a command's output).
    """

    strict: bool = False
    threshold: float = DEFAULT_THRESHOLD
    log: object = _stderr


_POLICY = contextvars.ContextVar("seqtk_unknown_symbol_policy", default=UnknownSymbolPolicy())


@contextlib.contextmanager
def unknown_symbol_policy(strict=False, threshold=DEFAULT_THRESHOLD, log=None):
    """Sets the policy for the code run inside, e.g. a command or a training run.

    Example:
    >>> with unknown_symbol_policy(strict=True):
    ...     report_unknown(tokenizer, [("notes.txt", None, "°C")], "input")
    Traceback (most recent call last):
    ValueError: notes.txt, line 1: Characters ['°'] are not in this model's vocabulary of 65 characters; ...
    """
    if not 0 <= threshold <= 1:
        raise TokenizerError(f"The unknown-symbol warning threshold is a share between 0 and 1; received {threshold}.")
    token = _POLICY.set(UnknownSymbolPolicy(bool(strict), float(threshold), log or _stderr))
    try:
        yield _POLICY.get()
    finally:
        _POLICY.reset(token)


def current_policy():
    return _POLICY.get()


@dataclasses.dataclass
class UnknownCount:
    """Symbols read and those outside the vocabulary, over all texts and per source."""

    symbols: int = 0
    unknown: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    by_source: dict = dataclasses.field(default_factory=dict)  # source -> [symbols, unknown]

    @property
    def unknown_total(self):
        return sum(self.unknown.values())

    @property
    def share(self):
        return self.unknown_total / self.symbols if self.symbols else 0.0

    def to_dict(self):
        return {"symbols": self.symbols, "unknown": self.unknown_total, "share": round(self.share, 6),
                "most_frequent": {s: n for s, n in self.unknown.most_common(SHOWN)}}


def count_unknown(tokenizer, located_texts):
    """An `UnknownCount` of `located_texts`: `(source, line, text)` triples. `line` is None for a whole
    file, or for one text whose `source` already says where it is (`"reviews.txt, line 7"`)."""
    count = UnknownCount()
    for source, _, text in located_texts:
        symbols, unknown = tokenizer.unknown_symbols(text)
        count.symbols += symbols
        count.unknown.update(unknown)
        totals = count.by_source.setdefault(source, [0, 0])
        totals[0] += symbols
        totals[1] += sum(unknown.values())
    return count


def _shown(symbols):
    return ", ".join(f"{s!r} ×{n:,}" for s, n in symbols.most_common(SHOWN))


def _strict_error(tokenizer, located_texts):
    for source, line, text in located_texts:
        _, unknown = tokenizer.unknown_symbols(text)
        if not unknown:
            continue
        if line is None and "\n" in text.rstrip("\n"):  # a whole file: find the first line that has one
            for number, row in enumerate(text.split("\n"), start=1):
                found = tokenizer.unknown_symbols(row)[1]
                if found:
                    line, unknown = number, found
                    break
        where = f"{source}, line {line}" if line is not None else str(source)
        unit = tokenizer.symbol_name.capitalize()
        return ValueError(
            f"{where}: {unit} {sorted(unknown)} are not in this model's vocabulary ({tokenizer.vocabulary_size} ids). "
            "--strict (training.strict_vocabulary) makes this an error; without it they are read as <unk> (left "
            "out by a model without one). Remove them, fine-tune with --extend-vocabulary, or train a model on a "
            "corpus that has them.")
    return None


def report_unknown(tokenizer, located_texts, what, corpus=False):
    """Counts the unknown symbols of `located_texts` and reports them under the current policy.

    Args:
        tokenizer: the tokenizer that will encode the texts.
        located_texts: `(source, line, text)` triples; `line` is None when `text` is a whole file.
        what: what the texts are, for the report (`"Training data"`, `"Prompt"`).
        corpus: the texts are data files (training, evaluation, calibration): the report is given even when
            nothing is unknown, and each file over the threshold gets its own warning. Otherwise (prompts,
            texts to classify) only unknown symbols are reported, with one warning for all the texts.

    Returns:
        the `UnknownCount`. Raises `ValueError` naming the first file and line with an unknown symbol
        when the policy is strict.
    """
    policy = current_policy()
    located_texts = list(located_texts)
    count = count_unknown(tokenizer, located_texts)
    if count.unknown and policy.strict:
        raise _strict_error(tokenizer, located_texts)
    unit = tokenizer.symbol_name
    if count.unknown:
        fate = ("read as <unk>" if tokenizer.unknown_id is not None
                else "left out (this model has no unknown symbol)")
        policy.log(f"{what}: {count.unknown_total:,} of {count.symbols:,} {unit} ({count.share:.2%}) are not in the "
                   f"vocabulary and are {fate}; most frequent: {_shown(count.unknown)}.")
    elif corpus and count.symbols:
        policy.log(f"{what}: all {count.symbols:,} {unit} are in the vocabulary.")
    totals = count.by_source.items() if corpus else [(what, (count.symbols, count.unknown_total))]
    for source, (symbols, unknown) in totals:
        if not symbols or unknown / symbols <= policy.threshold:
            continue
        fate = "reads as <unk>" if tokenizer.unknown_id is not None else "leaves out"
        remedy = getattr(tokenizer, "unknown_remedy", None) or (
            "Fine-tune with --extend-vocabulary to add them, or train a model from scratch on this corpus."
            if corpus else "Fine-tune the model on text like it (--extend-vocabulary adds the symbols).")
        if unknown == symbols:
            policy.log(f"Warning: {source}: none of its {symbols:,} {unit} are in this model's vocabulary, so the "
                       f"model {fate} all of it. {remedy}")
        else:
            policy.log(f"Warning: {source}: {unknown / symbols:.1%} of its {unit} are not in this model's vocabulary "
                       f"(more than the {policy.threshold:.0%} threshold), and the model {fate} them. {remedy}")
    return count


def new_symbols(count, min_count):
    """The symbols of an `UnknownCount` seen at least `min_count` times, most frequent first: what a
    fine-tuned model's vocabulary grows by."""
    return [s for s, n in sorted(count.unknown.items(), key=lambda item: (-item[1], item[0])) if n >= min_count]


def located(texts, locations):
    """`(location, None, text)` triples of texts given one by one (`"reviews.txt, line 7"`, `"argument 2"`)."""
    return [(where, None, text) for where, text in zip(locations, texts, strict=True)]
