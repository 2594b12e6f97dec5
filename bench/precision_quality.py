"""Validation quality of bfloat16 training against float32 for the same minutes (issue 30's quality check).

    python bench/precision_quality.py shakespeare_char ptb_small --minutes 8

Each config trains twice within the same time budget: `training.mixed_precision=none` (float32, XLA as the
config says) and `bfloat16` (on CPUs: no XLA for the step, the loss compiled with XLA; see docs/training.md).
bfloat16 may fit more steps into the minutes. The check: bfloat16's validation perplexity is within 1% of
float32's, or better. Data comes from ../shared/data (or $SEQTK_DATA_DIR); models go to bench/models/.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

from common import print_table, write_results

from seqtk.tasks import load_config, train
from seqtk.training.bfloat16_support import cpu_bfloat16_units

TOLERANCE = 0.01  # bfloat16's perplexity may be this much above float32's


def trained(name, precision, minutes):
    overrides = [f"name={name}_{precision}", f"training.time_budget_minutes={minutes}", "training.verbose=2",
                 f"training.mixed_precision={precision}", "output_dir=bench/models",
                 "checkpoint_dir=bench/checkpoints", "log_dir=bench/runs"]
    config = load_config(name, overrides=overrides)
    config.training.epochs = 1000  # the time budget ends the run
    command = f"python bench/precision_quality.py {name} --minutes {minutes}"
    metrics = train(config, command=command)["metrics"]
    return metrics


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("configs", nargs="+")
    parser.add_argument("--minutes", type=float, default=8.0, help="training time budget per run")
    args = parser.parse_args()
    rows = []
    for name in args.configs:
        runs = {precision: trained(name, precision, args.minutes) for precision in ("none", "bfloat16")}
        row = {"config": name, "minutes": args.minutes}
        for precision, metrics in runs.items():
            label = "float32" if precision == "none" else precision
            row[f"{label}_epochs"] = metrics["epochs_run"]
            row[f"{label}_val_perplexity"] = round(metrics["validation"]["perplexity"], 3)
        ratio = row["bfloat16_val_perplexity"] / row["float32_val_perplexity"]
        row.update({"bf16_over_f32_perplexity": round(ratio, 4), "within_1_percent": ratio <= 1 + TOLERANCE})
        rows.append(row)
        print_table(rows, list(rows[0]))
    write_results("precision_quality", rows, cpu_bfloat16_units=cpu_bfloat16_units(), minutes=args.minutes)


if __name__ == "__main__":
    main()
