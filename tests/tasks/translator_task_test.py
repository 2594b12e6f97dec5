import io
import json
import os

import numpy as np
import pytest

from seqtk.cli import main
from seqtk.data.parallel_text import read_parallel
from seqtk.metrics.translation import translation_scores
from seqtk.models import Seq2SeqTranslator
from seqtk.tasks import load_model_directory
from seqtk.tokenizers import TokenizerPair
from seqtk.tasks import load_config, train
from seqtk.inference.translator_evaluation import sentence_translator

pytestmark = pytest.mark.large


@pytest.fixture
def tatoeba_files(tmp_path):
    """Real pairs in the Tatoeba layout (English<TAB>French): 400 train and 60 validation of the bundled sample."""
    pairs = read_parallel(["bundled:tatoeba_fr_en_train"])
    paths = {}
    for name, part in (("train", pairs[:400]), ("valid", pairs[400:460])):
        path = tmp_path / f"{name}.txt"
        path.write_text("".join(f"{p.target}\t{p.source}\tCC-BY 2.0\n" for p in part), encoding="utf-8")
        paths[name] = str(path)
    return paths


def settings(tmp_path, *extra):
    return [
        f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/checkpoints", f"log_dir={tmp_path}/runs",
        "tokenizer.source.kind=word", "tokenizer.target.kind=word", "model.embedding_dim=16",
        "model.hidden_dim=24", "model.num_layers=1", "training.batch_size=32", "training.verbose=0",
        "training.time_budget_minutes=0", "training.beam_size=3", *extra,
    ]


def tatoeba_config(tmp_path, files, *extra):
    return load_config("tatoeba_sample", task="translator", overrides=settings(
        tmp_path, f"data.train=[{files['train']}]", f"data.validation=[{files['valid']}]", "data.source_column=1",
        "data.target_column=0", "training.epochs=1", *extra))


