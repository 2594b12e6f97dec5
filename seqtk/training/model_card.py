"""The MODEL_CARD.md written beside every trained model."""

import json


def language_model_card(config, metrics, command):
    """A short card: what the model is, what it was trained on, how, what it scored, how to reproduce."""
    model, training, data = config["model"], config["training"], config["data"]
    validation = data["validation"] or [f"last {data['validation_fraction']:.0%} of the training text"]
    train_part = "" if data["validation"] else f", first {1 - data['validation_fraction']:.0%}"
    lines = [
        f"# {config['name']}",
        "",
        f"A {model['num_layers']}-layer {model['cell_type'].upper()} language model "
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
        "",
        "## Reproduce",
        "```",
        command,
        "```",
        "",
        "Settings: see `config.yaml` beside this card.",
        "",
    ]
    return "\n".join(lines)
