"""Greedy decoding and hypothesis scores computed apart from the searches, step by step or by teacher forcing."""

import numpy as np

END = 2  # the word tokenizer's <eos>, which starts and ends every translation
MAX_LENGTH = 10


def reference_greedy(model, source):
    states, context = model.encode(source)
    token = np.full((source.shape[0], 1), END, "int32")
    outputs, finished = [], np.zeros(source.shape[0], bool)
    for _ in range(MAX_LENGTH):
        logits, states = model.decode(token, states, context)
        logits = np.array(logits)[:, 0]
        logits[:, 0] = -np.inf
        best = np.where(finished, 0, logits.argmax(-1))
        outputs.append(best)
        finished |= best == END
        token = best[:, None].astype("int32")
    return np.stack(outputs, 1)


def sequence_log_prob(model, source, tokens):
    """Total log-probability of each hypothesis under teacher forcing, computed apart from any search."""
    decoder_inputs = np.concatenate([np.full((len(tokens), 1), END), tokens[:, :-1]], 1).astype("int32")
    logits = np.asarray(model((source, decoder_inputs))).astype("float64")
    logits[:, :, 0] = -1e9
    log_probs = logits - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1, keepdims=True)) \
        - logits.max(-1, keepdims=True)
    picked = np.take_along_axis(log_probs, tokens[:, :, None], -1)[:, :, 0]
    return (picked * (tokens > 0)).sum(1)
