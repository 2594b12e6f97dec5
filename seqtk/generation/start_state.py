"""The state a language model starts generating from: primed on its training text, recorded with the model."""

import numpy as np

PRIMING_TOKENS = 1000


def priming_window(token_ids, newline_id, length=PRIMING_TOKENS):
    """The last `length` tokens of `token_ids` that end just after a line break.

    A blank line (two line breaks) is preferred, since that is where a new piece of text starts (a speech, a
    paragraph, a document); failing that, one line break; failing that, the last `length` tokens.
    """
    ids = np.asarray(token_ids).reshape(-1)
    if len(ids) == 0:
        raise ValueError("Priming a start state needs at least one token of text.")
    tail = ids[-2 * length:]
    breaks = np.flatnonzero(tail == newline_id)
    blank = breaks[1:][np.diff(breaks) == 1] if len(breaks) > 1 else breaks[:0]
    for candidates in (blank, breaks):
        usable = candidates[candidates >= min(length, len(tail)) // 2]
        if len(usable):
            end = int(usable[-1]) + 1
            return tail[max(0, end - length):end]
    return tail[-length:]


def prime_start_state(model, token_ids, newline_id, length=PRIMING_TOKENS):
    """Reads the end of `token_ids` (in the model's reading order) from the zero state and records the
    final state as the model's start state (`LanguageModel.start_states`); returns the priming ids.

    A model trained with carried state rarely sees a zero state; this gives generation a state the model
    has been in, at the start of a line, so a prompt reads as it does in running text.

    Example:
    >>> prime_start_state(model, train_ids, tokenizer.newline_id)
    """
    window = priming_window(token_ids, newline_id, length)
    _, states = model(np.asarray(window, dtype=np.int32)[None], return_state=True, training=False)
    model.set_start_states([np.asarray(state)[0] for state in states])
    return window
