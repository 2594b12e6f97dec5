"""Train a recurrent language model from a named config or a YAML file.

    python recipes/language_model.py --config shakespeare_char                  # bundled corpus, ~3 min
    python recipes/language_model.py --config ptb_small                         # Zaremba small on PTB
    python recipes/language_model.py --config ptb_medium --set training.epochs=10
    python recipes/language_model.py --config shakespeare_char --data my.txt    # your own corpus
    python recipes/language_model.py --init-from saved_models/shakespeare_char_large --data my.txt   # fine-tune

Named configs: shakespeare_char, ptb_small, ptb_medium, wikitext2_awd (seqtk/configs/lm/). PTB and
WikiText-2 are read from {data_dir} = $SEQTK_DATA_DIR or ../shared/data. The run writes
models/<name>/ (model.keras, tokenizer, config.yaml, metrics.json, MODEL_CARD.md).
"""

import argparse
import sys

from seqtk.tasks import train_task


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="named config or YAML/JSON file (default: shakespeare_char; when "
                                         "fine-tuning, the base model's own settings)")
    parser.add_argument("--data", nargs="+", help="your text files; replace the config's corpus")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="e.g. training.epochs=3")
    parser.add_argument("--init-from", help="saved model directory to fine-tune")
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    args = parser.parse_args(argv)
    # Fine-tuning without a config keeps the base model's own settings.
    config = args.config or (None if args.init_from else "shakespeare_char")
    train_task("lm", config, args.set, args.data, args.init_from, args.resume,
               command="python recipes/language_model.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
