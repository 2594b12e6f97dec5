"""The web export's JavaScript tests (Vitest, in web/) run with the suite, so CI runs them."""

import json
import os
import shutil
import subprocess

WEB = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "web")


def test_vitest_passes(tmp_path):
    assert shutil.which("npx"), "Node.js 20 with npm runs the web tests (scripts/setup.sh builds web/ with it)"
    # The JSON reporter: Vitest 5's own summary fails to print failures on Node.js 20 (it calls Map.groupBy).
    report = tmp_path / "vitest.json"
    result = subprocess.run(["npx", "--no-install", "vitest", "run", "--reporter=json",
                             f"--outputFile={report}"], cwd=WEB, capture_output=True, text=True, timeout=600,
                            check=False)
    failures = []
    if report.exists():
        for test_file in json.loads(report.read_text())["testResults"]:
            failures += [f"{a['fullName']}: {a['failureMessages'][0][:600]}" for a in test_file["assertionResults"]
                         if a["status"] != "passed"]
    assert result.returncode == 0 and not failures, "\n".join(failures) or result.stdout[-4000:] + result.stderr[-2000:]
    assert json.loads(report.read_text())["numPassedTests"] >= 20
