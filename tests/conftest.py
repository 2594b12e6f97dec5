import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# Fuzz tests: "ci" keeps the suite's time in check; "long" is the benchmark's (SEQTK_FUZZ_PROFILE=long).
settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("SEQTK_FUZZ_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def seeded():
    keras.utils.set_random_seed(1)
    yield


@pytest.fixture
def corpus_file(tmp_path):
    """A small real text: the first 20,000 characters of the bundled tiny Shakespeare."""
    from seqtk.data.text_sources import BUNDLED, read_text_file

    path = tmp_path / "corpus.txt"
    path.write_text(read_text_file(BUNDLED["tinyshakespeare"])[:20_000], encoding="utf-8")
    return str(path)


def write_sentiment_files(directory):
    """Real labelled text in GLUE's TSV layout: 400 train and 100 dev sentences of the bundled SST-2 sample."""
    from seqtk.data.labeled_text import read_labeled

    examples = read_labeled("bundled:sst2_sentences_train")
    paths = {}
    for name, part in (("train", examples[:400]), ("dev", examples[400:500])):
        path = directory / f"{name}.tsv"
        path.write_text("sentence\tlabel\n" + "".join(f"{e.text}\t{e.label}\n" for e in part), encoding="utf-8")
        paths[name] = str(path)
    return paths


@pytest.fixture
def sentiment_files(tmp_path):
    """`write_sentiment_files` in the test's own folder."""
    return write_sentiment_files(tmp_path)


@pytest.fixture(scope="session")
def sentiment_files_in():
    """`write_sentiment_files`, for fixtures of a wider scope than a test's own folder."""
    return write_sentiment_files