class TranslatorTrainerTest:
    def test_trains_and_saves_a_model_with_both_tokenizers_and_a_bleu_report(self, tmp_path, tatoeba_files):
        result = train(tatoeba_config(tmp_path, tatoeba_files), log=lambda *_: None)
        model, tokenizers, config = load_model_directory(result["directory"])
        assert isinstance(model, Seq2SeqTranslator) and isinstance(tokenizers, TokenizerPair)
        assert "bonjour" not in tokenizers.target.words  # the target side is English
        metrics = json.load(open(os.path.join(result["directory"], "metrics.json")))
        assert set(metrics["validation"]) == {"greedy", "beam3"}
        assert metrics["train_pairs"] + metrics["dropped_pairs"] == 400
        assert "val_bleu" in metrics["history"][0] and "val_chrf" in metrics["history"][0]
        # The reported BLEU is sacrebleu's on the saved model's own translations.
        valid = read_parallel([tatoeba_files["valid"]], source_column=1, target_column=0)
        translator = sentence_translator(model, tokenizers, load_config(
            os.path.join(result["directory"], "config.yaml"), task="translator").data)
        hypotheses = translator.translate([p.source for p in valid])
        expected = translation_scores(hypotheses, [p.target for p in valid])
        assert metrics["validation"]["greedy"]["bleu"] == pytest.approx(expected["bleu"], abs=1e-6)
        card = open(os.path.join(result["directory"], "MODEL_CARD.md")).read()
        assert "fr → en" in card and "| beam3 |" in card and "BLEU signature" in card

    def test_learns_a_task_and_validation_bleu_picks_the_best_epoch(self, tmp_path):
        rng = np.random.default_rng(0)
        words = [f"w{i}" for i in range(20)]
        lines = []
        for _ in range(1500):
            sentence = list(rng.choice(words, rng.integers(2, 6)))
            lines.append(" ".join(sentence) + "\t" + " ".join(w.upper() for w in sentence) + "\n")
        (tmp_path / "copy.tsv").write_text("".join(lines[:1400]))
        (tmp_path / "copy_valid.tsv").write_text("".join(lines[1400:]))
        config = load_config(task="translator", overrides=settings(
            tmp_path, f"data.train=[{tmp_path}/copy.tsv]", f"data.validation=[{tmp_path}/copy_valid.tsv]",
            "model.hidden_dim=64", "model.reverse_source=true", "training.epochs=8", "training.learning_rate=0.01",
            "training.label_smoothing=0.0"))
        metrics = train(config, log=lambda *_: None)["metrics"]
        bleus = [epoch["val_bleu"] for epoch in metrics["history"]]
        assert bleus[-1] > bleus[0] and max(bleus) > 60
        # Early stopping restored the best epoch's weights: the final greedy BLEU is the best one seen.
        assert metrics["validation"]["greedy"]["bleu"] == pytest.approx(max(bleus), abs=1e-6)

    def test_resume_continues_from_the_checkpoint(self, tmp_path, tatoeba_files):
        train(tatoeba_config(tmp_path, tatoeba_files), log=lambda *_: None)
        messages = []
        metrics = train(tatoeba_config(tmp_path, tatoeba_files, "training.epochs=2"), resume=True,
                                   log=messages.append)["metrics"]
        assert any("Resuming tatoeba_sample from epoch 1" in m for m in messages)
        assert metrics["epochs_run"] == 2 and len(metrics["history"]) == 2

    def test_steps_per_epoch_makes_shorter_epochs_over_a_repeating_stream(self, tmp_path, tatoeba_files):
        config = tatoeba_config(tmp_path, tatoeba_files, "training.epochs=3", "training.steps_per_epoch=5",
                                "training.bleu_sentences=10")
        messages = []
        metrics = train(config, log=messages.append)["metrics"]
        assert metrics["epochs_run"] == 3 and all("val_bleu" in epoch for epoch in metrics["history"])
        # Validation BLEU each epoch reads 10 pairs spread over the file, starting with the first.
        valid = read_parallel([tatoeba_files["valid"]], source_column=1, target_column=0)
        per_epoch = [m for m in messages if "validation BLEU" in m]
        assert len(per_epoch) == 3 and all("10 sentences" in m and repr(valid[0].source) in m for m in per_epoch)

    def test_line_aligned_files_from_the_command_line_then_translate_and_evaluate(self, tmp_path, tatoeba_files,
                                                                                   capsys, monkeypatch):
        pairs = read_parallel([tatoeba_files["train"]], source_column=1, target_column=0)
        (tmp_path / "train.fr").write_text("".join(p.source + "\n" for p in pairs))
        (tmp_path / "train.en").write_text("".join(p.target + "\n" for p in pairs))
        arguments = ["train", "translator", "--data", f"{tmp_path}/train.fr,{tmp_path}/train.en"]
        for setting in settings(tmp_path, "training.epochs=1", "data.validation_fraction=0.1", "name=cli"):
            arguments += ["--set", setting]
        assert main(arguments) == 0
        model_dir = str(tmp_path / "saved" / "cli")
        capsys.readouterr()

        model, tokenizers, config = load_model_directory(model_dir)
        translator = sentence_translator(model, tokenizers, config.data)
        sources = ["Je t'aime.", "Il pleut."]
        assert main(["translate", "--model", model_dir, *sources]) == 0
        by_argument = capsys.readouterr().out.split("\n")
        # One line per sentence: the model's greedy translation (then its beam-3 one), as the library gives it.
        assert by_argument == translator.translate(sources) + [""]
        (tmp_path / "input.fr").write_text("Je t'aime.\n\nIl pleut.\n")
        assert main(["translate", "--model", model_dir, "--input", str(tmp_path / "input.fr"), "--beam", "3"]) == 0
        assert capsys.readouterr().out.split("\n") == translator.translate(
            sources, beam_size=3, length_penalty=config.training.length_penalty) + [""]
        monkeypatch.setattr("sys.stdin", io.StringIO("Je t'aime.\nIl pleut.\n"))
        assert main(["translate", "--model", model_dir]) == 0
        assert capsys.readouterr().out.split("\n") == by_argument

        report_path = tmp_path / "report.json"
        assert main(["evaluate", "--model", model_dir, "--data", tatoeba_files["valid"], "--source-column", "1",
                     "--target-column", "0", "--beam", "2", "--output", str(report_path)]) == 0
        out = capsys.readouterr().out
        assert "greedy: BLEU" in out and "beam 2: BLEU" in out and "BLEU signature: nrefs:1" in out
        report = json.loads(report_path.read_text())
        assert report["beam2"]["sentences"] == 60
        # BLEU and chrF are sacrebleu's on the model's own translations of the file.
        valid = read_parallel([tatoeba_files["valid"]], source_column=1, target_column=0)
        expected = translation_scores(translator.translate([p.source for p in valid]), [p.target for p in valid])
        assert report["greedy"]["bleu"] == pytest.approx(expected["bleu"], abs=1e-6)
        assert report["greedy"]["chrf"] == pytest.approx(expected["chrf"], abs=1e-6)

    def test_bad_input_is_one_clear_error(self, tmp_path, tatoeba_files, capsys):
        (tmp_path / "a.fr").write_text("un\ndeux\ntrois\n")
        (tmp_path / "a.en").write_text("one\ntwo\n")
        assert main(["train", "translator", "--data", f"{tmp_path}/a.fr,{tmp_path}/a.en"]) == 2
        assert "a.fr has 3 lines but" in capsys.readouterr().err
        assert main(["translate", "--model", str(tmp_path), "bonjour"]) == 2
        assert "not a seqtk model folder" in capsys.readouterr().err
