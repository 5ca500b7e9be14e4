"""The command line's start-up setting: the collector's thresholds, set only by the entry points."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest

from maildoctor.cli.startup import GC_THRESHOLDS, quick_start


@pytest.fixture
def thresholds_kept() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


@pytest.mark.usefixtures("thresholds_kept")
def test_quick_start_raises_the_thresholds_and_keeps_the_collector_on() -> None:
    gc.set_threshold(700, 10, 10)
    quick_start()
    assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.isenabled()
    assert GC_THRESHOLDS[0] > 700


@pytest.mark.usefixtures("thresholds_kept")
def test_importing_and_calling_main_from_python_leave_the_thresholds_alone() -> None:
    from maildoctor.cli.app import main

    gc.set_threshold(700, 10, 10)
    with pytest.raises(SystemExit):
        main(["--version"])
    assert gc.get_threshold() == (700, 10, 10)


def test_python_dash_m_sets_them_before_the_imports() -> None:
    probe = (
        "import gc, sys; sys.argv = ['maildoctor']; "
        "sys.modules.pop('maildoctor.__main__', None); "
        "import maildoctor.__main__; print(gc.get_threshold())"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert completed.stdout.strip() == repr(GC_THRESHOLDS)
