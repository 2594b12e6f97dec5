"""The layers of STYLE.md and acyclic packages, as `lint-imports` checks them from pyproject.toml."""

import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINT_IMPORTS = os.path.join(os.path.dirname(sys.executable), "lint-imports")


def _lint(config_path, cwd, path=None):
    env = {**os.environ, **({"PYTHONPATH": path} if path else {})}
    return subprocess.run([LINT_IMPORTS, "--no-cache", "--config", config_path], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


class ImportContractsTest:
    def test_the_contracts_hold(self):
        result = _lint(os.path.join(ROOT, "pyproject.toml"), ROOT)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Contracts: 2 kept, 0 broken." in result.stdout

    def test_an_upward_import_breaks_the_layers(self, tmp_path):
        # A package laid out as seqtk's, whose lower layer imports an upper one: the same kind of contract fails.
        package = tmp_path / "toy"
        package.mkdir()
        for name, body in {"__init__": "", "errors": "", "tasks": "", "export": "import toy.tasks\n"}.items():
            (package / f"{name}.py").write_text(body)
        config = tmp_path / "contracts.toml"
        config.write_text(textwrap.dedent("""
            [tool.importlinter]
            root_package = "toy"
            [[tool.importlinter.contracts]]
            name = "layers"
            type = "layers"
            containers = ["toy"]
            layers = ["tasks | export", "errors"]
        """))
        result = _lint(str(config), tmp_path, path=str(tmp_path))
        assert result.returncode == 1
        assert "toy.export -> toy.tasks" in result.stdout
