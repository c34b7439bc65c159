"""report.html in headless Chromium: the page opens from a file with nothing else beside it and shows every chart
(each image decoded at its full size), and a screenshot of it is a picture with content, not a blank page."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from playwright.async_api import Browser

from notifications.report.page import write_report
from oms_client.demo.seed import SeedResult
from oms_client.sql.database import Database
from tests.integration.test_report import report


async def test_the_report_page_shows_its_charts_in_a_browser(
    browser: Browser, database: Database, seeded: SeedResult, tmp_path: Path
) -> None:
    page_file = write_report(await report(database), tmp_path / "out")
    alone = tmp_path / "mailed" / "report.html"  # the page travels without its PNGs
    alone.parent.mkdir()
    alone.write_bytes(page_file.read_bytes())
    page = await browser.new_page(viewport={"width": 1000, "height": 800})
    await page.goto(alone.as_uri())
    sizes = await page.eval_on_selector_all("img", "images => images.map(i => [i.complete, i.naturalWidth])")
    assert len(sizes) == 3 and all(done and width > 400 for done, width in sizes)
    assert "店铺报表" in await page.inner_text("h1")
    shot = await page.screenshot(full_page=True)
    with Image.open(io.BytesIO(shot)) as image:
        colours = image.convert("RGB").resize((100, 200)).getcolors(maxcolors=20_000) or []
    assert len(colours) > 50  # charts and text, not an empty white page
    await page.close()
