import numpy as np
import pytest
import tensorflow as tf
from export_models import converted, language_model, runner

from seqtk.export.language_model_export import LanguageModelExport
from seqtk.export.state_signatures import operator_names


def keras_logits(model, ids, states):
    logits, final_states = model(tf.constant(ids), states=[tf.constant(s) for s in states], return_state=True)
    return np.asarray(logits)[:, -1], [np.asarray(s) for s in final_states]


class LanguageModelExportTest:
    @pytest.mark.parametrize(
        "cell_type,tie_weights", [("lstm", False), ("lstm", True), ("gru", False), ("simple_rnn", True)]
    )
    def test_prefill_then_steps_match_keras_and_carry_every_state(self, cell_type, tie_weights):
        model = language_model(cell_type, tie_weights=tie_weights)
        export = LanguageModelExport(model)
        model_bytes = converted(export)
        lite = runner(model_bytes, export)
        names = export.state_names
        rng = np.random.default_rng(0)
        for length in (1, 5, 8, 13):  # the fused LSTM was traced at 8 and runs at any length
            ids = rng.integers(1, 40, (1, length)).astype("int32")
            states = [np.zeros((1, d), "float32") for d in export.graph.state_dims]
            outputs = lite("prefill", tokens=ids, **dict(zip(names, states, strict=True)))
            logits, states = keras_logits(model, ids, states)
            np.testing.assert_allclose(outputs["logits"], logits, atol=1e-4)
            for name, state in zip(names, states, strict=True):
                np.testing.assert_allclose(outputs[name], state, atol=1e-4)
            lite_states = {name: outputs[name] for name in names}
            for token in rng.integers(1, 40, 4):
                outputs = lite("step", token=np.array([token], "int32"), **lite_states)
                logits, states = keras_logits(model, np.array([[token]], "int32"), states)
                np.testing.assert_allclose(outputs["logits"], logits, atol=1e-4)
                lite_states = {name: outputs[name] for name in names}

    def test_lstm_is_fused_and_only_builtin_ops_are_used(self):
        export = LanguageModelExport(language_model("lstm"))
        operators = operator_names(converted(export))
        assert "UNIDIRECTIONAL_SEQUENCE_LSTM" in operators and "WHILE" not in operators
        assert not [name for name in operators if name.startswith("Flex")]
        assert set(runner(converted(export)).interpreter.get_signature_list()["step"]["outputs"]) == {
            "logits",
            "h_0",
            "c_0",
            "h_1",
            "c_1",
        }

    def test_gru_runs_in_a_builtin_while_loop(self):
        operators = operator_names(converted(LanguageModelExport(language_model("gru"))))
        assert "WHILE" in operators and "UNIDIRECTIONAL_SEQUENCE_LSTM" not in operators

    def test_unrolled_gru_prefill_pads_and_masks_to_its_fixed_length(self):
        model = language_model("gru")
        export = LanguageModelExport(model, fixed_length=6)
        lite = runner(converted(export), export)
        assert "WHILE" not in operator_names(converted(export))
        ids = np.array([[5, 9, 2]], "int32")
        zeros = [np.zeros((1, d), "float32") for d in export.graph.state_dims]
        outputs = lite(
            "prefill",
            tokens=np.pad(ids, ((0, 0), (0, 3))),
            **dict(zip(export.state_names, zeros, strict=True)),
        )
        logits, states = keras_logits(model, ids, zeros)
        np.testing.assert_allclose(outputs["logits"], logits, atol=1e-4)
        np.testing.assert_allclose(outputs["h_1"], states[1], atol=1e-4)

    def test_fixed_length_is_refused_for_lstm(self):
        with pytest.raises(ValueError, match="fused op"):
            LanguageModelExport(language_model("lstm"), fixed_length=8)


def test_a_cell_step_matches_the_fused_step_and_keeps_the_cell_state_in_the_graph():
    model = language_model("lstm")
    fused, cell = LanguageModelExport(model), LanguageModelExport(model, lstm_step="cell")
    cell_bytes = converted(cell)
    assert "UNIDIRECTIONAL_SEQUENCE_LSTM" in operator_names(cell_bytes)  # prefill stays fused
    a, b = runner(converted(fused), fused), runner(cell_bytes, cell)
    rng = np.random.default_rng(4)
    states = {n: rng.normal(0, 0.5, (1, d)).astype("float32") for n, d in zip(
        fused.state_names, fused.graph.state_dims, strict=True)}
    for token in (3, 17):
        expected, got = a("step", token=np.array([token], "int32"), **states), b(
            "step", token=np.array([token], "int32"), **states)
        for name, value in expected.items():
            np.testing.assert_allclose(got[name], value, atol=1e-5)
        states = {n: got[n] for n in fused.state_names}
