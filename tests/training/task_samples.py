"""Small real data for each task, written as files a config names (bundled samples): shared by the tests
that train every task."""

from seqtk.data.labeled_text import read_labeled
from seqtk.data.parallel_text import read_parallel
from seqtk.data.text_sources import BUNDLED, read_text_file


def write_task_samples(root):
    """Writes tiny Shakespeare (4,000 characters), 160 + 64 SST-2 sentences and 128 + 16 Tatoeba pairs under
    `root`; returns their paths: `corpus`, `sentiment_train`, `sentiment_dev`, `pairs_train`, `pairs_valid`.
    Every batch size the tests use (4 streams, 16 texts or pairs) divides them into full batches."""
    paths = {"corpus": root / "corpus.txt"}
    paths["corpus"].write_text(read_text_file(BUNDLED["tinyshakespeare"])[:4000], encoding="utf-8")
    examples = read_labeled("bundled:sst2_sentences_train")
    for name, part in (("train", examples[:160]), ("dev", examples[160:224])):
        paths[f"sentiment_{name}"] = root / f"{name}.tsv"
        paths[f"sentiment_{name}"].write_text(
            "sentence\tlabel\n" + "".join(f"{e.text}\t{e.label}\n" for e in part), encoding="utf-8")
    pairs = read_parallel(["bundled:tatoeba_fr_en_train"])
    for name, part in (("train", pairs[:128]), ("valid", pairs[128:144])):
        paths[f"pairs_{name}"] = root / f"{name}_pairs.tsv"
        paths[f"pairs_{name}"].write_text("".join(f"{p.source}\t{p.target}\n" for p in part), encoding="utf-8")
    return paths
