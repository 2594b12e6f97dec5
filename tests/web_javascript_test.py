"""The web export's JavaScript tests (Vitest, in web/) run with the suite, so CI runs them."""

import os
import shutil
import subprocess

WEB = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "web")


def test_vitest_passes():
    assert shutil.which("npx"), "Node.js 20 with npm runs the web tests (scripts/setup.sh builds web/ with it)"
    result = subprocess.run(["npx", "--no-install", "vitest", "run", "--reporter=dot"], cwd=WEB, capture_output=True,
                            text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
