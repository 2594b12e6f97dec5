import json
import os

import numpy as np
import pytest

from seqtk.cli import main
from seqtk.export.litert_model import LiteRTModel
from seqtk.export.tflite_exporter import export_tflite
from seqtk.tasks import load_model_directory


def quiet(*args):
    pass


class ExportTfliteTest:
    def test_language_model_folder_is_complete_and_verified(self, model_directory, text_file, tmp_path):
        directory = model_directory("lm")
        report = export_tflite(directory, str(tmp_path / "out"), examples_path=text_file, log=quiet)
        assert sorted(os.listdir(tmp_path / "out")) == [
            "export_report.json",
            "metadata.json",
            "model.tflite",
            "tokenizer.json",
        ]
        with open(tmp_path / "out" / "export_report.json") as handle:
            assert json.load(handle) == json.loads(json.dumps(report))
        assert report["fused_lstm"] and report["flex_operators"] == []
        for key in ("step", "prefill"):
            row = report["signatures"][key]
            assert row["max_abs_diff_vs_keras"] < 1e-4 and row["calls"] > 0 and row["median_latency_ms"] > 0
        with open(tmp_path / "out" / "metadata.json") as handle:
            metadata = json.load(handle)
        assert metadata["states"] == {"h_0": 16, "c_0": 16, "h_1": 16, "c_1": 16}
        assert metadata["signatures"]["prefill"]["inputs"]["tokens"]["shape"] == [1, -1]

    def test_generation_from_the_folder_equals_keras_greedy_decoding(
        self, model_directory, text_file, tmp_path
    ):
        directory = model_directory("lm", num_layers=1)
        export_tflite(directory, str(tmp_path / "out"), examples_path=text_file, log=quiet)
        model, tokenizer, _ = load_model_directory(directory)
        lite = LiteRTModel.from_directory(str(tmp_path / "out"))
        ids, states = tokenizer.encode("Speak"), None
        expected = []
        import tensorflow as tf

        logits, states = model(tf.constant([ids]), return_state=True)
        for _ in range(12):
            token = int(np.argmax(np.asarray(logits)[0, -1, 1:])) + 1
            expected.append(token)
            logits, states = model(tf.constant([[token]]), states=states, return_state=True)
        assert lite.generate("Speak", max_tokens=12, temperature=0) == tokenizer.decode(expected)

    def test_a_backward_model_writes_what_precedes_the_prompt_as_in_keras(
        self, model_directory, text_file, tmp_path
    ):
        from seqtk.generation import TextGenerator

        directory = model_directory("lm", num_layers=1, reverse=True)
        report = export_tflite(directory, str(tmp_path / "out"), examples_path=text_file, log=quiet)
        assert report["signatures"]["step"]["max_abs_diff_vs_keras"] < 1e-4
        model, tokenizer, _ = load_model_directory(directory)
        lite = LiteRTModel.from_directory(str(tmp_path / "out"))
        assert lite.metadata["reverse"] and "right to left" in lite.metadata["usage"]
        expected = TextGenerator(model, tokenizer).generate("Speak", max_length=12)
        assert lite.generate("Speak", max_tokens=12, temperature=0) + "Speak" == expected

    def test_classifier_and_translator_folders(self, model_directory, text_file, tmp_path):
        report = export_tflite(
            model_directory("classifier"), str(tmp_path / "c"), examples_path=text_file, log=quiet
        )
        assert report["signatures"]["classify"]["max_abs_diff_vs_keras"] < 1e-4
        lite = LiteRTModel.from_directory(str(tmp_path / "c"))
        ((label, probability),) = lite.classify(["Speak, speak."])
        assert label in ("neg", "neu", "pos") and 0 < probability <= 1
        report = export_tflite(
            model_directory("translator", "gru"), str(tmp_path / "t"), examples_path=text_file, log=quiet
        )
        assert report["recurrence"] in ("while", "unrolled_12") and set(report["variant_latency_ms"]) == {
            "signature",
            "while",
            "unrolled_12",
        }
        assert max(r["max_abs_diff_vs_keras"] for r in report["signatures"].values()) < 1e-4
        lite = LiteRTModel.from_directory(str(tmp_path / "t"))
        greedy = lite.translate_ids([5, 9, 2, 11], beam_size=1)
        assert lite.translate_ids([5, 9, 2, 11], beam_size=1, length_penalty=0.0) == greedy

    def test_dynamic_range_quantization_reports_the_task_metric(self, model_directory, text_file, tmp_path):
        # Weights under 1,024 values stay float, so the layer is wide enough for its kernels to quantize.
        report = export_tflite(
            model_directory("lm", hidden_dim=64), str(tmp_path / "q"), "dynamic", text_file, log=quiet
        )
        assert report["size_vs_float"] < 0.7 and report["fused_lstm"]
        metric = report["task_metric"]
        assert metric["tokens"] > 100 and 0.9 < metric["perplexity_ratio"] < 1.1

    def test_int8_language_model_keeps_its_perplexity(self, model_directory, text_file, tmp_path):
        report = export_tflite(
            model_directory("lm", num_layers=1, hidden_dim=64),
            str(tmp_path / "q"),
            "int8",
            text_file,
            log=quiet,
        )
        assert "QUANTIZE" in report["operators"] and report["fused_lstm"] and report["size_vs_float"] < 0.4
        assert 0.9 < report["task_metric"]["perplexity_ratio"] < 1.1
        lite = LiteRTModel.from_directory(str(tmp_path / "q"))
        logits, states = lite.prefill([3, 4, 5], lite.zero_states())
        assert np.all(np.isfinite(logits)) and np.any(states["c_0"] != 0) and np.any(states["h_0"] != 0)


