"""The `provider` fixture: a loopback HTTPS provider server for this test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.provider_server import ProviderServer, serve


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[ProviderServer]:
    with serve(tmp_path) as server:
        yield server
