"""What every MODEL_CARD.md ends with; each task writes the rest of its card."""

import hashlib
import os

from seqtk.models.model_directory import CONFIG_FILE, METRICS_FILE, MODEL_FILE, read_json_file, read_yaml_file


def starting_points(directories):
    """What each saved model in `directories` (the models a run started from) was trained on and for how
    long, and what it started from in turn: recorded in the new model's metrics as `starts_from`, so its
    card can tell the whole chain (a classifier from a language model fine-tuned from another). The SHA-256
    of each one's model file tells a copy of that very model (a shipped one) from a retrained one."""
    points = []
    for directory in directories:
        # A model folder made by hand may lack either file: the chain then says less, and the run still saves.
        metrics, config = {}, {}
        if os.path.exists(os.path.join(directory, METRICS_FILE)):
            metrics = read_json_file(os.path.join(directory, METRICS_FILE), "metrics.json")
        if os.path.exists(os.path.join(directory, CONFIG_FILE)):
            config = read_yaml_file(os.path.join(directory, CONFIG_FILE))
        data = config.get("data", {})
        points.append({
            "directory": str(directory), "name": config.get("name", ""), "task": config.get("task", ""),
            "train": [str(f) for f in data.get("train") or ([data["prepared"]] if data.get("prepared") else [])],
            "training_seconds": float(metrics.get("training_seconds", 0.0)),
            "epochs_run": metrics.get("epochs_run"),
            "model_sha256": file_sha256(os.path.join(directory, MODEL_FILE)),
            "starts_from": metrics.get("starts_from", []),
        })
    return points


def file_sha256(path):
    """The SHA-256 of a file, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def chain_seconds(points):
    """Training seconds of `points` and of everything they started from."""
    return sum(p["training_seconds"] + chain_seconds(p["starts_from"]) for p in points)


def _duration(seconds):
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{max(minutes, 1)} min"


def starting_point_section(metrics):
    """Card lines on the models a run started from (`metrics["starts_from"]`), one indented line per
    model down the chain, and the training time of the whole chain; none for a model trained from scratch."""
    points = metrics.get("starts_from") or []
    if not points:
        return []

    def lines(points, depth):
        for point in points:
            epochs = f", {point['epochs_run']} epochs" if point.get("epochs_run") else ""
            yield (f"{'  ' * depth}- `{point['directory']}` ({point['name']}, {point['task']}): trained on "
                   f"{', '.join(point['train']) or 'unrecorded data'}"
                   + (f" for {_duration(point['training_seconds'])}" if point["training_seconds"] else "")
                   + epochs + (", starting from" if point["starts_from"] else ""))
            yield from lines(point["starts_from"], depth + 1)

    total = metrics.get("training_seconds", 0.0) + chain_seconds(points)
    return ["", "## Starting point", *lines(points, 0),
            f"- Training time of the whole chain, this model's included: {_duration(total)}"]


def reproduce_section(command, config, metrics):
    """The card's last lines: the models the run started from, the training data's license (`data_license`
    of the config), how the weights are stored, then the command that trained the model."""
    data_license = config.get("data_license", "")
    save_precision = config.get("save_precision", "float32")
    license_lines = ["", "## Data license", data_license.strip()] if data_license.strip() else []
    storage = ([f"Weights stored in {save_precision} (`save_precision`), half the bytes of float32; the metrics "
                "above were measured with them as stored. Loading gives float32 weights.", ""]
               if save_precision != "float32" else [])
    return starting_point_section(metrics) + license_lines + ["", "## Reproduce", "```", command, "```", "", *storage,
                            "Settings: see `config.yaml` beside this card.", ""]


def vocabulary_section(metrics, vocabularies):
    """Card lines on the vocabulary: a size smaller than asked for, growth by fine-tuning, unknown symbols.

    `vocabularies` are `(label, tokenizer settings as a mapping, size used)`; label "" for a task's only one.
    """
    lines = []
    for label, settings, size in vocabularies:
        if settings["kind"] != "char" and not settings.get("model_file") and size < settings["vocabulary_size"]:
            lines.append(f"- {label + ' v' if label else 'V'}ocabulary: {size:,} entries; tokenizer.vocabulary_size "
                         f"asked for {settings['vocabulary_size']:,}, more than the training corpus supports")
    growth = metrics.get("vocabulary_growth")
    if growth:
        shown = ", ".join(repr(s) for s in growth["added"][:20]) + (", ..." if len(growth["added"]) > 20 else "")
        lines.append(f"- Vocabulary extended from {growth['base']:,} to {growth['extended']:,} with the "
                     f"{growth['unit']} the fine-tuning corpus has at least {growth['min_count']} times: {shown}; "
                     "their rows started as the mean of the others")
    for split, count in metrics.get("unknown_symbols", {}).items():
        if count["unknown"]:
            lines.append(f"- {split.capitalize()} data: {count['unknown']:,} of {count['symbols']:,} symbols "
                         f"({count['share'] * 100:.2g}%) outside the vocabulary")
    return lines