class UnknownSymbolsTest:
    def test_calibration_text_with_unknown_symbols_is_used_and_reported(self, model_directory, text_file, tmp_path):
        from export_models import TEXT

        from seqtk.tokenizers.unknown_symbols import unknown_symbol_policy

        user_text = tmp_path / "user.txt"
        user_text.write_text(TEXT * 3 + "In 2024, 38 °C (a record).\n", encoding="utf-8")
        logged = []
        with unknown_symbol_policy(log=logged.append):
            report = export_tflite(model_directory("lm", num_layers=1, hidden_dim=32), str(tmp_path / "q"), "int8",
                                   str(user_text), log=quiet)
        unknown = report["unknown_symbols"]
        assert unknown["unknown"] == 10 and unknown["most_frequent"]["2"] == 2  # I 2 0 2 4 3 8 ° ( )
        assert logged[0].startswith(f"Export examples: {unknown['unknown']} of ")
        assert 0.9 < report["task_metric"]["perplexity_ratio"] < 1.1
        with pytest.raises(ValueError, match=rf"{user_text}, line \d+: Characters \[.*'°'.*\]"):
            with unknown_symbol_policy(strict=True):
                export_tflite(model_directory("lm"), str(tmp_path / "strict"), "dynamic", str(user_text), log=quiet)
        assert not os.path.exists(tmp_path / "strict")

    def test_run_tflite_reports_unknown_symbols_of_its_input(self, model_directory, text_file, tmp_path, capsys):
        out = str(tmp_path / "classifier_export")
        assert main(["export", "tflite", "--model", model_directory("classifier"), "--output", out,
                     "--representative-data", text_file]) == 0
        capsys.readouterr()
        assert main(["run-tflite", out, "Speak, 42!", "All:"]) == 0
        captured = capsys.readouterr()
        assert len(captured.out.strip().split("\n")) == 2
        assert "Input: 3 of 14 characters (21.43%) are not in the vocabulary" in captured.err
        assert main(["run-tflite", out, "Speak, 42!", "--strict"]) == 2
        assert "argument 1: Characters ['!', '2', '4']" in capsys.readouterr().err


def test_a_model_trained_in_mixed_precision_exports_with_float32_parity(corpus_file, tmp_path):
    from seqtk.tasks import get_task

    task = get_task("lm")
    config = task.load_config("shakespeare_char", data=[corpus_file], overrides=[
        f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/ck", f"log_dir={tmp_path}/runs",
        "model.hidden_dim=32", "model.embedding_dim=16", "training.batch_size=4", "training.sequence_length=20",
        "training.epochs=1", "training.steps_per_epoch=5", "training.time_budget_minutes=0", "training.verbose=0",
        "training.mixed_precision=bfloat16", "sample_length=5"])
    directory = task.train(config, log=quiet)["directory"]
    report = export_tflite(directory, str(tmp_path / "out"), examples_path=corpus_file, log=quiet)
    assert report["signatures"]["step"]["max_abs_diff_vs_keras"] < 1e-4
    assert report["signatures"]["prefill"]["max_abs_diff_vs_keras"] < 1e-4


