"""A corpus tokenized once into token shards on disk (`seqtk prepare`), and reading it back for training."""

import os

from seqtk.data.token_shards import (
    TOKENIZER_FOLDER,
    TokenShards,
    local_files,
    read_manifest,
    text_sample,
    tokenizer_fingerprint,
    write_manifest,
    write_token_shards,
)
from seqtk.errors import ConfigError, DataError
from seqtk.tokenizers.build_tokenizer import build_tokenizer
from seqtk.tokenizers.tokenizer import load_tokenizer


class PreparedCorpus:
    """A corpus `seqtk prepare` wrote (`data.prepared`): its training tokens on disk, its validation tokens,
    its tokenizer. Training reads it batch by batch (`TokenShards`); nothing of it is loaded whole."""

    def __init__(self, directory):
        self.directory = directory
        self.manifest = read_manifest(directory)
        boundary = self.manifest.get("validation_from")
        self.train = TokenShards(directory, "train", stop=boundary)
        self.validation = (TokenShards(directory, "validation") if "validation" in self.manifest["splits"]
                           else TokenShards(directory, "train", start=boundary))

    def tokenizer(self):
        return load_tokenizer(os.path.join(self.directory, TOKENIZER_FOLDER))

    def check(self, tokenizer, reverse):
        """`(train_tokens, validation_ids)` once the model's tokenizer and direction are the corpus's."""
        if tokenizer_fingerprint(tokenizer) != self.manifest["tokenizer_hash"]:
            raise DataError(f"{self.directory}: the corpus was prepared with another tokenizer than this model's "
                            "(their hashes differ); prepare it again with `seqtk prepare ... --tokenizer-from "
                            "<model folder>`, or train a new model on it.")
        if bool(reverse) != bool(self.manifest.get("reverse", False)):
            raise DataError(f"{self.directory}: the corpus was prepared "
                            f"{'right to left' if self.manifest.get('reverse') else 'left to right'}, and "
                            f"model.reverse is {str(bool(reverse)).lower()}; prepare it with the same "
                            "model.reverse.")
        return self.train, self.validation.read(0, len(self.validation))


# A corpus prepared without data.validation holds out its last validation_fraction of tokens, at most this
# many (they are read into memory for every evaluation).
MAX_HELD_OUT_TOKENS = 10_000_000
TOKENIZER_SAMPLE_BYTES = 256 << 20  # the text a tokenizer for a prepared corpus is trained on, at most


def prepare_corpus(config, output, tokenizer_from=None, workers=None, log=print):
    """Tokenizes `config.data.train` (and `data.validation`) of a language model's config once into token
    shards under `output`, with a manifest and the tokenizer, for training with `data.prepared: <output>`
    (`seqtk prepare`).

    The tokenizer is `tokenizer_from`'s (a saved model or tokenizer folder: to fine-tune that model), or
    one trained as `config.tokenizer` says on up to 256 MB of the training files (an equal share of each).

    Returns:
        The manifest: token counts per split and file, shards, the tokenizer's hash, MB/s.
    """
    data = config.data
    if data.text_column:
        raise ConfigError("seqtk prepare reads plain text files; data.text_column (one column of a labelled "
                          "file) is read whole: train on it without prepare.")
    paths = local_files(data.train)
    if tokenizer_from:
        tokenizer = load_tokenizer(tokenizer_from)
        log(f"Tokenizer: {tokenizer_from}'s ({tokenizer.kind}, vocabulary {tokenizer.vocabulary_size}).")
    else:
        sample = text_sample(paths, TOKENIZER_SAMPLE_BYTES)
        log(f"Training the tokenizer on {sum(len(t) for _, t in sample) / 1e6:,.1f} MB of the "
            f"{len(paths)} training file(s).")
        tokenizer = build_tokenizer(config.tokenizer, sample, log)
    splits = {"train": data.train, "validation": data.validation}
    manifest = write_token_shards(tokenizer, splits, output, reverse=config.model.reverse, workers=workers, log=log)
    if not data.validation:
        total = manifest["splits"]["train"]["tokens"]
        held = min(int(total * data.validation_fraction), MAX_HELD_OUT_TOKENS)
        manifest["validation_from"] = total - held
        write_manifest(output, manifest)
        log(f"No data.validation: the last {held:,} tokens validate "
            f"({data.validation_fraction:.0%} of the stream, at most {MAX_HELD_OUT_TOKENS:,}).")
    return manifest
