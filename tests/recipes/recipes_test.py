"""The recipe scripts end to end on small real data: train, fine-tune, transfer, translate."""

import importlib.util
import json
import os

import numpy as np
import pytest
import yaml

from seqtk.data.labeled_text import read_labeled
from seqtk.data.parallel_text import read_parallel
from seqtk.inference.classifier_evaluation import evaluate_classifier
from seqtk.inference.translator_evaluation import evaluate_translator, sentence_translator
from seqtk.predictors import load
from seqtk.tasks import load_config, load_model_directory

pytestmark = pytest.mark.large
RECIPES = os.path.join(os.path.dirname(__file__), "..", "..", "recipes")


def recipe(name):
    spec = importlib.util.spec_from_file_location(f"recipe_{name}", os.path.join(RECIPES, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def places(tmp_path):
    return ["--set", f"output_dir={tmp_path}/saved", "--set", f"checkpoint_dir={tmp_path}/ck",
            "--set", f"log_dir={tmp_path}/runs", "--set", "training.verbose=0", "--set", "training.epochs=1"]


def small_lm(tmp_path, corpus_file, name="tiny_lm", *extra):
    """A YAML config of a tiny character language model on `corpus_file`, as a user would write one."""
    config = load_config("shakespeare_char", data=[corpus_file], overrides=[
        f"name={name}", f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/ck",
        f"log_dir={tmp_path}/runs", "model.embedding_dim=16", "model.hidden_dim=24", "training.batch_size=4",
        "training.sequence_length=50", "training.epochs=1", "training.verbose=0", "sample_length=5", *extra])
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config.to_dict()), encoding="utf-8")
    return str(path)


class LanguageModelRecipeTest:
    def test_train_then_fine_tune_beside_the_base(self, tmp_path, corpus_file):
        recipe("language_model").main(["--config", small_lm(tmp_path, corpus_file)])
        base = tmp_path / "saved" / "tiny_lm"
        before = (base / "model.keras").read_bytes()
        custom = tmp_path / "mine.txt"
        custom.write_text("First Citizen:\nYou are all resolved rather to die than to famish?\n" * 100)
        recipe("language_model").main(["--init-from", str(base), "--data", str(custom)])
        tuned = tmp_path / "saved" / "tiny_lm_finetuned"
        assert "mine.txt" in (tuned / "config.yaml").read_text() and (tuned / "model.keras").exists()
        assert (base / "model.keras").read_bytes() == before


class SentimentRecipeTest:
    def test_from_scratch_and_with_a_pretrained_language_model(self, tmp_path, sentiment_files):
        data = ["--data", sentiment_files["train"], "--set", f"data.validation=[{sentiment_files['dev']}]",
                "--set", "data.format=auto", "--set", "model.hidden_dim=16", *places(tmp_path)]
        recipe("sentiment").main(["--config", "sst2_sentences", *data])
        scratch = yaml.safe_load((tmp_path / "saved" / "sst2_sentences" / "metrics.json").read_text())
        # The recorded accuracy is what the saved model scores when loaded and run again on the dev file.
        model, tokenizer, config = load_model_directory(str(tmp_path / "saved" / "sst2_sentences"))
        report, _ = evaluate_classifier(model, tokenizer, read_labeled([sentiment_files["dev"]]), config.labels,
                                        config.data.max_length)
        assert report["examples"] == scratch["validation"]["examples"] == 100
        assert report["accuracy"] == pytest.approx(scratch["validation"]["accuracy"], abs=1e-9)
        # --pretrain trains the language model first, then the classifier starts from it (ULMFiT); the
        # language model reads the sentences themselves, so its characters cover them.
        sentences = tmp_path / "sentences.txt"
        texts = [line.split("\t")[0] for name in ("train", "dev")
                 for line in open(sentiment_files[name], encoding="utf-8")]
        sentences.write_text("\n".join(texts) + "\n", encoding="utf-8")
        pretrain = small_lm(tmp_path, str(sentences))
        recipe("sentiment").main(["--config", "sst2_sentences", "--pretrain", pretrain,
                                  "--set", "name=sst2_transferred", *data])
        transferred = tmp_path / "saved" / "sst2_transferred"
        assert (tmp_path / "saved" / "tiny_lm" / "model.keras").exists()
        assert "tiny_lm" in (transferred / "config.yaml").read_text()
        language_model = tmp_path / "saved" / "tiny_lm"
        assert (transferred / "tokenizer.json").read_text() == (language_model / "tokenizer.json").read_text()
        # The classifier's word vectors are the language model's, moved a little by one epoch of training
        # (a classifier initialized at random would correlate with them near 0).
        classifier, _, _ = load_model_directory(str(transferred))
        lm, _, _ = load_model_directory(str(language_model))
        ours, theirs = np.asarray(classifier.embedding.embeddings), np.asarray(lm.embedding.embeddings)
        assert ours.shape == theirs.shape
        assert np.corrcoef(ours[1:].ravel(), theirs[1:].ravel())[0, 1] > 0.9
        # --pretrain-backward trains a backward chain after the forward one: one bidirectional classifier.
        backward = small_lm(tmp_path, str(sentences), "tiny_lm_backward", "model.reverse=true")
        recipe("sentiment").main(["--config", "sst2_sentences", "--pretrain", pretrain, "--pretrain-backward",
                                  backward, "--set", "name=sst2_both", *data])
        both, _, saved = load_model_directory(str(tmp_path / "saved" / "sst2_both"))
        assert both.bidirectional and saved.init_from_backward == str(tmp_path / "saved" / "tiny_lm_backward")
        backward_model, _, _ = load_model_directory(saved.init_from_backward)
        assert backward_model.reverse and saved.init_from == str(language_model)
        card = (tmp_path / "saved" / "sst2_both" / "MODEL_CARD.md").read_text()
        assert f"- `{language_model}` (tiny_lm, lm)" in card and f"- `{saved.init_from_backward}` (tiny_lm_backward" in card


