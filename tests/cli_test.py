import json
import os

import pytest

from seqtk.cli import main

pytestmark = pytest.mark.large


@pytest.fixture
def trained(tmp_path, corpus_file):
    code = main([
        "train", "lm", "--config", "shakespeare_char", "--data", corpus_file,
        "--set", f"output_dir={tmp_path}/saved", "--set", f"checkpoint_dir={tmp_path}/ck",
        "--set", f"log_dir={tmp_path}/runs", "--set", "model.hidden_dim=32", "--set", "training.batch_size=4",
        "--set", "training.epochs=1", "--set", "training.verbose=0", "--set", "sample_length=10",
    ])
    assert code == 0
    return str(tmp_path / "saved" / "shakespeare_char")


class CommandLineTest:
    def test_train_evaluate_generate(self, trained, corpus_file, capsys):
        assert os.path.exists(os.path.join(trained, "model.keras"))
        capsys.readouterr()
        assert main(["evaluate", "--model", trained, "--data", corpus_file, "--batch-size", "2"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["tokens"] > 19000 and report["bits_per_character"] > 0
        assert main(["generate", "--model", trained, "--prompt", "First", "--max-length", "30", "--seed", "3"]) == 0
        first = capsys.readouterr().out
        main(["generate", "--model", trained, "--prompt", "First", "--max-length", "30", "--seed", "3"])
        assert first.startswith("First") and capsys.readouterr().out == first
        main(["generate", "--model", trained, "--prompt", "First", "--max-length", "30", "--seed", "3",
              "--precision", "bfloat16"])
        in_bfloat16 = capsys.readouterr().out
        assert in_bfloat16.startswith("First") and len(in_bfloat16) == len(first)

    def test_fine_tune_without_config_keeps_base_settings(self, trained, tmp_path, capsys):
        custom = tmp_path / "mine.txt"
        custom.write_text("First Citizen:\nYou are all resolved rather to die than to famish?\n" * 200)
        capsys.readouterr()
        assert main(["train", "lm", "--init-from", trained, "--data", str(custom)]) == 0
        out = capsys.readouterr().out
        assert "validation perplexity" in out and " before, " in out and " after." in out
        tuned = tmp_path / "saved" / "shakespeare_char_finetuned"
        config = (tuned / "config.yaml").read_text()
        assert "hidden_dim: 32" in config and "batch_size: 4" in config and "mine.txt" in config

    def test_fine_tune_with_config_keeps_its_name_but_never_overwrites_the_base(self, trained, tmp_path, capsys):
        custom = tmp_path / "mine.txt"
        custom.write_text("First Citizen:\nYou are all resolved rather to die than to famish?\n" * 200)
        stage2 = tmp_path / "stage2.yaml"
        stage2.write_text((tmp_path / "saved" / "shakespeare_char" / "config.yaml").read_text()
                          .replace("name: shakespeare_char", "name: stage2_lm"))
        common = ["--data", str(custom), "--set", "training.epochs=1", "--set", "training.verbose=0"]
        before = (tmp_path / "saved" / "shakespeare_char" / "model.keras").read_bytes()
        assert main(["train", "lm", "--config", str(stage2), "--init-from", trained, *common]) == 0
        assert (tmp_path / "saved" / "stage2_lm" / "model.keras").exists()
        # The same config as the base would write into the base's folder: the copy is named apart.
        assert main(["train", "lm", "--config", "shakespeare_char", "--init-from", trained, *common,
                     "--set", f"output_dir={tmp_path}/saved", "--set", f"checkpoint_dir={tmp_path}/ck",
                     "--set", f"log_dir={tmp_path}/runs", "--set", "model.hidden_dim=32",
                     "--set", "training.batch_size=4"]) == 0
        assert (tmp_path / "saved" / "shakespeare_char_finetuned" / "model.keras").exists()
        assert (tmp_path / "saved" / "shakespeare_char" / "model.keras").read_bytes() == before

    def test_prompt_outside_vocabulary_is_reported_and_an_error_with_strict(self, trained, capsys):
        assert main(["generate", "--model", trained, "--prompt", "€uro", "--max-length", "5", "--seed", "1"]) == 0
        captured = capsys.readouterr()
        assert captured.out.startswith("€uro")  # the prompt as given; the model read € as <unk>
        assert ("Prompt: 1 of 4 characters (25.00%) are not in the vocabulary and are read as <unk>; most "
                "frequent: '€' ×1.") in captured.err
        assert "Warning: Prompt: 25.0% of its characters" in captured.err
        assert main(["generate", "--model", trained, "--prompt", "€uro", "--strict"]) == 2
        assert "seqtk: error: the prompt: Characters ['€'] are not in this model's vocabulary" in capsys.readouterr().err
        assert main(["generate", "--model", trained, "--prompt", "€uro", "--unknown-warning", "0.5",
                     "--max-length", "5"]) == 0
        assert "Warning" not in capsys.readouterr().err

    def test_evaluate_reports_unknown_symbols_and_strict_names_the_line(self, trained, tmp_path, capsys):
        data = tmp_path / "modern.txt"
        data.write_text("First, the 2 citizens:\nspeak 42 times.\n" * 20)
        capsys.readouterr()
        assert main(["evaluate", "--model", trained, "--data", str(data), "--batch-size", "2"]) == 0
        captured = capsys.readouterr()
        report = json.loads(captured.out)
        assert report["unknown_symbols"]["unknown"] == 60 and report["unknown_symbols"]["most_frequent"]["2"] == 40
        assert "Evaluation data: 60 of 780 characters (7.69%)" in captured.err
        assert main(["evaluate", "--model", trained, "--data", str(data), "--strict"]) == 2
        assert f"seqtk: error: {data}, line 1: Characters ['2']" in capsys.readouterr().err

    def test_train_flags_reach_the_run(self, trained, tmp_path, capsys):
        custom = tmp_path / "mine.txt"
        custom.write_text("First Citizen, 1st act:\nYou are all resolved [sic] rather to die?\n" * 200)
        capsys.readouterr()
        assert main(["train", "lm", "--init-from", trained, "--data", str(custom), "--strict",
                     "--no-extend-vocabulary"]) == 2
        assert "line 1: Characters ['1'] are not in this model's vocabulary" in capsys.readouterr().err
        assert main(["train", "lm", "--init-from", trained, "--data", str(custom), "--set", "name=grown"]) == 0
        assert "Vocabulary extended from" in capsys.readouterr().out
        assert "growth" in (tmp_path / "saved" / "grown" / "metrics.json").read_text()

    def test_path_without_a_model(self, tmp_path, capsys):
        assert main(["generate", "--model", str(tmp_path), "--prompt", "a"]) == 2
        assert "not a seqtk model folder" in capsys.readouterr().err

    def test_bad_config_key_and_missing_file(self, tmp_path, capsys):
        assert main(["train", "lm", "--config", "shakespeare_char", "--set", "model.size=3"]) == 2
        assert "unknown config key 'model.size'" in capsys.readouterr().err
        assert main(["train", "lm", "--data", str(tmp_path / "nope.txt")]) == 2
        assert "nope.txt: no such file" in capsys.readouterr().err
        assert not (tmp_path / "saved_models").exists()


@pytest.fixture
def trained_classifier(tmp_path, sentiment_files):
    code = main([
        "train", "classifier", "--config", "sst2_sentences", "--data", sentiment_files["train"],
        "--set", f"data.validation=[{sentiment_files['dev']}]", "--set", "data.format=auto",
        "--set", f"output_dir={tmp_path}/saved", "--set", f"checkpoint_dir={tmp_path}/ck",
        "--set", f"log_dir={tmp_path}/runs", "--set", "model.hidden_dim=16", "--set", "training.epochs=1",
        "--set", "training.verbose=0",
    ])
    assert code == 0
    return str(tmp_path / "saved" / "sst2_sentences")


class ClassifierCommandLineTest:
    def test_classify_arguments_and_file(self, trained_classifier, tmp_path, capsys):
        capsys.readouterr()
        assert main(["classify", "--model", trained_classifier, "a gorgeous film .", "dull , dull , dull ."]) == 0
        lines = capsys.readouterr().out.strip().split("\n")
        assert len(lines) == 2
        # Each line is the model's most likely label and its probability: here the model reads each text
        # alone, unpadded, and keras' softmax gives the probabilities.
        import keras
        import numpy as np

        from seqtk.tasks import load_model_directory

        model, tokenizer, config = load_model_directory(trained_classifier)
        texts = ["a gorgeous film .", "dull , dull , dull ."]
        expected = [keras.ops.convert_to_numpy(keras.ops.softmax(model(np.array([tokenizer.encode(t)]))))[0]
                    for t in texts]
        for line, text, row in zip(lines, texts, expected, strict=True):
            label, probability, echoed = line.split("\t")
            assert label == config.labels[int(row.argmax())] and echoed == text
            assert float(probability) == pytest.approx(float(row.max()), abs=1e-4)
        texts = tmp_path / "texts.txt"
        texts.write_text("a gorgeous film .\n\ndull , dull , dull .\n")
        assert main(["classify", "--model", trained_classifier, "--input", str(texts), "--json"]) == 0
        records = [json.loads(line) for line in capsys.readouterr().out.strip().split("\n")]
        assert [r["text"] for r in records] == ["a gorgeous film .", "dull , dull , dull ."]
        assert all(abs(sum(r["probabilities"].values()) - 1) < 1e-4 for r in records)
        assert [r["label"] for r in records] == [line.split("\t")[0] for line in lines]

    def test_classify_reads_standard_input_as_translate_does(self, trained_classifier, monkeypatch, capsys):
        import io

        capsys.readouterr()
        monkeypatch.setattr("sys.stdin", io.StringIO("a gorgeous film .\n\ndull , dull , dull .\n"))
        assert main(["classify", "--model", trained_classifier]) == 0
        piped = capsys.readouterr().out.strip().split("\n")
        assert main(["classify", "--model", trained_classifier, "a gorgeous film .", "dull , dull , dull ."]) == 0
        assert piped == capsys.readouterr().out.strip().split("\n") and len(piped) == 2
        monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
        assert main(["classify", "--model", trained_classifier, "--input", "-"]) == 2
        assert "Nothing to classify" in capsys.readouterr().err

    def test_evaluate_a_labelled_file(self, trained_classifier, sentiment_files, tmp_path, capsys):
        capsys.readouterr()
        output = tmp_path / "report.json"
        assert main(["evaluate", "--model", trained_classifier, "--data", sentiment_files["dev"],
                     "--output", str(output)]) == 0
        printed = capsys.readouterr().out
        report = json.loads(output.read_text())
        assert report["examples"] == 100 and f"accuracy {report['accuracy']:.4f}" in printed
        assert "confusion matrix" in printed

    def test_two_classifiers_are_averaged(self, trained_classifier, sentiment_files, tmp_path, capsys):
        import numpy as np

        from seqtk.models import save_model_directory
        from seqtk.tasks import load_model_directory

        model, tokenizer, config = load_model_directory(trained_classifier)
        rng = np.random.default_rng(0)
        model.set_weights([w + rng.normal(0, 0.3, w.shape).astype(w.dtype) for w in model.get_weights()])
        other = save_model_directory(str(tmp_path / "other"), model, tokenizer, config)
        texts = ["a gorgeous film .", "dull , dull , dull ."]

        def probabilities(*models):
            capsys.readouterr()
            assert main(["classify", *[a for m in models for a in ("--model", m)], "--json", *texts]) == 0
            return np.array([[r["probabilities"][k] for k in ("0", "1")]
                             for r in map(json.loads, capsys.readouterr().out.strip().split("\n"))])

        both = probabilities(trained_classifier, other)
        np.testing.assert_allclose(both, (probabilities(trained_classifier) + probabilities(other)) / 2, atol=2e-6)
        output = tmp_path / "pair.json"
        assert main(["evaluate", "--model", trained_classifier, "--model", other, "--data", sentiment_files["dev"],
                     "--output", str(output)]) == 0
        report = json.loads(output.read_text())
        assert [m["model"] for m in report["members"]] == [trained_classifier, other]
        assert f"member {other}: accuracy {report['members'][1]['accuracy']:.4f}" in capsys.readouterr().out

    def test_unseen_labels_and_wrong_model_kind(self, trained_classifier, trained, tmp_path, capsys, monkeypatch):
        labelled = tmp_path / "other.tsv"
        labelled.write_text("sentence\tlabel\ngood\t1\nfine\tneutral\nokay\tneutral\n")
        assert main(["evaluate", "--model", trained_classifier, "--data", str(labelled)]) == 2
        assert "'neutral' ×2 (first at" in capsys.readouterr().err
        assert main(["classify", "--model", trained, "some text"]) == 2
        assert "holds a LanguageModel (lm), not a TextClassifier" in capsys.readouterr().err
        import io

        monkeypatch.setattr("sys.stdin", io.StringIO(""))  # nothing piped either
        assert main(["classify", "--model", trained_classifier]) == 2
        assert "Nothing to classify" in capsys.readouterr().err


class HelpConfigTest:
    def test_help_config_lists_the_tasks_keys_and_trains_nothing(self, tmp_path, capsys, monkeypatch):
        monkeypatch.chdir(tmp_path)
        assert main(["train", "tagger", "--help-config"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("Config keys of the tagger task")
        assert "\ndata.scheme = 'auto'  (str; one of auto, none, IOB1, BIO, BIOES)\n" in out
        assert "\nmodel.input_dropout = 0.5  (float; ≥ 0.0, < 1.0)\n" in out
        assert "Locked dropout on the token vectors" in out and os.listdir(tmp_path) == []
