"""Classification metrics: accuracy, macro-F1, per-class precision and recall, the confusion matrix."""

import numpy as np


def confusion_matrix(labels, predictions, num_classes):
    """`matrix[true, predicted]` counts, for integer class ids in `[0, num_classes)`."""
    labels = np.asarray(labels, dtype=np.int64)
    predictions = np.asarray(predictions, dtype=np.int64)
    if labels.shape != predictions.shape:
        raise ValueError(f"labels and predictions differ in shape: {labels.shape} and {predictions.shape}.")
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def classification_report(labels, predictions, class_names):
    """Accuracy, macro-F1, and per-class precision, recall, F1 and support.

    A class never predicted has precision 0 (and so does its F1), as in
    scikit-learn with `zero_division=0`.

    Example:
    >>> report = classification_report([0, 1, 1], [0, 1, 0], ["neg", "pos"])
    >>> report["accuracy"], report["per_class"]["pos"]["recall"]
    (0.6666666666666666, 0.5)
    """
    class_names = [str(name) for name in class_names]
    matrix = confusion_matrix(labels, predictions, len(class_names))
    true_positive = np.diag(matrix).astype(np.float64)
    predicted = matrix.sum(axis=0)
    actual = matrix.sum(axis=1)
    precision = np.divide(true_positive, predicted, out=np.zeros_like(true_positive), where=predicted > 0)
    recall = np.divide(true_positive, actual, out=np.zeros_like(true_positive), where=actual > 0)
    denominator = precision + recall
    f1 = np.divide(2 * precision * recall, denominator, out=np.zeros_like(true_positive), where=denominator > 0)
    total = int(matrix.sum())
    return {
        "examples": total,
        "accuracy": float(true_positive.sum() / total) if total else 0.0,
        "macro_f1": float(f1.mean()),
        "per_class": {
            name: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
                   "support": int(actual[i])}
            for i, name in enumerate(class_names)
        },
        "confusion_matrix": {"labels": class_names, "rows_true_columns_predicted": matrix.tolist()},
    }


def format_report(report):
    """The report as an aligned text table, for printing."""
    names = list(report["per_class"])
    width = max(8, *(len(n) for n in names))
    lines = [
        f"examples {report['examples']}   accuracy {report['accuracy']:.4f}   macro-F1 {report['macro_f1']:.4f}",
        f"{'class':<{width}}  precision  recall      f1  support",
    ]
    for name, row in report["per_class"].items():
        lines.append(f"{name:<{width}}  {row['precision']:9.4f}  {row['recall']:6.4f}  {row['f1']:6.4f}  "
                     f"{row['support']:7d}")
    lines.append("confusion matrix (rows: true, columns: predicted)")
    lines.append(" " * width + "  " + " ".join(f"{n:>8}" for n in names))
    for name, row in zip(names, report["confusion_matrix"]["rows_true_columns_predicted"], strict=True):
        lines.append(f"{name:<{width}}  " + " ".join(f"{v:>8d}" for v in row))
    return "\n".join(lines)
