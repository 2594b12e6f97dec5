"""Validation quality of named language-model configs trained within a time budget.

    python bench/lm_quality.py shakespeare_char --minutes 20      # target: <= 1.55 nats/char
    python bench/lm_quality.py ptb_small --minutes 60             # target: perplexity <= 125

Data comes from ../shared/data (or $SEQTK_DATA_DIR); the bundled tiny Shakespeare is the same corpus.
Trained models go to bench/models/<config>, not saved_models/.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

from common import print_table, write_results  # noqa: E402
from seqtk.tasks import load_config, train  # noqa: E402

TARGETS = {"shakespeare_char": ("loss", 1.55), "ptb_small": ("perplexity", 125.0),
           "ptb_medium": ("perplexity", 86.2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("configs", nargs="+")
    parser.add_argument("--minutes", type=float, default=20.0, help="training time budget per config")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()

    rows = []
    for name in args.configs:
        overrides = [f"training.time_budget_minutes={args.minutes}", "training.verbose=2",
                     "output_dir=bench/models", "checkpoint_dir=bench/checkpoints", "log_dir=bench/runs"] + args.set
        config = load_config(name, overrides=overrides)
        if name == "shakespeare_char":
            config.training.epochs = 1000
        metrics = train(config, command=f"python bench/lm_quality.py {name} --minutes {args.minutes}")["metrics"]
        validation = metrics["validation"]
        metric, target = TARGETS.get(name, ("perplexity", None))
        rows.append({
            "config": name, "minutes_budget": args.minutes, "minutes_trained": round(metrics["training_seconds"] / 60, 1),
            "epochs": metrics["epochs_run"], "val_loss_nats": round(validation["loss"], 4),
            "val_perplexity": round(validation["perplexity"], 2),
            "val_bits_per_char": round(validation["bits_per_character"], 4) if "bits_per_character" in validation else None,
            "target": f"{metric} <= {target}" if target else "",
            "met": bool(target is not None and validation[metric] <= target),
        })
        print_table(rows, list(rows[0]))
        write_results(f"lm_quality_{'_'.join(args.configs)}", rows, overrides=args.set)


if __name__ == "__main__":
    main()
