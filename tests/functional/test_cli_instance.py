"""``--instance DIR`` works after a subcommand's name as well as before it (README form)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("before", [True, False], ids=["before", "after"])
def test_demo_instance_option_in_both_places(tmp_path, before):
    instance = tmp_path / "demo-instance"
    args = (["--instance", str(instance), "demo", "--no-serve"] if before
            else ["demo", "--instance", str(instance), "--no-serve"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("EOFFICE_")}
    result = subprocess.run([sys.executable, "-m", "eoffice.cli", *args], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert str(instance) in result.stdout
    assert (instance / "eoffice.sqlite3").is_file()
    assert not (tmp_path / "instance").exists()  # not the default folder
    # every sample document of the demo is indexed (the index waits for all the samples)
    repair = subprocess.run([sys.executable, "-m", "eoffice.cli", "--instance", str(instance),
                             "repair"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=600)
    assert repair.returncode == 0, repair.stdout + repair.stderr
