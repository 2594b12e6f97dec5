"""Class probabilities for many texts, and the evaluation report of a classifier on labelled texts."""

import numpy as np

from seqtk.data.classification_dataset import bucketed_order, encode_examples, label_ids, pad_batch
from seqtk.data.labeled_text import LabeledExample
from seqtk.defaults import BATCH_SIZE
from seqtk.metrics.classification import classification_report


def predict_probabilities(model, sequences, batch_size=BATCH_SIZE, pad_multiple=8):
    """`(len(sequences), num_classes)` probabilities, in the order given.

    Texts are batched by length so short ones are not padded to the longest.
    """
    probabilities = np.zeros((len(sequences), model.num_classes), dtype=np.float32)
    for indices in bucketed_order([len(s) for s in sequences], batch_size, shuffle=False):
        logits = np.asarray(model.predict_on_batch(pad_batch([sequences[i] for i in indices], pad_multiple)))
        logits = logits - logits.max(axis=-1, keepdims=True)
        exp = np.exp(logits)
        probabilities[indices] = exp / exp.sum(axis=-1, keepdims=True)
    return probabilities


def classify_texts(model, tokenizer, texts, max_length=0, truncation="head", batch_size=BATCH_SIZE, source="input"):
    """Probabilities for raw strings (one per text)."""
    examples = [LabeledExample(text, None, source, number) for number, text in enumerate(texts, start=1)]
    for example in examples:
        if not example.text.strip():
            raise ValueError(f"{example.location}: the text is empty. Give a non-empty text to classify.")
    return predict_probabilities(model, encode_examples(tokenizer, examples, max_length, truncation), batch_size)


def evaluate_classifier(model, tokenizer, examples, labels, max_length=0, truncation="head", batch_size=BATCH_SIZE):
    """`(report, probabilities)` on labelled examples; labels the model never saw raise a `ValueError`."""
    targets = label_ids(examples, labels)
    sequences = encode_examples(tokenizer, examples, max_length, truncation)
    probabilities = predict_probabilities(model, sequences, batch_size)
    report = classification_report(targets, probabilities.argmax(axis=-1), labels)
    return report, probabilities
