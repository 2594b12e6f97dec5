"""LanguageModelStep against the model's own call, for every cell, wiring and precision."""

import numpy as np
import pytest
import tensorflow as tf

from seqtk.generation.language_model_step import LanguageModelStep
from seqtk.models import LanguageModel

VOCABULARY = 50


def built(**config):
    model = LanguageModel(VOCABULARY, **{"embedding_dim": 24, "hidden_dim": 32, "seed": 1, **config})
    model(np.ones((1, 2), np.int32))
    # Nonzero biases and output bias, so a step that dropped one would show.
    for weight in model.weights:
        if "bias" in weight.path:
            weight.assign(np.random.default_rng(len(weight.path)).normal(0, 0.3, weight.shape).astype(np.float32))
    return model


def states_after(model, rng, batch):
    prompt = rng.integers(1, VOCABULARY, size=(batch, 6)).astype(np.int32)
    _, states = model(prompt, return_state=True, training=False)
    return states


CONFIGS = {
    "lstm": {},
    "gru": {"cell_type": "gru"},
    "simple_rnn": {"cell_type": "simple_rnn", "num_layers": 1},
    "lstm_tied_three_layers": {"num_layers": 3, "tie_weights": True},
    "gru_residual": {"cell_type": "gru", "embedding_dim": 32, "residual": True, "num_layers": 3},
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
@pytest.mark.parametrize("table_bytes", [None, 0])  # with the input table, and multiplying the embedding instead
def test_a_float32_step_is_the_model_s_call(name, table_bytes):
    model = built(**CONFIGS[name])
    rng = np.random.default_rng(0)
    states = states_after(model, rng, batch=5)
    tokens = rng.integers(1, VOCABULARY, size=5).astype(np.int32)
    step = LanguageModelStep(model) if table_bytes is None else LanguageModelStep(model, table_bytes=table_bytes)
    assert (step.table is None) == (table_bytes == 0)
    logits, new_states = step(tf.constant(tokens), states)
    expected_logits, expected_states = model(tokens[:, None], states=states, return_state=True, training=False)
    np.testing.assert_allclose(logits, expected_logits[:, 0], atol=2e-5)
    assert len(new_states) == len(expected_states)
    for state, expected in zip(new_states, expected_states, strict=True):
        np.testing.assert_allclose(state, expected, atol=2e-5)


@pytest.mark.parametrize("cell_type", ["lstm", "gru"])
def test_a_bfloat16_step_stays_within_bfloat16_round_off_and_keeps_float32_states(cell_type):
    model = built(cell_type=cell_type, num_layers=2)
    rng = np.random.default_rng(1)
    states = states_after(model, rng, batch=8)
    tokens = tf.constant(rng.integers(1, VOCABULARY, size=8).astype(np.int32))
    logits, new_states = LanguageModelStep(model, precision="bfloat16")(tokens, states)
    expected_logits, expected_states = LanguageModelStep(model)(tokens, states)
    assert logits.dtype == tf.float32 and all(state.dtype == tf.float32 for state in new_states)
    # bfloat16 keeps 8 bits of mantissa: each product is off by about 2^-8 of its size, not more.
    np.testing.assert_allclose(logits, expected_logits, atol=0.03)
    for state, expected in zip(new_states, expected_states, strict=True):
        np.testing.assert_allclose(state, expected, atol=0.03)
    assert np.abs(np.asarray(logits) - np.asarray(expected_logits)).max() > 0  # the products did run in bfloat16


def test_a_bidirectional_stack_and_an_unknown_precision_are_refused():
    model = built()
    with pytest.raises(ValueError, match="precision must be one of"):
        LanguageModelStep(model, precision="float16")
    model.recurrent.bidirectional = True
    with pytest.raises(ValueError, match="bidirectional"):
        LanguageModelStep(model)
