"""The command answers --help and usage errors without TensorFlow, and prints none of its start-up logs."""

import io
import os
import subprocess
import sys

import pytest

from seqtk.data.text_input import read_input_texts

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SST2 = os.path.join(ROOT, "saved_models", "sst2_ulmfit_bidirectional")


def run_python(code, **kwargs):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}, **kwargs)


class StartupTest:
    @pytest.mark.parametrize("argv,code", [(["--help"], 0), (["train", "--help"], 0), (["frobnicate"], 2),
                                           (["classify"], 2)])
    def test_help_and_usage_errors_do_not_import_tensorflow(self, argv, code):
        result = run_python(
            "import sys\nfrom seqtk.cli import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit as exit:\n    print('exit', exit.code)\n"
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
        assert result.stdout.strip().endswith(f"exit {code}\nFalse False"), result.stdout + result.stderr

    def test_a_command_prints_no_tensorflow_logs(self):
        result = run_python(f"from seqtk.cli import main\nmain(['classify', '--model', {SST2!r}, 'a fine film .'])")
        assert result.returncode == 0 and result.stdout.split("\t")[0] in ("0", "1")
        assert result.stderr == "", result.stderr

    def test_verbose_shows_them(self):
        result = run_python(
            f"from seqtk.cli import main\nmain(['--verbose', 'classify', '--model', {SST2!r}, 'a fine film .'])")
        assert result.returncode == 0 and "I0000" in result.stderr  # oneDNN and CUDA probing lines


class ReadInputTextsTest:
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    def test_arguments_then_a_file_with_locations(self, tmp_path):
        path = tmp_path / "texts.txt"
        path.write_text("first\n\nsecond\n", encoding="utf-8")
        given = read_input_texts(["an argument"], str(path), stdin=self.Terminal())
        assert given.texts == ["an argument", "first", "second"]
        assert given.locations == ["argument 1", f"{path}, line 1", f"{path}, line 3"]
        assert read_input_texts([], str(path), stdin=self.Terminal()).source == str(path)

    def test_piped_standard_input_and_dash(self):
        assert read_input_texts([], None, stdin=io.StringIO("a\nb\n")).texts == ["a", "b"]
        given = read_input_texts([], "-", stdin=io.StringIO("x\n"))
        assert given.texts == ["x"] and given.locations == ["standard input, line 1"]
        # Arguments given: a pipe that nobody asked for is not read.
        assert read_input_texts(["y"], None, stdin=io.StringIO("x\n")).texts == ["y"]

    def test_nothing_given_says_how(self):
        with pytest.raises(ValueError, match="Nothing to classify: give texts as arguments, a file with --input"):
            read_input_texts([], None, stdin=self.Terminal(), verb="classify")
