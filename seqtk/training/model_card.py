"""What every MODEL_CARD.md ends with; each task writes the rest of its card."""


def reproduce_section(command, data_license="", save_precision="float32"):
    """The card's last lines: the training data's license (`data_license` of the config), how the weights are
    stored, then the command that trained the model."""
    license_lines = ["", "## Data license", data_license.strip()] if data_license.strip() else []
    storage = ([f"Weights stored in {save_precision} (`save_precision`), half the bytes of float32; the metrics "
                "above were measured with them as stored. Loading gives float32 weights.", ""]
               if save_precision != "float32" else [])
    return license_lines + ["", "## Reproduce", "```", command, "```", "", *storage,
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
