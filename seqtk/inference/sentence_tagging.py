"""Tagging many sentences with a trained `SequenceTagger`, and its evaluation report on gold tags."""

import collections
import time

import numpy as np
import tensorflow as tf

from seqtk.data.classification_dataset import bucketed_order
from seqtk.data.tag_schemes import convert
from seqtk.data.tagging_dataset import INPUT_SIGNATURE, pad_tagged
from seqtk.defaults import BATCH_SIZE
from seqtk.metrics.tagging import entity_scores, token_accuracy


class SentenceTagger:
    """Tags pre-split sentences in batches of similar length, decoding inside one compiled function.

    Args:
        model: a `SequenceTagger`.
        tokenizer: its `WordCharTokenizer`.
        tags: the tag names in id order (the model's `config.tags`).
        max_word_length: characters read per word (`data.max_word_length`).
        scheme: the entity scheme the model was trained in (`None` for plain tags such as part of speech).
        output_scheme: the scheme the tags are returned in (default: `scheme`).

    Example:
    >>> tagger = SentenceTagger(model, tokenizer, config.tags, 20)
    >>> tagger.tag([["Angela", "Merkel", "visited", "Paris", "."]])
    [('B-PER', 'I-PER', 'O', 'B-LOC', 'O')]
    """

    def __init__(self, model, tokenizer, tags, max_word_length, scheme=None, output_scheme=None, pad_multiple=8):
        self.model, self.tokenizer, self.tags = model, tokenizer, list(tags)
        self.max_word_length, self.pad_multiple = max_word_length, pad_multiple
        self.scheme, self.output_scheme = scheme, output_scheme or scheme
        # One trace for every batch shape: the shapes vary with sentence and word lengths.
        self._decode = tf.function(model.decode, input_signature=[INPUT_SIGNATURE], reduce_retracing=True)

    @property
    def output_tags(self):
        """The tag names `tag` can return (in `output_scheme`)."""
        if not self.scheme or self.output_scheme == self.scheme:
            return list(self.tags)
        return _tags_in(self.tags, self.scheme, self.output_scheme)

    def tag_ids(self, token_lists, batch_size=BATCH_SIZE):
        """Each sentence's tag ids (int32 arrays), in the order given."""
        encoded = [self.tokenizer.encode_tokens(tokens, self.max_word_length) for tokens in token_lists]
        results = [None] * len(encoded)
        for indices in bucketed_order([len(w) for w, _ in encoded], batch_size, shuffle=False):
            inputs = pad_tagged([encoded[i] for i in indices], self.pad_multiple)
            best = self._decode(tuple(tf.constant(x) for x in inputs)).numpy()
            for row, i in enumerate(indices):
                results[i] = best[row, : len(encoded[i][0])]
        return results

    def tag(self, token_lists, batch_size=BATCH_SIZE):
        """Each sentence's tags (a tuple of names, in `output_scheme`)."""
        token_lists = [list(tokens) for tokens in token_lists]
        if any(not tokens for tokens in token_lists):
            raise ValueError("A sentence to tag has no tokens; give one or more words.")
        tagged = []
        for ids in self.tag_ids(token_lists, batch_size):
            names = [self.tags[i] for i in ids]
            if self.scheme and self.output_scheme != self.scheme:
                names = convert(names, self.scheme, self.output_scheme)
            tagged.append(tuple(names))
        return tagged


def unknown_tags(sentences, tags):
    """`{tag: count}` of the gold tags of `sentences` that are not among `tags`, most frequent first."""
    known = set(tags)
    counts = collections.Counter(t for s in sentences for t in s.tags if t not in known)
    return dict(counts.most_common())


def format_unknown_tags(counts, sentences, tags):
    """A warning naming the unknown tags with their counts and where the first one is."""
    first = next(s for s in sentences if any(t in counts for t in s.tags))
    listed = ", ".join(f"{tag} ({n})" for tag, n in counts.items())
    return (f"Warning: {first.location} and after: tags the model was not trained on: {listed}. It never "
            f"predicts them, so those tokens count as errors. The model's tags: {', '.join(tags)}.")


def evaluate_tagger(tagger, sentences, batch_size=BATCH_SIZE, log=None):
    """The report of `tagger` (a `SentenceTagger`) on gold `sentences` (tags in its `output_scheme`).

    Token accuracy over every token, and over the tokens outside the word vocabulary; with an entity
    scheme, entity precision, recall and F1 per type and micro-averaged (the CoNLL way, `entity_scores`).
    Gold tags the model was not trained on are counted as errors and listed (`unknown_tags`).
    """
    if not sentences:
        raise ValueError("No sentences to evaluate on.")
    gold = [tuple(s.tags) for s in sentences]
    start = time.perf_counter()
    predicted = tagger.tag([s.tokens for s in sentences], batch_size)
    seconds = time.perf_counter() - start
    tokens = sum(len(g) for g in gold)
    report = {
        "sentences": len(sentences),
        "tokens": tokens,
        "accuracy": token_accuracy(gold, predicted),
        "sentences_per_second": len(sentences) / seconds,
        "tokens_per_second": tokens / seconds,
    }
    known_tags = tagger.output_tags
    unknown = unknown_tags(sentences, known_tags)
    if unknown:
        report["unknown_tags"] = unknown
        if log:
            log(format_unknown_tags(unknown, sentences, known_tags))
    unknown_id = tagger.tokenizer.unknown_id
    oov = [(g, p) for s, gs, ps in zip(sentences, gold, predicted, strict=True)
           for word, g, p in zip(tagger.tokenizer.word_ids(s.tokens), gs, ps, strict=True) if word == unknown_id]
    report["unknown_words"] = {"tokens": len(oov),
                               "accuracy": float(np.mean([g == p for g, p in oov])) if oov else 0.0}
    if tagger.scheme:
        report["entities"] = entity_scores(gold, predicted)
    return report


def _tags_in(tags, scheme, target):
    """The tag names `tags` (in `scheme`) become in `target`: the same types with `target`'s prefixes."""
    kinds = sorted({t.split("-", 1)[1] for t in tags if "-" in t})
    prefixes = {"IOB1": "BI", "BIO": "BI", "BIOES": "BIES"}[target]
    return ["O"] + [f"{p}-{k}" for k in kinds for p in prefixes]


def format_tagging_report(report):
    """The report as a terminal shows it."""
    lines = [f"accuracy {report['accuracy']:.4f} on {report['tokens']:,} tokens in {report['sentences']:,} "
             f"sentences; words outside the vocabulary {report['unknown_words']['accuracy']:.4f} on "
             f"{report['unknown_words']['tokens']:,}",
             f"{report['sentences_per_second']:,.0f} sentences/s, {report['tokens_per_second']:,.0f} tokens/s"]
    entities = report.get("entities")
    if entities:
        lines.append(f"entities: precision {entities['precision']:.4f}  recall {entities['recall']:.4f}  "
                     f"F1 {entities['f1']:.4f}  ({entities['entities']:,} gold)")
        lines.append(f"{'type':<10}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}")
        for kind, row in sorted(entities["per_type"].items()):
            lines.append(f"{kind:<10}{row['precision']:>10.4f}{row['recall']:>10.4f}{row['f1']:>10.4f}"
                         f"{row['support']:>10,}")
    if report.get("unknown_tags"):
        lines.append("gold tags the model was not trained on: " +
                     ", ".join(f"{tag} ({n})" for tag, n in report["unknown_tags"].items()))
    return "\n".join(lines)
