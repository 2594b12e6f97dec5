"""The start state a language model records for generation: primed on its text, saved, used everywhere."""

import json
import os

import numpy as np
import pytest

from seqtk.generation import TextGenerator, prime_start_state, priming_window
from seqtk.models import LanguageModel
from seqtk.models.model_directory import save_model_directory
from seqtk.tasks import load_model_directory
from seqtk.tokenizers import CharTokenizer

TEXT = "ROMEO:\nBut soft, what light through yonder window breaks?\n\nJULIET:\nAy me!\n" * 30


def model_and_tokenizer(start_state=True, cell_type="lstm"):
    tokenizer = CharTokenizer.train([TEXT])
    model = LanguageModel(tokenizer.vocabulary_size, embedding_dim=8, hidden_dim=16, num_layers=2,
                          cell_type=cell_type, start_state=start_state, seed=0)
    model.build((None, None))
    return model, tokenizer


class PrimingWindowTest:
    def test_the_window_ends_after_the_last_blank_line_with_context_before_it(self):
        newline = 9
        ids = np.array([1, 2, 9, 9, 3, 4, 5, 9, 6, 7] * 20 + [8, 8])
        window = priming_window(ids, newline, length=30)
        assert len(window) == 30 and list(window[-2:]) == [9, 9]
        # The last blank line of the stream: the one in the last repeat of the pattern.
        end = len(ids) - 12 + 4
        np.testing.assert_array_equal(window, ids[end - 30:end])

    def test_one_line_break_without_a_blank_line_and_the_tail_without_either(self):
        ids = np.array([1, 2, 3, 9] * 10 + [4, 5])
        assert list(priming_window(ids, 9, length=12)[-1:]) == [9]
        assert len(priming_window(ids, 9, length=12)) == 12
        np.testing.assert_array_equal(priming_window(np.arange(1, 50), 99, length=10), np.arange(40, 50))
        with pytest.raises(ValueError, match="at least one token"):
            priming_window([], 9)


class StartStateTest:
    def test_priming_records_the_state_after_the_window_and_generation_starts_there(self):
        model, tokenizer = model_and_tokenizer()
        np.testing.assert_array_equal(model.start_states(2)[0], np.zeros((2, 16)))  # before priming: zeros
        ids = tokenizer.encode(TEXT)
        window = prime_start_state(model, ids, tokenizer.newline_id, length=200)
        _, states = model(np.array([window]), return_state=True)
        for recorded, expected in zip(model.start_states(3), states, strict=True):
            np.testing.assert_allclose(np.asarray(recorded), np.repeat(np.asarray(expected), 3, axis=0), atol=1e-6)
        # Greedy text from the recorded state is the model's continuation of the window and the prompt.
        prompt = tokenizer.encode("JULIET:")
        primed = TextGenerator(model, tokenizer, start="model").generate_ids([prompt], max_length=12)[0]
        running = list(window) + prompt
        for _ in range(12):
            running.append(int(np.argmax(model(np.array([running]))[0, -1, 1:])) + 1)
        assert primed.tolist() == running[-12:]

    def test_the_start_state_survives_saving_and_a_model_without_one_refuses_to_record(self, tmp_path):
        model, tokenizer = model_and_tokenizer()
        prime_start_state(model, tokenizer.encode(TEXT), tokenizer.newline_id)
        directory = save_model_directory(str(tmp_path / "lm"), model, tokenizer, {"task": "lm"})
        loaded, _, _ = load_model_directory(directory, task="lm")
        assert loaded.start_state
        for a, b in zip(loaded.start_states(1), model.start_states(1), strict=True):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        plain, _ = model_and_tokenizer(start_state=False)
        assert len(plain.weights) == len(model.weights) - 4  # h and c of two layers
        with pytest.raises(ValueError, match="no start state to record"):
            plain.set_start_states(model.start_states(1))

    @pytest.mark.parametrize("cell_type", ["lstm", "gru"])
    def test_the_tflite_folder_generates_from_the_recorded_state_as_keras_does(self, cell_type, tmp_path):
        from seqtk.export.litert_model import LiteRTModel
        from seqtk.export.tflite_exporter import export_tflite

        model, tokenizer = model_and_tokenizer(cell_type=cell_type)
        prime_start_state(model, tokenizer.encode(TEXT), tokenizer.newline_id)
        data = tmp_path / "text.txt"
        data.write_text(TEXT, encoding="utf-8")
        directory = save_model_directory(str(tmp_path / "lm"), model, tokenizer, {
            "task": "lm", "data": {"train": [str(data)], "validation": [str(data)]}})
        export_tflite(directory, str(tmp_path / "tflite"), log=lambda *a: None)
        metadata = json.load(open(os.path.join(tmp_path, "tflite", "metadata.json")))
        lite = LiteRTModel.from_directory(str(tmp_path / "tflite"))
        for name, vector in zip(lite.state_dims, model.start_states(1), strict=True):
            np.testing.assert_allclose(metadata["start_states"][name], np.asarray(vector)[0], atol=1e-7)
        keras_text = TextGenerator(model, tokenizer).generate("JULIET:", max_length=30)
        assert "JULIET:" + lite.generate("JULIET:", max_tokens=30, temperature=0) == keras_text
