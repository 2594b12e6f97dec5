"""Is fine-tuning the shipped character model worth it? Transfer against from-scratch, same budget.

    python bench/fine_tune_quality.py --minutes 10       # WikiText-2 from ../shared/data (or $SEQTK_DATA_DIR)

Two WikiText-2 character models with the architecture and training settings of the shipped
`tests/fixtures/shakespeare_char_legacy` (the 1x384 model once shipped; its own config.yaml), each trained for the same time budget:
  - transfer: `seqtk train lm --init-from tests/fixtures/shakespeare_char_legacy` (vocabulary extended with the
    characters WikiText-2 has at least 5 times, new rows the mean of the others);
  - scratch: the same settings, a vocabulary and weights of its own.
Both are scored on WikiText-2's validation split: bits per character over the whole stream, carried state,
the stream cut into the config's evaluation batch (16 streams of 70k characters) and into the training
batch (32 streams, as the validation during training). Models go to bench/models/, not saved_models/;
`--score-only` scores the models a run left there again.
"""

import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

from common import print_table, write_results  # noqa: E402

from seqtk.data.text_sources import expand_data_dir  # noqa: E402
from seqtk.tasks import evaluate, load_model_directory, train_task  # noqa: E402

BASE = "tests/fixtures/shakespeare_char_legacy"  # the 1x384 model its committed results fine-tuned


MODELS = {"transfer": "wikitext2_char_from_shakespeare", "scratch": "wikitext2_char_scratch"}
VALIDATION = "{data_dir}/wikitext-2/valid.txt"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="training time budget of each model")
    parser.add_argument("--base", default=BASE, help="the shipped character model to fine-tune")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--score-only", action="store_true",
                        help="score the models a previous run left in bench/models, without training")
    args = parser.parse_args()

    common = [f"training.time_budget_minutes={args.minutes}", "training.epochs=1000", "training.verbose=2",
              "data.train=['{data_dir}/wikitext-2/train.txt']", f"data.validation=['{VALIDATION}']",
              "output_dir=bench/models", "checkpoint_dir=bench/checkpoints", "log_dir=bench/runs", *args.set]
    command = f"python bench/fine_tune_quality.py --minutes {args.minutes}"
    if not args.score_only:
        train_task("lm", overrides=[f"name={MODELS['transfer']}", *common], init_from=args.base, command=command)
        train_task("lm", config=os.path.join(args.base, "config.yaml"), overrides=[f"name={MODELS['scratch']}", *common],
                   command=command)
    rows = [score(name, os.path.join("bench", "models", folder), args.base) for name, folder in MODELS.items()]
    gains = {key: round(rows[1][key] - rows[0][key], 4) for key in ("val_bpc_eval_streams", "val_bpc_train_streams")}
    print_table(rows, list(rows[0]))
    for key, gain in gains.items():
        print(f"transfer gain, {key}: {gain:+.4f} bits/char ({'transfer better' if gain > 0 else 'no gain'})")
    write_results("fine_tune_quality_wikitext2_char", rows, minutes=args.minutes, base=args.base,
                  gain_bits_per_char=gains, overrides=args.set)


def score(name, directory, base):
    """A row: how the model trained (its metrics.json) and its validation bits per character when the
    stream is cut into the config's evaluation batch of streams and into the training batch's."""
    with open(os.path.join(directory, "metrics.json"), encoding="utf-8") as handle:
        metrics = json.load(handle)
    config = load_model_directory(directory, task="lm")[2]
    validation = [expand_data_dir(VALIDATION)]
    by_streams = {streams: evaluate(directory, validation, batch_size=streams)[1]["bits_per_character"]
                  for streams in (config.training.eval_batch_size, config.training.batch_size)}
    before = metrics.get("validation_before_fine_tuning")
    return {
        "model": name, "start": base if name == "transfer" else "random", "vocabulary": metrics["vocabulary_size"],
        "minutes_trained": round(metrics["training_seconds"] / 60, 1), "steps": metrics["train_steps"],
        "eval_streams": config.training.eval_batch_size,
        "val_bpc_eval_streams": round(by_streams[config.training.eval_batch_size], 4),
        "train_streams": config.training.batch_size,
        "val_bpc_train_streams": round(by_streams[config.training.batch_size], 4),
        "val_bpc_before": round(before["bits_per_character"], 4) if before else None,
        "val_unknown_share": metrics["unknown_symbols"]["validation"]["share"],
    }


if __name__ == "__main__":
    main()
