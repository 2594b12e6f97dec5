"""Validation accuracy and macro-F1 of the sentiment configs, each trained within a time budget.

    python bench/sentiment_quality.py sst2 --minutes 30          # target: dev accuracy >= 0.85
    python bench/sentiment_quality.py imdb --minutes 40          # target: validation accuracy >= 0.88
    python bench/lm_quality.py imdb --minutes 60                 # the language model for transfer, then:
    python bench/sentiment_quality.py imdb_ulmfit --minutes 60   # target: validation accuracy >= 0.90
    seqtk train lm --config sst2 --init-from bench/models/imdb_lm --set output_dir=bench/models
    python bench/sentiment_quality.py sst2_ulmfit --minutes 20   # target: >= 0.85
    python bench/lm_quality.py imdb_backward --minutes 60 --set tokenizer.model_file=bench/models/imdb_lm/sentencepiece.model
    python bench/sentiment_quality.py imdb_ulmfit_backward --minutes 60
    python bench/sentiment_quality.py --ensemble imdb_ulmfit imdb_ulmfit_backward   # ULMFiT's pair, averaged
    seqtk train lm --config sst2_backward --init-from bench/models/imdb_lm_backward --set output_dir=bench/models
    python bench/sentiment_quality.py sst2_ulmfit_backward --minutes 20
    python bench/sentiment_quality.py --ensemble sst2 sst2_ulmfit sst2_ulmfit_backward   # target: >= 0.85

Data comes from ../shared/data (or $SEQTK_DATA_DIR). Models go to bench/models/<config>;
imdb_ulmfit starts from bench/models/imdb_lm (written by bench/lm_quality.py imdb) and sst2_ulmfit from
bench/models/sst2_lm (that model fine-tuned on SST-2's sentences).
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

from common import print_table, write_results  # noqa: E402
from seqtk.tasks import load_config, train  # noqa: E402

TARGETS = {"sst2": 0.85, "sst2_ulmfit": 0.85, "imdb": 0.88, "imdb_ulmfit": 0.90, "imdb_ulmfit_backward": 0.90,
           "sst2_ulmfit_backward": 0.85}
LANGUAGE_MODELS = {"imdb_ulmfit": "bench/models/imdb_lm", "sst2_ulmfit": "bench/models/sst2_lm",
                   "imdb_ulmfit_backward": "bench/models/imdb_lm_backward",
                   "sst2_ulmfit_backward": "bench/models/sst2_lm_backward"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("configs", nargs="+")
    parser.add_argument("--minutes", type=float, default=30.0, help="training time budget per config")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--ensemble", action="store_true",
                        help="train nothing: score the average of the configs' trained bench/models")
    args = parser.parse_args()
    if args.ensemble:
        return ensemble(args.configs)

    rows = []
    for name in args.configs:
        overrides = [f"training.time_budget_minutes={args.minutes}", "training.verbose=2",
                     "output_dir=bench/models", "checkpoint_dir=bench/checkpoints", "log_dir=bench/runs"]
        if name in LANGUAGE_MODELS:
            overrides.append(f"init_from={LANGUAGE_MODELS[name]}")
        config = load_config(name, overrides=overrides + args.set, task="classifier")
        command = f"python bench/sentiment_quality.py {name} --minutes {args.minutes}" + "".join(
            f" --set {o}" for o in args.set)
        metrics = train(config, command=command)["metrics"]
        validation = metrics["validation"]
        target = TARGETS.get(name)
        rows.append({
            "config": name, "minutes_budget": args.minutes,
            "minutes_trained": round(metrics["training_seconds"] / 60, 1), "epochs": metrics["epochs_run"],
            "validation_examples": validation["examples"], "accuracy": round(validation["accuracy"], 4),
            "macro_f1": round(validation["macro_f1"], 4),
            "target": f"accuracy >= {target}" if target else "",
            "met": bool(target is not None and validation["accuracy"] >= target),
        })
        print_table(rows, list(rows[0]))
        write_results(f"sentiment_quality_{'_'.join(args.configs)}", rows, overrides=args.set)


def ensemble(names):
    """Validation accuracy of the averaged probabilities of bench/models/<name> for each config."""
    from seqtk.predictors import ClassifierPredictor
    from seqtk.tasks.classifier import read_classification_data

    splits = [read_classification_data(load_config(name, task="classifier").data)[1] for name in names]
    if any([e.text for e in split] != [e.text for e in splits[0]] for split in splits[1:]):
        raise ValueError(f"{names}: the configs hold out different validation rows; an ensemble needs one split.")
    models = [f"bench/models/{load_config(name, task='classifier').name}" for name in names]
    report, _ = ClassifierPredictor.averaging(models).runtime.evaluate(splits[0])
    target = max(TARGETS.get(name, 0.0) for name in names)
    rows = [{"model": m["model"], "accuracy": round(m["accuracy"], 4), "macro_f1": round(m["macro_f1"], 4)}
            for m in report["members"]]
    rows.append({"model": " + ".join(names) + " (mean probability)", "accuracy": round(report["accuracy"], 4),
                 "macro_f1": round(report["macro_f1"], 4), "validation_examples": report["examples"],
                 "target": f"accuracy >= {target}", "met": bool(report["accuracy"] >= target)})
    print_table(rows, list(rows[-1]))
    write_results(f"sentiment_quality_ensemble_{'_'.join(names)}", rows)


if __name__ == "__main__":
    main()
