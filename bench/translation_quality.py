"""Validation BLEU and chrF (greedy and beam 5) and decoding speed of the translator configs.

    python bench/translation_quality.py tatoeba_fr_en --minutes 60     # target: BLEU >= 32, beam 5 >= greedy + 1
    python bench/translation_quality.py multi30k_de_en --minutes 60    # target: BLEU >= 22, beam 5 >= greedy + 1
    python bench/translation_quality.py tatoeba_sample --minutes 4.5   # the bundled offline default

Each config trains within the time budget (validation BLEU picks the best epoch), then the whole validation
set is translated greedily and with a beam of 5 (batch 64, every batch shape compiled first, so the speed is
steady-state decoding). Data comes from ../shared/data (or $SEQTK_DATA_DIR); models go to bench/models/<config>.
Target for speed: greedy decoding >= 200 sentences/s at batch 64.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

from common import print_table, write_results  # noqa: E402
from seqtk.tasks import load_config, train  # noqa: E402

BLEU_TARGETS = {"tatoeba_fr_en": 32.0, "multi30k_de_en": 22.0}
GREEDY_SPEED_TARGET = 200.0
BEAM = 5


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("configs", nargs="+")
    parser.add_argument("--minutes", type=float, default=60.0, help="training time budget per config")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()

    rows = []
    for name in args.configs:
        overrides = [f"training.time_budget_minutes={args.minutes}", "training.verbose=2",
                     f"training.beam_size={BEAM}", "training.eval_batch_size=64", "output_dir=bench/models",
                     "checkpoint_dir=bench/checkpoints", "log_dir=bench/runs"]
        config = load_config(name, overrides=overrides + args.set, task="translator")
        command = f"python bench/translation_quality.py {name} --minutes {args.minutes}" + "".join(
            f" --set {o}" for o in args.set)
        metrics = train(config, command=command)["metrics"]
        greedy, beam = metrics["validation"]["greedy"], metrics["validation"][f"beam{BEAM}"]
        target = BLEU_TARGETS.get(name)
        met = (greedy["sentences_per_second"] >= GREEDY_SPEED_TARGET and beam["bleu"] >= greedy["bleu"] + 1.0
               and (target is None or max(greedy["bleu"], beam["bleu"]) >= target))
        rows.append({
            "config": name, "minutes_budget": args.minutes,
            "minutes_trained": round(metrics["training_seconds"] / 60, 1), "epochs": metrics["epochs_run"],
            "sentences": greedy["sentences"],
            "bleu_greedy": round(greedy["bleu"], 2), "bleu_beam5": round(beam["bleu"], 2),
            "chrf_greedy": round(greedy["chrf"], 2), "chrf_beam5": round(beam["chrf"], 2),
            "greedy_sent_per_s": round(greedy["sentences_per_second"], 1),
            "beam5_sent_per_s": round(beam["sentences_per_second"], 1),
            "target": (f"BLEU >= {target}, " if target else "") + f"beam5 >= greedy + 1, greedy >= "
                      f"{GREEDY_SPEED_TARGET:.0f} sent/s",
            "met": bool(met),
        })
        print_table(rows, list(rows[0]))
        write_results(f"translation_quality_{'_'.join(args.configs)}", rows, overrides=args.set,
                      bleu_signature=greedy["bleu_signature"])


if __name__ == "__main__":
    main()
