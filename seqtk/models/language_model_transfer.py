"""Starting a model's word vectors and recurrent layers from a forward and, optionally, a backward language
model (ULMFiT's transfer, with both directions as in Peters et al. 2017): shared by the tagger and the
classifier."""

import numpy as np


def check_backward(language_model, backward):
    """Raises unless `backward` reads right to left with `language_model`'s vocabulary and sizes."""
    stack = language_model.recurrent
    if stack.bidirectional:
        raise ValueError("The language model to transfer reads in one direction; this one is bidirectional.")
    if backward is None:
        return
    other = backward.recurrent
    if (backward.vocabulary_size, backward.embedding_dim, list(other.hidden_dims), other.cell_type) != (
            language_model.vocabulary_size, language_model.embedding_dim, list(stack.hidden_dims), stack.cell_type):
        raise ValueError("The backward language model must have the forward one's vocabulary and sizes "
                         f"(vocabulary {language_model.vocabulary_size}, embedding {language_model.embedding_dim}, "
                         f"hidden {list(stack.hidden_dims)}, {stack.cell_type}).")
    if not getattr(backward, "reverse", False) or getattr(language_model, "reverse", False):
        raise ValueError("Give a forward language model and a backward one (trained with model.reverse: true), "
                         "in that order.")


def side_by_side_embeddings(language_model, backward=None):
    """The word vectors: the language model's, with the backward model's beside them (each direction of a
    bidirectional stack then reads its own model's half)."""
    embeddings = [np.asarray(language_model.embedding.embeddings)]
    if backward is not None:
        embeddings.append(np.asarray(backward.embedding.embeddings))
    return np.concatenate(embeddings, axis=1)


def transfer_recurrent_layers(stack, language_model, backward=None):
    """Sets each direction of `stack` from its language model: forward directions from `language_model`,
    backward ones from `backward` (left as initialized without it).

    A layer's kernel also reads what its language model did not have (the other model's word vectors, the
    other direction's outputs, a tagger's character features): those rows start at 0, so before training
    each transferred direction computes exactly what its language model computed.
    """
    sources = [language_model.recurrent.directions] + ([backward.recurrent.directions] if backward else [])
    for index, directions in enumerate(stack.directions):
        for side, target in enumerate(directions):
            if side >= len(sources):
                continue
            kernel, recurrent_kernel, bias = sources[side][index][0].get_weights()
            # Where the language model's inputs sit in this layer's: its own word vectors in layer 0's inputs;
            # above, its own direction's outputs (forward first).
            width = language_model.embedding_dim if index == 0 else stack.hidden_dims[index - 1]
            offset = side * width
            rows = np.zeros(target.kernel.shape, "float32")
            rows[offset: offset + kernel.shape[0]] = kernel
            target.set_weights([rows, recurrent_kernel, bias])