class TranslationRecipeTest:
    def test_train_and_translate(self, tmp_path, capsys):
        pairs = read_parallel(["bundled:tatoeba_fr_en_train"])
        for name, part in (("train", pairs[:300]), ("valid", pairs[300:340])):
            lines = "".join(f"{p.source}\t{p.target}\n" for p in part)
            (tmp_path / f"{name}.tsv").write_text(lines, encoding="utf-8")
        sentences = [pairs[0].source, pairs[1].source]
        recipe("translation").main([
            "--data", str(tmp_path / "train.tsv"), "--set", f"data.validation=[{tmp_path / 'valid.tsv'}]",
            "--set", "tokenizer.source.kind=word", "--set", "tokenizer.target.kind=word",
            "--set", "model.embedding_dim=16", "--set", "model.hidden_dim=24",
            "--set", "training.beam_size=2",
            *places(tmp_path), "--translate", *sentences, "--beam", "2"])
        lines = [line for line in capsys.readouterr().out.splitlines() if "\t" in line]
        directory = str(tmp_path / "saved" / "tatoeba_sample")
        # Each printed line is the source and the saved model's own beam-2 translation of it.
        assert [line.split("\t") for line in lines] == [
            [source, target] for source, target in zip(sentences, load(directory).translate(sentences, 2), strict=True)]
        # metrics.json holds what the saved model scores when loaded and run again on the validation pairs.
        metrics = json.loads((tmp_path / "saved" / "tatoeba_sample" / "metrics.json").read_text())
        model, tokenizers, config = load_model_directory(directory)
        report, _ = evaluate_translator(sentence_translator(model, tokenizers, config.data), pairs[300:340])
        assert metrics["validation"]["greedy"]["sentences"] == 40
        assert report["bleu"] == pytest.approx(metrics["validation"]["greedy"]["bleu"], abs=1e-6)
        assert report["chrf"] == pytest.approx(metrics["validation"]["greedy"]["chrf"], abs=1e-6)


class TaggingRecipeTest:
    def test_trains_on_user_json_lines_and_exports_a_verified_quantized_folder(self, tmp_path, monkeypatch):
        from seqtk.data.tagged_text import read_tagged

        monkeypatch.chdir(tmp_path)  # the export goes to exports/ under the current directory
        sentences = read_tagged(["bundled:ud_ewt_sample_train"])[:120]
        data = tmp_path / "mine.jsonl"
        data.write_text("".join(json.dumps({"tokens": s.tokens, "tags": s.tags}) + "\n" for s in sentences),
                        encoding="utf-8")
        recipe("tagging").main(["--config", "ud_ewt_sample", "--data", str(data), "--set", "name=mine",
                                "--set", f"data.validation=[{data}]", "--set", "model.hidden_dim=16",
                                "--set", "model.char_hidden_dim=8", "--export", "dynamic", *places(tmp_path)])
        directory = tmp_path / "saved" / "mine"
        metrics = yaml.safe_load((directory / "metrics.json").read_text())
        assert metrics["train_sentences"] == 120 and metrics["validation"]["tokens"] == sum(
            len(s.tokens) for s in sentences)
        report = yaml.safe_load((tmp_path / "exports" / "mine_tflite_dynamic" / "export_report.json").read_text())
        assert report["task"] == "tagger" and report["quantize"] == "dynamic" and not report["flex_operators"]
        assert "tag_agreement" in report["keras_agreement"]
