from __future__ import annotations

from collections.abc import Iterator

import pytest
from xo_servers import ProcessGroup


@pytest.fixture(scope="module")
def processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessGroup]:
    """Servers started by one test module, stopped by PID when the module finishes."""
    group = ProcessGroup(tmp_path_factory.mktemp("servers"))
    try:
        yield group
    finally:
        group.stop_all()
