"""./test.sh's runner (tests/lanes.py): every selected test runs in exactly one lane, the lanes'
JUnit reports become one, and a lane with none of the selected tests is no failure."""
from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

from tests.conftest import ROOT


def run_lanes(tmp_path, *arguments: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, LITTLEPBX_TEST_ARTIFACTS=str(tmp_path / "artifacts"))
    env.pop("LITTLEPBX_TEST_LANE", None)
    return subprocess.run([sys.executable, "-m", "tests.lanes", "-q", "-p", "no:cacheprovider", *arguments],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_a_selection_runs_once_in_its_lane_and_its_reports_are_merged(tmp_path):
    report = tmp_path / "junit.xml"
    run = run_lanes(tmp_path, "tests/test_architecture.py", f"--junitxml={report}")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "lane other: exit 0" in run.stdout and "lane asterisk: exit 5" in run.stdout, run.stdout
    names = [case.get("name") for case in ElementTree.parse(report).getroot().iter("testcase")]
    assert len(names) == len(set(names)) == 4, names
    assert (tmp_path / "artifacts" / "lane-other.log").read_text().count("passed") == 1


def test_a_failing_lane_fails_the_run(tmp_path):
    run = run_lanes(tmp_path, "tests/test_architecture.py", "-k", "no_such_test_anywhere")
    assert run.returncode == 5, "nothing selected anywhere: pytest's own 'no tests' code"
    (tmp_path / "test_fails.py").write_text("def test_fails():\n    assert False\n")
    run = run_lanes(tmp_path, str(tmp_path / "test_fails.py"))
    assert run.returncode == 1 and "lanes done" in run.stdout and "FAILED {" in run.stdout, run.stdout
