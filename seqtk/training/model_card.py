"""What every MODEL_CARD.md ends with; each task writes the rest of its card."""


def reproduce_section(command):
    """The card's last lines: the command that trained the model."""
    return ["", "## Reproduce", "```", command, "```", "", "Settings: see `config.yaml` beside this card.", ""]
