"""Train a sequence tagger (many-to-many, equal lengths): part of speech or named entities, BiLSTM-CRF.

    python recipes/tagging.py --config ud_ewt_sample               # bundled UD EWT sample (UPOS), ~1 min, offline
    python recipes/tagging.py --config ud_ewt_upos                 # UD English EWT UPOS, ../shared/data
    python recipes/tagging.py --config ud_ewt_upos --set data.tag_column=xpos --set name=ud_ewt_xpos
    python recipes/tagging.py --config conll2003_ner               # CoNLL-2003 NER (IOB1 files, BIOES model)
    python recipes/tagging.py --config conll2003_ner --set model.crf=false --set name=ner_softmax
    python recipes/tagging.py --config ud_ewt_sample --data my.conllu --set name=my_tagger
    python recipes/tagging.py --config conll2003_ner --data my.jsonl --set data.validation=[dev.jsonl]
    python recipes/tagging.py --config ud_ewt_sample --export dynamic    # then a quantized TFLite folder

Named configs: seqtk/configs/tagger/. CoNLL-U, CoNLL-2003-style column files and JSON lines
(`{"tokens": [...], "tags": [...]}`) are read; `{data_dir}` = $SEQTK_DATA_DIR or ../shared/data. The run writes
models/<name>/ with the tags, metrics.json and MODEL_CARD.md; `seqtk tag --model models/<name>
"A sentence ."` then tags text.
"""

import argparse
import sys

from seqtk.export.tflite_exporter import default_examples_path, export_tflite
from seqtk.tasks import load_model_directory, train_task


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="ud_ewt_sample", help="named tagger config or YAML/JSON file")
    parser.add_argument("--data", nargs="+", help="your tagged files; replace the config's training data")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="e.g. training.epochs=3")
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    parser.add_argument("--export", choices=["none", "float", "float16", "dynamic", "int8"], default="none",
                        help="also export the trained tagger to TFLite (verified against Keras)")
    args = parser.parse_args(argv)
    command = "python recipes/tagging.py " + " ".join(sys.argv[1:] if argv is None else argv)
    result = train_task("tagger", args.config, args.set, args.data, resume=args.resume, command=command)
    if args.export != "none":
        quantize = "none" if args.export == "float" else args.export
        # int8 calibrates on real sentences: the model's own validation data.
        examples = default_examples_path(load_model_directory(result["directory"], task="tagger")[2]) \
            if quantize == "int8" else None
        export_tflite(result["directory"], quantize=quantize, examples_path=examples)


if __name__ == "__main__":
    main()
