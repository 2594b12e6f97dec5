"""Dev accuracy / entity F1 of the tagger configs, each trained within a time budget, and tagging speed.

    python bench/tagging_quality.py ud_ewt_upos --minutes 60                  # target: UPOS accuracy >= 0.950
    python bench/tagging_quality.py conll2003_ner --minutes 60                # target: entity F1 >= 0.880
    python bench/tagging_quality.py conll2003_ner --minutes 60 --name conll2003_ner_softmax --set model.crf=false
                                                                              # CRF vs softmax, reported
    python bench/lm_quality.py wikitext2_small --minutes 20                   # language models to transfer
    python bench/lm_quality.py wikitext2_small_backward --minutes 20
    python bench/tagging_quality.py conll2003_ner_transfer --minutes 60       # transfer vs conll2003_ner
    python bench/tagging_quality.py --speed ud_ewt_upos                       # sentences/s at batch 64 and 1

Data comes from ../shared/data (or $SEQTK_DATA_DIR): UD English EWT dev, CoNLL-2003 eng.testa (the dev split).
Models go to bench/models/<name>. Tagging speed (target: >= 1,000 sentences/s at batch 64) is measured on the
dev sentences after one warm-up pass, the whole pipeline included (tokens to ids, padding, Viterbi).
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

from common import print_table, write_results  # noqa: E402
from seqtk.tasks import load_config, load_model_directory, train  # noqa: E402

TARGETS = {"ud_ewt_upos": ("accuracy", 0.950), "conll2003_ner": ("f1", 0.880), "conll2003_ner_transfer": ("f1", 0.880)}
# Transfer configs start from the language models bench/lm_quality.py trained into bench/models.
LANGUAGE_MODELS = {"conll2003_ner_transfer": ("bench/models/wikitext2_small", "bench/models/wikitext2_small_backward")}
SPEED_TARGET = 1000.0  # sentences/s at batch 64


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("configs", nargs="+")
    parser.add_argument("--minutes", type=float, default=60.0, help="training time budget per config")
    parser.add_argument("--name", help="the model's name (one config): a variant's own bench/models folder")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--speed", action="store_true", help="train nothing: time the trained bench/models")
    parser.add_argument("--export", action="store_true",
                        help="train nothing: export the trained bench/models to TFLite (float, dynamic, int8) and "
                             "compare their tags with Keras on every dev sentence")
    args = parser.parse_args()
    if args.speed:
        return speed(args.configs, args.name)
    if args.export:
        return export(args.configs, args.name)
    rows = []
    for config_name in args.configs:
        name = args.name or config_name
        overrides = [f"training.time_budget_minutes={args.minutes}", "training.verbose=2", f"name={name}",
                     "output_dir=bench/models", "checkpoint_dir=bench/checkpoints", "log_dir=bench/runs"]
        if config_name in LANGUAGE_MODELS:
            forward, backward = LANGUAGE_MODELS[config_name]
            overrides += [f"init_from={forward}", f"init_from_backward={backward}"]
        config = load_config(config_name, overrides=overrides + args.set, task="tagger")
        command = f"python bench/tagging_quality.py {config_name} --minutes {args.minutes}" + (
            f" --name {args.name}" if args.name else "") + "".join(f" --set {o}" for o in args.set)
        metrics = train(config, command=command)["metrics"]
        report = metrics["validation"]
        measure, target = TARGETS.get(config_name, ("accuracy", None))
        value = report["entities"]["f1"] if measure == "f1" else report["accuracy"]
        rows.append({
            "model": name, "config": config_name, "crf": config.model.crf, "minutes_budget": args.minutes,
            "minutes_trained": round(metrics["training_seconds"] / 60, 1), "epochs": metrics["epochs_run"],
            "dev_sentences": report["sentences"], "accuracy": round(report["accuracy"], 4),
            "unknown_word_accuracy": round(report["unknown_words"]["accuracy"], 4),
            "entity_f1": round(report["entities"]["f1"], 4) if "entities" in report else "",
            "target": f"{measure} >= {target}" if target else "",
            "met": bool(target is not None and value >= target),
        })
        print_table(rows, list(rows[0]))
        write_results(f"tagging_quality_{name}", rows, overrides=args.set)


def speed(configs, name=None):
    """Sentences per second of the trained bench/models/<name> on its dev sentences, batch 64 and 1."""
    from seqtk.data.tag_schemes import in_output_scheme
    from seqtk.data.tagged_text import read_tagging_data
    from seqtk.tasks.tagger import sentence_tagger

    rows = []
    for config_name in configs:
        directory = f"bench/models/{name or config_name}"
        model, tokenizer, config = load_model_directory(directory, task="tagger")
        data = load_config(config_name, task="tagger").data
        _, dev, _ = read_tagging_data(data, log=lambda *a: None)
        sentences = [s.tokens for s in in_output_scheme(dev, config.data)]
        tagger = sentence_tagger(model, tokenizer, config)
        for batch in (64, 1):
            chosen = sentences if batch > 1 else sentences[:300]
            tagger.tag(chosen[:max(batch * 4, 64)], batch)  # warm-up: traces the decoding function
            start = time.perf_counter()
            tagger.tag(chosen, batch)
            seconds = time.perf_counter() - start
            rate = len(chosen) / seconds
            rows.append({"model": directory, "batch": batch, "sentences": len(chosen),
                         "tokens": sum(map(len, chosen)), "sentences_per_second": round(rate, 1),
                         "tokens_per_second": round(sum(map(len, chosen)) / seconds),
                         "target": f">= {SPEED_TARGET:.0f}" if batch == 64 else "",
                         "met": bool(rate >= SPEED_TARGET) if batch == 64 else ""})
    print_table(rows, list(rows[0]))
    write_results(f"tagging_speed_{'_'.join(name and [name] or configs)}", rows)


def export(configs, name=None):
    """Each quantization's file size, latency per sentence and tag agreement with Keras on the dev set."""
    import tempfile

    from seqtk.export.litert_model import LiteRTModel
    from seqtk.export.tflite_exporter import export_tflite
    from seqtk.data.tag_schemes import in_output_scheme
    from seqtk.data.tagged_text import read_tagging_data
    from seqtk.tasks.tagger import sentence_tagger

    rows = []
    for config_name in configs:
        directory = f"bench/models/{name or config_name}"
        model, tokenizer, config = load_model_directory(directory, task="tagger")
        _, dev = read_tagging_data(load_config(config_name, task="tagger").data, log=lambda *a: None)
        sentences = [list(s.tokens) for s in in_output_scheme(dev, config.data)]
        keras_tags = sentence_tagger(model, tokenizer, config).tag(sentences)
        examples = config.data.validation[0].replace("{data_dir}", os.environ.get("SEQTK_DATA_DIR", "../shared/data"))
        with tempfile.TemporaryDirectory() as folder:
            for quantize in ("none", "dynamic", "int8"):
                output = os.path.join(folder, quantize)
                report = export_tflite(directory, output, quantize=quantize, examples_path=examples,
                                       log=lambda *a: None)
                lite = LiteRTModel.from_directory(output)
                start = time.perf_counter()
                tags = lite.tag(sentences)
                seconds = time.perf_counter() - start
                same = sum(a == b for x, y in zip(tags, keras_tags, strict=True) for a, b in zip(x, y, strict=True))
                tokens = sum(map(len, sentences))
                rows.append({"model": directory, "quantize": quantize, "size_mb": round(report["size_bytes"] / 1e6, 2),
                             "dev_sentences": len(sentences), "tokens": tokens,
                             "tag_agreement_with_keras": round(same / tokens, 5),
                             "ms_per_sentence": round(1000 * seconds / len(sentences), 3),
                             "flex_ops": len(report["flex_operators"]),
                             "target": ">= 0.999" if quantize == "none" else "reported",
                             "met": bool(same / tokens >= 0.999) if quantize == "none" else ""})
                print_table(rows, list(rows[0]))
    write_results(f"tagging_export_{'_'.join(name and [name] or configs)}", rows)


if __name__ == "__main__":
    main()
