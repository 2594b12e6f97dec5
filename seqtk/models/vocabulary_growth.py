"""A model with a larger vocabulary than it was trained with: new rows start as the mean of the old."""

import numpy as np


def grow_vocabulary(model, vocabulary_size):
    """A copy of `model` (a `LanguageModel` or `TextClassifier`) with `vocabulary_size` tokens.

    Every weight is copied. The weights with a vocabulary axis (the embedding, and an untied output
    layer's kernel and bias) keep their rows for the existing ids and get new ones for the added ids,
    each the mean of the existing rows (ULMFiT's choice for words the language model never saw; the
    padding row 0 is left out of the mean, as it is never trained). So for text without new tokens the
    grown model gives the base model's logits in the base model's columns. `model` is left as it was.

    Example:
    >>> grown = grow_vocabulary(language_model, tokenizer.extended(["°"]).vocabulary_size)
    >>> grown(ids)[..., :language_model.vocabulary_size]  # == language_model(ids) for ids of the old vocabulary
    """
    old_size = int(model.vocabulary_size)
    if vocabulary_size < old_size:
        raise ValueError(f"A vocabulary can only grow: the model has {old_size} tokens, {vocabulary_size} were asked.")
    if vocabulary_size == old_size:
        return model
    config = model.get_config()
    config["vocabulary_size"] = int(vocabulary_size)
    grown = type(model).from_config(config)
    grown.build((None, None))
    old_variables, new_variables = model.weights, grown.weights
    if len(old_variables) != len(new_variables):
        raise ValueError(f"{type(model).__name__} rebuilt with a larger vocabulary has other weights "
                         f"({len(new_variables)} instead of {len(old_variables)}); it cannot grow.")
    for old, new in zip(old_variables, new_variables, strict=True):
        values = np.asarray(old.numpy())
        if tuple(old.shape) != tuple(new.shape):
            values = _with_mean_rows(values, tuple(new.shape), old_size, vocabulary_size, old.path)
        new.assign(values)
    return grown


def _with_mean_rows(values, new_shape, old_size, new_size, path):
    axes = [a for a, (o, n) in enumerate(zip(values.shape, new_shape, strict=True)) if o != n]
    if len(axes) != 1 or values.shape[axes[0]] != old_size or new_shape[axes[0]] != new_size:
        raise ValueError(f"{path}: shape {values.shape} does not grow to {new_shape} along a vocabulary axis.")
    axis = axes[0]
    trained = np.delete(values, 0, axis=axis) if old_size > 1 else values
    mean = trained.mean(axis=axis, keepdims=True)
    added = np.repeat(mean, new_size - old_size, axis=axis)
    return np.concatenate([values, added], axis=axis).astype(values.dtype)
