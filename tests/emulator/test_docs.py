"""``/v2/docs`` works offline: every URL the page names is served by the emulator itself."""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from scribe_eval.emulator import EmulatorSettings, FaultSettings, create_app

# Every fault at once: the docs and the schema must still load (they are never faulted).
ALL_FAULTS = FaultSettings(p500=1.0)
URL_ATTRIBUTE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    settings = EmulatorSettings(
        data_dir=tmp_path_factory.mktemp("docs"), asr_engine="instant", faults=ALL_FAULTS
    )
    return create_app(settings)


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emu.test") as client:
        yield client


async def test_the_page_names_no_external_url(http: httpx.AsyncClient) -> None:
    answer = await http.get("/v2/docs")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    html = answer.text
    assert "cdn" not in html.lower()
    assert not re.search(r"https?://", html)
    urls = URL_ATTRIBUTE.findall(html)
    assert len(urls) == 3  # stylesheet, icon, script
    assert all(u.startswith("/v2/docs/assets/") for u in urls)
    assert "url: '/v2/openapi.json'" in html


@pytest.mark.parametrize(
    ("name", "media_type", "marker"),
    [
        pytest.param("swagger-ui-bundle.js", "text/javascript", b"SwaggerUIBundle", id="script"),
        pytest.param("swagger-ui.css", "text/css", b".swagger-ui", id="stylesheet"),
        pytest.param("favicon-32x32.png", "image/png", b"\x89PNG", id="icon"),
    ],
)
async def test_every_asset_is_served_locally(
    http: httpx.AsyncClient, name: str, media_type: str, marker: bytes
) -> None:
    html = (await http.get("/v2/docs")).text
    assert f"/v2/docs/assets/{name}" in html
    answer = await http.get(f"/v2/docs/assets/{name}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(media_type)
    assert marker in answer.content[:200_000]


@pytest.mark.parametrize("name", ["index.html", "..%2F..%2F__init__.py", "swagger-ui.js.map"])
async def test_only_the_pages_assets_are_served(http: httpx.AsyncClient, name: str) -> None:
    answer = await http.get(f"/v2/docs/assets/{name}")
    assert answer.status_code == 404


async def test_docs_and_schema_never_meet_injected_faults(http: httpx.AsyncClient) -> None:
    assert (await http.get("/v2/templates/")).status_code == 500  # the fault plan is on
    assert (await http.get("/v2/openapi.json")).status_code == 200
    assert (await http.get("/v2/docs/assets/swagger-ui.css")).status_code == 200


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing but CI=true: install it (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI runs these tests")
    return found


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    command = [sys.executable, "-m", "scribe_eval.cli", "emulator", "serve", "--port", "0",
               "--data-dir", str(tmp_path), "--asr-engine", "instant", "--no-preload"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 60)
    line = process.stdout.readline().strip() if ready else ""
    try:
        assert line.startswith("http://127.0.0.1:"), process.stderr
        yield line
    finally:
        process.terminate()
        process.communicate(timeout=20)


@pytest.mark.browser
def test_chromium_renders_every_operation_with_no_network(served: str) -> None:
    from playwright.sync_api import sync_playwright

    operations = httpx.get(f"{served}/openapi.json").json()["paths"]
    expected = sum(len(item) for item in operations.values())
    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        page: Any = browser.new_page()

        def route(r: Any) -> None:
            local = r.request.url.startswith(served.removesuffix("/v2"))
            if not local:
                outside.append(r.request.url)
            r.continue_() if local else r.abort()

        page.route("**/*", route)
        page.goto(f"{served}/docs")
        page.wait_for_selector(".opblock", timeout=20_000)
        rendered = page.eval_on_selector_all(".opblock", "blocks => blocks.length")
        title = page.text_content(".info .title")
        browser.close()
    assert outside == []
    assert rendered == expected
    assert title is not None
    assert "scribe-eval emulator" in title
