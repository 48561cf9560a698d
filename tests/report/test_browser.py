"""The report in a real headless Chromium (Debian's build, driven by Playwright).

Skipped only when Chromium is absent outside CI; with ``CI=true`` a missing browser fails.
Screenshots land in ``tests/artifacts/`` (gitignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from scribe_eval.dataset import Dataset, load_dataset
from scribe_eval.report import build_report
from scribe_eval.store import RunStore

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing but CI=true: install it (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI runs these tests")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    opened = context.new_page()
    opened.problems = []
    opened.on("console", lambda m: m.type == "error" and opened.problems.append(m.text))
    opened.on("pageerror", lambda e: opened.problems.append(str(e)))
    opened.on("dialog", lambda d: (opened.problems.append(f"dialog {d.message}"), d.dismiss()))
    # Any request that is not a local file is a leak: the report must work offline.
    opened.on(
        "request",
        lambda r: r.url.startswith("file:") or opened.problems.append(f"request {r.url}"),
    )
    yield opened
    context.close()


def _first_templates(page: Any) -> list[str]:
    return list(
        page.eval_on_selector_all(
            "#leader-1 tbody tr td:first-child", "c => c.map(x => x.dataset.v)"
        )
    )


def test_report_sorts_filters_and_opens_an_encounter(
    page: Any, store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    base = kit.write_run(store, mini_dataset, run_spec("run-base"))
    worse = run_spec("run-cand", failed_documents=(("en-02-rash", "soap-short"),))
    run = kit.write_run(store, mini_dataset, worse)
    index = build_report(store, run, tmp_path / "out", compare_with=base)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(index.as_uri())
    page.screenshot(path=str(ARTIFACTS / "report-index.png"), full_page=True)
    assert _first_templates(page) == ["soap-full", "soap-short"]
    header = page.locator("#leader-1 th", has_text="ROUGE-Lsum")
    header.click()
    assert _first_templates(page) == ["soap-short", "soap-full"]
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    assert _first_templates(page) == ["soap-full", "soap-short"]

    page.fill("input[data-filter='q']", "rash")
    assert page.locator("#enc-table tbody tr:not(.hidden)").count() == 1
    assert page.text_content("#enc-table-count") == "1 shown"
    page.fill("input[data-filter='q']", "")
    page.select_option("select[data-filter='kind']", "visit type")
    assert page.locator("#slice-table tbody tr:not(.hidden)").count() == 1
    page.select_option("#heat-metric", "section_coverage")
    assert page.locator("table.heat[data-metric='section_coverage']").is_visible()
    assert not page.locator("table.heat[data-metric='rougeLsum_f']").is_visible()

    page.click("#enc-table a:text('en-01-cough')")
    page.wait_for_load_state()
    assert page.url.endswith("encounters/en-01-cough.html")
    assert page.locator(".op.sub").count() >= 1
    assert page.locator("table.sections del").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "report-encounter.png"), full_page=True)

    page.goto((index.parent / "compare.html").as_uri())
    page.screenshot(path=str(ARTIFACTS / "report-compare.png"), full_page=True)
    assert page.problems == []


def _three_languages(mini_dataset: Dataset) -> Dataset:
    """The mini dataset with its second visit in German and its third in French, with
    specialties, visit types and tags, so the index page has a slice table per language."""
    manifest = mini_dataset.root / "dataset.yaml"
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    for entry, language in zip(data["encounters"], ["en", "de", "fr"], strict=True):
        entry["language"] = language
        entry["metadata"] = {
            "specialty": "general-practice",
            "visit_type": "chronic-follow-up",
            "tags": ["adult", "respiratory", "polypharmacy", "parent-speaking"],
        }
    manifest.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_dataset(mini_dataset.root)


def test_every_table_of_the_index_page_fits_a_1280_pixel_window(
    page: Any, store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    # Four templates with long names in three languages: the tables that grow with the number
    # of templates or languages (slices, encounters) and the transcript table must still fit.
    dataset = _three_languages(mini_dataset)
    templates = ("soap", "brief-handover", "soap-telegraphic", "soap-problem-oriented")
    run = kit.write_run(store, dataset, run_spec("run-a", templates=templates))
    index = build_report(store, run, tmp_path / "out")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(index.as_uri())
    widths = page.eval_on_selector_all(
        "main table:not([hidden])",
        "ts => ts.map(t => [t.id || t.className || t.rows[0].textContent.slice(0, 30),"
        " t.scrollWidth, t.clientWidth])",
    )
    assert len(widths) >= 8
    # No column hidden behind the table's own horizontal scroll bar.
    assert [w for w in widths if w[1] > w[2]] == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-index-1280.png"), full_page=True)
    assert page.problems == []


def test_injected_markup_never_executes(page: Any, evil_report: Path) -> None:
    folder = evil_report.parent
    pages = [evil_report, folder / "compare.html", *sorted((folder / "encounters").iterdir())]
    for path in pages:
        page.goto(path.as_uri())
        assert page.evaluate("typeof window.__pwned") == "undefined", path.name
        assert page.locator("img").count() == 0, path.name
    assert page.problems == []
