"""An exported folder is used without TensorFlow: `seqtk.load` and a server of exported folders import neither
TensorFlow nor Keras (a phone-sized deployment needs only LiteRT)."""

import os
import subprocess
import sys

import pytest

from seqtk.export.tflite_exporter import export_tflite

LEGACY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "shakespeare_char_legacy")

pytestmark = pytest.mark.large

PROGRAM = """
import sys
import seqtk
from seqtk.serving import create_app
from seqtk.serving.model_server import use_precision
lm = seqtk.load(sys.argv[1])
assert use_precision({"lm": lm}, "bfloat16") == {"lm": "float32"}  # an export runs its own products
text = lm.generate("ROMEO:", max_tokens=10, sampler="greedy")
pieces = "".join(lm.stream("ROMEO:", max_tokens=10, sampler="greedy"))
create_app({"lm": lm})
assert text == "ROMEO:" + pieces, (text, pieces)
print(lm.backend, sorted(name for name in ("tensorflow", "keras") if name in sys.modules))
"""


def test_an_export_loads_generates_and_is_served_without_tensorflow(tmp_path):
    export_tflite(LEGACY, str(tmp_path / "lm"), log=lambda *a: None)
    result = subprocess.run([sys.executable, "-c", PROGRAM, str(tmp_path / "lm")], capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "litert []"