class ExportErrorsTest:
    def test_not_a_model_directory(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="not a seqtk model directory"):
            export_tflite(str(tmp_path), log=quiet)

    def test_int8_needs_representative_data(self, model_directory, tmp_path):
        with pytest.raises(ValueError, match="--representative-data"):
            export_tflite(model_directory("lm"), str(tmp_path / "q"), "int8", log=quiet)
        assert not os.path.exists(tmp_path / "q")

    def test_representative_file_with_nothing_usable(self, model_directory, tmp_path):
        empty = tmp_path / "empty.txt"
        empty.write_text("\n  \n\n", encoding="utf-8")
        with pytest.raises(ValueError, match="no usable example"):
            export_tflite(model_directory("classifier"), str(tmp_path / "q"), "int8", str(empty), log=quiet)
        assert not os.path.exists(tmp_path / "q")

    def test_no_data_to_verify_on(self, model_directory, tmp_path):
        with pytest.raises(ValueError, match="--representative-data"):
            export_tflite(model_directory("lm"), str(tmp_path / "q"), log=quiet)

    def test_a_model_export_cannot_handle_names_itself(self, tmp_path, char_tokenizer, text_file):
        import keras

        from seqtk.models import save_model_directory

        model = keras.Sequential(
            [keras.Input((None,), dtype="int32"), keras.layers.Embedding(50, 8), keras.layers.LSTM(8)]
        )
        directory = save_model_directory(str(tmp_path / "m"), model, char_tokenizer, {})
        with pytest.raises(ValueError, match="holds a Sequential, which no seqtk task trains"):
            export_tflite(directory, str(tmp_path / "out"), examples_path=text_file, log=quiet)
        assert not os.path.exists(tmp_path / "out")

    def test_an_existing_export_survives_a_failed_one(self, model_directory, text_file, tmp_path):
        directory = model_directory("lm", num_layers=1)
        export_tflite(directory, str(tmp_path / "out"), examples_path=text_file, log=quiet)
        before = (tmp_path / "out" / "model.tflite").read_bytes()
        with pytest.raises(ValueError):
            export_tflite(directory, str(tmp_path / "out"), "int8", log=quiet)
        assert (tmp_path / "out" / "model.tflite").read_bytes() == before
        assert [p for p in os.listdir(tmp_path) if p.startswith(".out")] == []


class CommandLineTest:
    def test_export_then_run_each_task(self, model_directory, text_file, tmp_path, capsys):
        for kind, cell, texts in (
            ("lm", "lstm", ["First"]),
            ("classifier", "gru", ["Speak, speak.", "All:"]),
            ("translator", "lstm", ["Speak"]),
        ):
            out = str(tmp_path / f"{kind}_export")
            assert (
                main(
                    [
                        "export",
                        "tflite",
                        "--model",
                        model_directory(kind, cell),
                        "--output",
                        out,
                        "--representative-data",
                        text_file,
                    ]
                )
                == 0
            )
            assert "max |diff| vs Keras" in capsys.readouterr().out
            extra = ["--max-length", "20", "--sampler", "greedy"] if kind == "lm" else ["--beam", "2"]
            assert main(["run-tflite", out, *texts, *extra]) == 0
            printed = capsys.readouterr().out.strip().split("\n")
            if kind == "classifier":
                assert len(printed) == 2 and printed[0].split("\t")[0] in ("neg", "neu", "pos")
            elif kind == "lm":
                assert printed[0].startswith("First")

    def test_errors_are_one_line(self, tmp_path, capsys):
        assert main(["export", "tflite", "--model", str(tmp_path)]) == 2
        assert "not a seqtk model directory" in capsys.readouterr().err
        assert main(["run-tflite", str(tmp_path)]) == 2
        assert "neither metadata.json (an export) nor model.keras" in capsys.readouterr().err
