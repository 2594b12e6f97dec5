"""Sequence-tagging metrics: token accuracy (part of speech) and entity precision/recall/F1 (named entities)."""

from seqtk.errors import DataError


def token_accuracy(gold, predicted):
    """The share of tokens whose predicted tag is the gold one, over every sentence."""
    total = correct = 0
    for number, (truth, guess) in enumerate(zip(gold, predicted, strict=True), start=1):
        if len(truth) != len(guess):
            raise DataError(f"sentence {number}: {len(truth)} gold tag(s) but {len(guess)} predicted.")
        total += len(truth)
        correct += sum(a == b for a, b in zip(truth, guess, strict=True))
    return correct / total if total else 0.0


def entity_scores(gold, predicted):
    """Entity-level precision, recall and F1, per type and micro-averaged, computed the CoNLL way.

    An entity counts only when its boundaries and type both match (`seqeval`'s default mode, which reads
    tags as the CoNLL `conlleval` script does: an `I-` after `O` or another type opens an entity). Works
    for IOB1, BIO and BIOES tags.

    Returns:
        `{"precision", "recall", "f1", "entities", "per_type": {type: {"precision", "recall", "f1",
        "support"}}}`, shares in [0, 1].

    Example:
    >>> entity_scores([["B-PER", "I-PER", "O"]], [["B-PER", "I-PER", "O"]])["f1"]
    1.0
    """
    from seqeval.metrics import classification_report, f1_score, precision_score, recall_score

    gold, predicted = [list(s) for s in gold], [list(s) for s in predicted]
    for number, (truth, guess) in enumerate(zip(gold, predicted, strict=True), start=1):
        if len(truth) != len(guess):
            raise DataError(f"sentence {number}: {len(truth)} gold tag(s) but {len(guess)} predicted.")
    report = classification_report(gold, predicted, output_dict=True, zero_division=0)
    per_type = {kind: {"precision": float(v["precision"]), "recall": float(v["recall"]),
                       "f1": float(v["f1-score"]), "support": int(v["support"])}
                for kind, v in report.items() if not kind.endswith(" avg")}
    return {
        "precision": float(precision_score(gold, predicted, zero_division=0)),
        "recall": float(recall_score(gold, predicted, zero_division=0)),
        "f1": float(f1_score(gold, predicted, zero_division=0)),
        "entities": sum(v["support"] for v in per_type.values()),
        "per_type": per_type,
    }
