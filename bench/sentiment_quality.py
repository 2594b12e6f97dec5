"""Validation accuracy and macro-F1 of the sentiment configs, each trained within a time budget.

    python bench/sentiment_quality.py sst2 --minutes 30          # target: dev accuracy >= 0.85
    python bench/sentiment_quality.py imdb --minutes 40          # target: validation accuracy >= 0.88
    python bench/lm_quality.py imdb --minutes 60                 # the language model for transfer, then:
    python bench/sentiment_quality.py imdb_ulmfit --minutes 60   # target: validation accuracy >= 0.90
    seqtk train lm --config sst2 --init-from bench/models/imdb_lm --set name=sst2_lm --set output_dir=bench/models
    python bench/sentiment_quality.py sst2_ulmfit --minutes 20   # target: >= 0.85

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
from seqtk.training import load_config, train_classifier  # noqa: E402

TARGETS = {"sst2": 0.85, "sst2_ulmfit": 0.85, "imdb": 0.88, "imdb_ulmfit": 0.90}
LANGUAGE_MODELS = {"imdb_ulmfit": "bench/models/imdb_lm", "sst2_ulmfit": "bench/models/sst2_lm"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("configs", nargs="+")
    parser.add_argument("--minutes", type=float, default=30.0, help="training time budget per config")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()

    rows = []
    for name in args.configs:
        overrides = [f"training.time_budget_minutes={args.minutes}", "training.verbose=2",
                     "output_dir=bench/models", "checkpoint_dir=bench/checkpoints", "log_dir=bench/runs"]
        if name in LANGUAGE_MODELS:
            overrides.append(f"init_from={LANGUAGE_MODELS[name]}")
        config = load_config(name, overrides=overrides + args.set, task="classifier")
        command = f"python bench/sentiment_quality.py {name} --minutes {args.minutes}" + "".join(
            f" --set {o}" for o in args.set)
        metrics = train_classifier(config, command=command)["metrics"]
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


if __name__ == "__main__":
    main()
