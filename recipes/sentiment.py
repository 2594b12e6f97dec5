"""Train a sentiment classifier (many-to-one), from scratch or transferred from a language model (ULMFiT).

    python recipes/sentiment.py --config sst2_sentences             # bundled SST-2 sentences, ~2 min, offline
    python recipes/sentiment.py --config sst2                       # GLUE SST-2 train/dev
    python recipes/sentiment.py --config imdb                       # IMDB, 10% of train held out
    python recipes/sentiment.py --config imdb_ulmfit --pretrain imdb    # language model on IMDB text, then transfer
    python recipes/sentiment.py --config sst2_ulmfit --pretrain imdb sst2   # IMDB LM, fine-tuned on SST, transfer
    python recipes/sentiment.py --config imdb_ulmfit_backward --pretrain imdb_backward   # the backward twin
    python recipes/sentiment.py --config sst2_ulmfit_backward --pretrain imdb_backward sst2_backward
    python recipes/sentiment.py --config sst2_ulmfit_bidirectional --pretrain imdb sst2 \
        --pretrain-backward imdb_backward sst2_backward   # the shipped preset: both directions in one model
    seqtk evaluate --model models/imdb_ulmfit --model models/imdb_ulmfit_backward --data F  # averaged
    python recipes/sentiment.py --config sst2_sentences --data my.tsv --set data.text_column=review

Named configs: seqtk/configs/classifier/ (sst2_sentences, sst2, imdb, imdb_ulmfit, sst2_ulmfit and their
_backward twins, which read right to left from a backward language model). GLUE SST-2 and IMDB
are read from {data_dir} = $SEQTK_DATA_DIR or ../shared/data. `--pretrain <lm config>` first trains that
language model (seqtk/configs/lm/) and transfers it; each further config fine-tunes the model before it
(ULMFiT's target-corpus stage). Without it, the model that the config's `init_from` names is transferred.
`--pretrain-backward` trains a backward chain the same way, after the forward one (whose tokenizer it
reads), and the classifier becomes bidirectional, each direction starting from its own language model.
The run writes models/<name>/ with the labels, metrics.json and MODEL_CARD.md.
"""

import argparse
import sys

from seqtk.tasks import train_task


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="sst2_sentences", help="named classifier config or YAML/JSON file")
    parser.add_argument("--data", nargs="+", help="your labelled files; replace the config's training data")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="e.g. training.epochs=3")
    parser.add_argument("--pretrain", nargs="+", help="language-model configs to train first, each fine-tuning "
                                                     "the one before, and transfer (ULMFiT)")
    parser.add_argument("--pretrain-backward", nargs="+", metavar="CONFIG",
                        help="backward language-model configs, trained after --pretrain's, whose last model "
                             "starts the classifier's backward directions (init_from_backward)")
    parser.add_argument("--init-from", help="a trained seqtk language model to transfer")
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    args = parser.parse_args(argv)
    command = "python recipes/sentiment.py " + " ".join(sys.argv[1:])
    init_from = args.init_from
    for name in args.pretrain or ():
        init_from = train_task("lm", name, init_from=init_from, command=command)["directory"]
    overrides, backward = list(args.set), None
    for name in args.pretrain_backward or ():
        backward = train_task("lm", name, init_from=backward, command=command)["directory"]
    if backward:
        overrides.append(f"init_from_backward={backward}")
    train_task("classifier", args.config, overrides, args.data, init_from, args.resume, command=command)


if __name__ == "__main__":
    main()
