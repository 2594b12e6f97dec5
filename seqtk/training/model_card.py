"""The MODEL_CARD.md written beside every trained model."""

import json


def _reproduce(command):
    return ["", "## Reproduce", "```", command, "```", "", "Settings: see `config.yaml` beside this card.", ""]


def language_model_card(config, metrics, command):
    """A short card: what the model is, what it was trained on, how, what it scored, how to reproduce."""
    model, training, data = config["model"], config["training"], config["data"]
    validation = data["validation"] or [f"last {data['validation_fraction']:.0%} of the training text"]
    train_part = "" if data["validation"] else f", first {1 - data['validation_fraction']:.0%}"
    lines = [
        f"# {config['name']}",
        "",
        f"A {'backward (right-to-left) ' if model.get('reverse') else ''}{model['num_layers']}-layer "
        f"{model['cell_type'].upper()} language model "
        f"({config['tokenizer']['kind']} tokens, vocabulary {metrics['vocabulary_size']}, "
        f"{metrics['parameters']:,} parameters), trained with seqtk.",
        "",
        "## Data",
        f"- Train: {', '.join(map(str, data['train']))}{train_part} ({metrics['train_tokens']:,} tokens)",
        f"- Validation: {', '.join(map(str, validation))} ({metrics['validation']['tokens']:,} tokens scored)",
        "",
        "## Training",
        f"- Pipeline `{training['pipeline']}`, batch {training['batch_size']}, BPTT {training['sequence_length']}, "
        f"optimizer {training['optimizer']} lr {training['learning_rate']}, clip {training['clipnorm']}",
        f"- Epochs run: {metrics['epochs_run']}, training time {metrics['training_seconds']:.0f} s "
        f"({metrics['train_tokens_per_second']:.0f} tokens/s) on {metrics['machine']}",
        "",
        "## Validation metrics (whole stream, carried state)",
        "```json",
        json.dumps(metrics["validation"], indent=2),
        "```",
    ]
    return "\n".join(lines + _reproduce(command))


def classifier_card(config, metrics, command):
    """The card of a text classifier: architecture, data, transfer, training, validation report."""
    from seqtk.metrics.classification import format_report

    model, training, data = config["model"], config["training"], config["data"]
    validation = data["validation"] or [
        f"{data['validation_fraction']:.0%} of the training rows held out (split seed {data['split_seed']})"]
    direction = ("bidirectional " if model["bidirectional"] else
                 "right-to-left " if model.get("reverse") else "")
    transfer = (f"- Transfer: embedding and recurrent layers from the language model `{config['init_from']}` "
                f"(ULMFiT); discriminative decay {training['discriminative_decay']}, gradual unfreezing "
                f"{training['gradual_unfreezing']}, schedule {training['lr_schedule']}"
                if config["init_from"] else "- Trained from scratch")
    lines = [
        f"# {config['name']}",
        "",
        f"A {direction}{model['num_layers']}-layer {model['cell_type'].upper()} text classifier with "
        f"{model['pooling']} pooling ({config['tokenizer']['kind']} tokens, vocabulary "
        f"{metrics['vocabulary_size']}, {metrics['parameters']:,} parameters), trained with seqtk.",
        f"Labels, in output order: {', '.join(config['labels'])}.",
        "",
        "## Data",
        f"- Train: {', '.join(map(str, data['train']))} ({metrics['train_examples']:,} texts)",
        f"- Validation: {', '.join(map(str, validation))} ({metrics['validation']['examples']:,} texts)",
        f"- Texts cut to {data['max_length'] or 'unlimited'} tokens ({data['truncation']})",
        "",
        "## Training",
        transfer,
        f"- Batch {training['batch_size']}, optimizer {training['optimizer']} lr {training['learning_rate']}, "
        f"clip {training['clipnorm']}",
        f"- Epochs run: {metrics['epochs_run']}, training time {metrics['training_seconds']:.0f} s on "
        f"{metrics['machine']}",
        "",
        "## Validation",
        "```",
        format_report(metrics["validation"]),
        "```",
    ]
    return "\n".join(lines + _reproduce(command))


def translator_card(config, metrics, command):
    """The card of a translator: architecture, languages, data, training, validation BLEU and chrF."""
    model, training, data = config["model"], config["training"], config["data"]
    languages = (f"{data['source_language']} → {data['target_language']} "
                 if data["source_language"] and data["target_language"] else "")
    validation = data["validation"] or [
        f"{data['validation_fraction']:.0%} of the training pairs held out (split seed {data['split_seed']})"]
    options = [name for name, on in (("bidirectional encoder", model["bidirectional"]),
                                     ("reversed source", model["reverse_source"]),
                                     ("context fed to every decoder step", model["context_feeding"]),
                                     ("tied decoder embeddings", model["tie_embeddings"])) if on]
    tokenizer = config["tokenizer"]
    kinds = (f"one joint {tokenizer['source']['kind']} tokenizer" if tokenizer["joint"] else
             f"{tokenizer['source']['kind']} / {tokenizer['target']['kind']} tokenizers")
    rows = ["| decoding | BLEU | chrF | sentences/s |", "|---|---|---|---|"]
    for name, report in metrics["validation"].items():
        rows.append(f"| {name} | {report['bleu']:.2f} | {report['chrf']:.2f} | {report['sentences_per_second']:.0f} |")
    lines = [
        f"# {config['name']}",
        "",
        f"An attention-free {languages}encoder-decoder: {model['num_layers']}-layer {model['cell_type'].upper()}s "
        f"of {model['hidden_dim']} units" + (f" ({', '.join(options)})" if options else "")
        + f"; {kinds}, vocabulary {metrics['source_vocabulary_size']} / {metrics['target_vocabulary_size']}, "
        f"{metrics['parameters']:,} parameters. Trained with seqtk.",
        "",
        "## Data",
        f"- Train: {', '.join(map(str, data['train']))} ({metrics['train_pairs']:,} pairs; "
        f"{metrics['dropped_pairs']:,} over {data['max_source_length']}/{data['max_target_length']} tokens left out)",
        f"- Validation: {', '.join(map(str, validation))}",
        "",
        "## Training",
        f"- Teacher forcing, batch {training['batch_size']}, optimizer {training['optimizer']} lr "
        f"{training['learning_rate']}, clip {training['clipnorm']}, label smoothing {training['label_smoothing']}",
        f"- Epochs run: {metrics['epochs_run']}, training time {metrics['training_seconds']:.0f} s on "
        f"{metrics['machine']}; best epoch by {training['monitor']}",
        "",
        "## Validation (sacrebleu, detokenized text)",
        *rows,
        "",
        f"BLEU signature: `{next(iter(metrics['validation'].values()))['bleu_signature']}`",
    ]
    return "\n".join(lines + _reproduce(command))
