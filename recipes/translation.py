"""Train an attention-free encoder-decoder translator (many-to-many, unequal lengths), then try it.

    python recipes/translation.py                                   # bundled Tatoeba sample, fr->en, ~5 min, offline
    python recipes/translation.py --config tatoeba_fr_en            # Tatoeba French->English (../shared/data)
    python recipes/translation.py --config multi30k_de_en           # Multi30k German->English
    python recipes/translation.py --data train.de,train.en --set data.source_language=de
    python recipes/translation.py --config tatoeba_sample --translate "Il fait beau." "Je suis fatigué."

Named configs: seqtk/configs/translator/ (tatoeba_sample, tatoeba_fr_en, multi30k_de_en). Shared corpora are
read from {data_dir} = $SEQTK_DATA_DIR or ../shared/data. The run writes models/<name>/ with both
tokenizers, metrics.json (validation BLEU and chrF, greedy and beam) and MODEL_CARD.md, then translates the
`--translate` sentences with a beam of `--beam`.
"""

import argparse
import sys

from seqtk.predictors import load
from seqtk.tasks import train_task


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="tatoeba_sample", help="named translator config or YAML/JSON file")
    parser.add_argument("--data", nargs="+", help="your parallel data (TSV, JSON lines or src_file,tgt_file)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="e.g. training.epochs=3")
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    parser.add_argument("--translate", nargs="*", default=[], help="sentences to translate after training")
    parser.add_argument("--beam", type=int, default=5)
    args = parser.parse_args(argv)
    command = "python recipes/translation.py " + " ".join(sys.argv[1:])
    directory = train_task("translator", args.config, args.set, args.data, resume=args.resume,
                           command=command)["directory"]
    if args.translate:
        for source, target in zip(args.translate, load(directory).translate(args.translate, args.beam), strict=True):
            print(f"{source}\t{target}")


if __name__ == "__main__":
    main()
