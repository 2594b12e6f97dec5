"""Is fine-tuning the shipped character model worth it? Transfer against from-scratch, same budget.

    python bench/fine_tune_quality.py --minutes 10       # WikiText-2 from ../shared/data (or $SEQTK_DATA_DIR)

Two WikiText-2 character models with the architecture and training settings of the shipped
`saved_models/shakespeare_char` (its own config.yaml), each trained for the same time budget:
  - transfer: `seqtk train lm --init-from saved_models/shakespeare_char` (vocabulary extended with the
    characters WikiText-2 has at least 5 times, new rows the mean of the others);
  - scratch: the same settings, a vocabulary and weights of its own.
Both are scored on WikiText-2's validation split (bits per character over the whole stream).
Models go to bench/models/, not saved_models/.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

from common import print_table, write_results  # noqa: E402
from seqtk.tasks import train_task  # noqa: E402

BASE = "saved_models/shakespeare_char"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="training time budget of each model")
    parser.add_argument("--base", default=BASE, help="the shipped character model to fine-tune")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()

    common = [f"training.time_budget_minutes={args.minutes}", "training.epochs=1000", "training.verbose=2",
              "data.train=['{data_dir}/wikitext-2/train.txt']", "data.validation=['{data_dir}/wikitext-2/valid.txt']",
              "output_dir=bench/models", "checkpoint_dir=bench/checkpoints", "log_dir=bench/runs", *args.set]
    command = f"python bench/fine_tune_quality.py --minutes {args.minutes}"
    runs = {
        "transfer": train_task("lm", overrides=["name=wikitext2_char_from_shakespeare", *common],
                               init_from=args.base, command=command),
        "scratch": train_task("lm", config=os.path.join(args.base, "config.yaml"),
                              overrides=["name=wikitext2_char_scratch", *common], command=command),
    }
    rows = []
    for name, result in runs.items():
        metrics = result["metrics"]
        validation = metrics["validation"]
        before = metrics.get("validation_before_fine_tuning")
        rows.append({
            "model": name, "start": args.base if name == "transfer" else "random",
            "vocabulary": metrics["vocabulary_size"],
            "minutes_trained": round(metrics["training_seconds"] / 60, 1), "steps": metrics["train_steps"],
            "val_bits_per_char": round(validation["bits_per_character"], 4),
            "val_bits_per_char_before": round(before["bits_per_character"], 4) if before else None,
            "val_unknown_share": metrics["unknown_symbols"]["validation"]["share"],
        })
    gain = rows[1]["val_bits_per_char"] - rows[0]["val_bits_per_char"]
    print_table(rows, list(rows[0]))
    print(f"transfer gain: {gain:+.4f} bits/char ({'transfer better' if gain > 0 else 'no gain from transfer'})")
    write_results("fine_tune_quality_wikitext2_char", rows, minutes=args.minutes, base=args.base,
                  gain_bits_per_char=round(gain, 4), overrides=args.set)


if __name__ == "__main__":
    main()
