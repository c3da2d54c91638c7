"""`flask --app hub content load` for the program: pages upserted by slug, idempotent, sanitised."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.content import ContentError
from hub.extensions import db
from hub.program.loaders import read_pages, sync_pages
from hub.program.models import ContentPage
from hub.program.rules import load

CONTENT = Path(__file__).resolve().parents[2] / "content"
PAGES_DIR = CONTENT / "pages"


def load_pages_from(folder: Path) -> dict:
    counts = sync_pages(folder)
    db.session.commit()
    return counts


@pytest.fixture
def content_dir(tmp_path, rules_copy) -> Path:
    """A copy of content/ (program.yml and pages) that a test may change."""
    target = tmp_path / "content"
    target.mkdir()
    shutil.copy(rules_copy, target / "program.yml")
    shutil.copytree(PAGES_DIR, target / "pages")
    return target


def run_load(app, directory: Path):
    return app.test_cli_runner().invoke(args=["content", "load", "--dir", str(directory)])


def report(output: str, name: str) -> dict[str, int]:
    line = next(line for line in output.splitlines() if line.startswith(f"{name}: "))
    return {k.strip(): int(v) for k, v in re.findall(r"([\w -]+?): (\d+)", line[len(name) + 2:])}


def page(slug: str) -> ContentPage:
    db.session.expire_all()
    return db.session.scalar(select(ContentPage).where(ContentPage.slug == slug))


def test_load_twice_then_change_remove_and_add(app, content_dir):
    first = run_load(app, content_dir)
    assert first.exit_code == 0, first.output
    assert report(first.output, "pages") == {"created": 4, "updated": 0, "unchanged": 0, "removed": 0}
    assert report(first.output, "program") == {"tiers": 4, "products": 3, "regions": 10,
                                                "retro-bonus steps": 2, "territories": 1}
    faq = page("faq")
    assert faq.title_en == "Partner program FAQ"
    assert faq.title_ru.startswith("Вопросы и ответы")
    stamp = faq.updated_at

    second = run_load(app, content_dir)
    assert second.exit_code == 0, second.output
    assert report(second.output, "pages") == {"created": 0, "updated": 0, "unchanged": 4, "removed": 0}
    assert page("faq").updated_at == stamp
    assert db.session.scalar(select(func.count(ContentPage.id))) == 4

    faq_en = content_dir / "pages" / "faq.en.md"
    faq_en.write_text(faq_en.read_text(encoding="utf-8").replace("Nothing.", "Nothing at all."), encoding="utf-8")
    (content_dir / "pages" / "fair-play.ru.md").unlink()
    (content_dir / "pages" / "fair-play.en.md").unlink()
    (content_dir / "pages" / "mdf.en.md").write_text("---\ntitle: MDF\norder: 50\n---\nFunds.\n", encoding="utf-8")
    (content_dir / "pages" / "mdf.ru.md").write_text("---\ntitle: Фонд MDF\n---\nФонды.\n", encoding="utf-8")
    third = run_load(app, content_dir)
    assert third.exit_code == 0, third.output
    assert report(third.output, "pages") == {"created": 1, "updated": 1, "unchanged": 2, "removed": 1}
    assert "Nothing at all." in page("faq").body_html_en
    assert page("faq").updated_at > stamp
    assert page("fair-play") is None
    assert page("mdf").sort_order == 50 and page("mdf").title_ru == "Фонд MDF"


def test_loaded_pages_are_served_in_both_languages(app, client, content_dir):
    assert run_load(app, content_dir).exit_code == 0
    en = client.get("/pages/how-deal-registration-works", headers={"Accept-Language": "en"})
    assert en.status_code == 200
    body = en.get_data(as_text=True)
    assert "<h1>How deal registration works</h1>" in body
    assert "<table>" in body and "<th>We compare</th>" in body
    assert 'href="fair-play"' in body
    ru = client.get("/pages/how-deal-registration-works", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "<h1>Как работает регистрация сделок</h1>" in ru
    assert client.get("/pages/no-such-page").status_code == 404
    program = client.get("/program", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for slug in ("how-deal-registration-works", "faq", "fair-play", "commission-payouts"):
        assert f'href="/pages/{slug}"' in program
    # ordered by the front matter's order
    titles = re.findall(r'<a href="/pages/[^"]+">([^<]+)</a>', program)
    assert titles == ["How deal registration works", "Commission payouts", "Rules of fair play",
                      "Partner program FAQ"]


def test_markdown_is_sanitised(app, client, content_dir):
    evil = ("---\ntitle: Evil\n---\nHello <script>alert('x')</script> world.\n\n"
            "<img src=x onerror=\"alert(1)\">\n\n[click](javascript:alert(1)) "
            "<a href=\"https://example.com\" onclick=\"steal()\">ok</a>\n\n<iframe src=\"https://evil.test\"></iframe>\n"
            "<style>body{display:none}</style>\n")
    (content_dir / "pages" / "evil.en.md").write_text(evil, encoding="utf-8")
    (content_dir / "pages" / "evil.ru.md").write_text(evil, encoding="utf-8")
    assert run_load(app, content_dir).exit_code == 0
    stored = page("evil")
    assert "<script>alert('x')</script>" in stored.body_en, "the source is kept as written"
    for html in (stored.body_html_en, client.get("/pages/evil").get_data(as_text=True)):
        assert "alert(" not in html and "<script>alert" not in html
        assert "onerror" not in html and "onclick" not in html and "javascript:" not in html
        assert "<iframe" not in html and "display:none" not in html
    assert "Hello" in stored.body_html_en and "world." in stored.body_html_en
    assert '<a href="https://example.com" rel="noopener noreferrer">ok</a>' in stored.body_html_en


@pytest.mark.parametrize("files, problem", [
    ({"solo.en.md": "---\ntitle: Solo\n---\nText\n"}, "has no ru counterpart"),
    ({"x.en.md": "---\ntitle: X\n---\nText\n", "x.ru.md": "---\norder: 1\n---\nТекст\n"}, "front matter: title: is missing"),
    ({"x.en.md": "---\ntitle: X\norder: 1\n---\nText\n", "x.ru.md": "---\ntitle: X\norder: 2\n---\nТ\n"},
     "'order' differs"),
    ({"x.en.md": "---\ntitle: [unclosed\n---\nText\n", "x.ru.md": "---\ntitle: X\n---\nТ\n"}, "not valid YAML"),
    ({"x.en.md": "---\ntitle: X\n", "x.ru.md": "---\ntitle: X\n---\nТ\n"}, "not closed"),
    ({"x.en.md": "---\ntitle: X\nauthor: me\n---\nT\n", "x.ru.md": "---\ntitle: X\n---\nТ\n"},
     "front matter: author: is not a known key (known: title, order, slug)"),
    ({"x.en.md": "---\ntitle: X\n---\n\n", "x.ru.md": "---\ntitle: X\n---\nТ\n"}, "no text"),
    ({"x.en.md": "---\ntitle: X\nslug: y\n---\nT\n", "x.ru.md": "---\ntitle: X\n---\nТ\n"}, "differs from the file name"),
    ({"Bad Name.en.md": "---\ntitle: X\n---\nT\n"}, "<slug>.ru.md"),
    ({"x.de.md": "---\ntitle: X\n---\nT\n"}, "unknown language 'de'"),
])
def test_a_broken_page_stops_the_load_naming_the_file(app, content_dir, files, problem):
    for name, body in files.items():
        (content_dir / "pages" / name).write_text(body, encoding="utf-8")
    result = run_load(app, content_dir)
    assert result.exit_code != 0
    assert problem in result.output
    assert str(content_dir / "pages") in result.output
    assert db.session.scalar(select(func.count(ContentPage.id))) == 0, "nothing is written"
    with pytest.raises(ContentError):
        read_pages(content_dir / "pages")


def test_a_broken_rules_file_fails_the_load_with_its_message(app, content_dir):
    path = content_dir / "program.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("protection_days: 90", "protection_days: -1"),
                    encoding="utf-8")
    app.config["PROGRAM_RULES"] = None  # validate the copy in the directory given
    result = run_load(app, content_dir)
    assert result.exit_code != 0
    assert f"{path}: deals.protection_days: must be at least 1, got -1" in result.output


def test_many_pages_show_progress(app, tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(25):
        for lang in ("ru", "en"):
            (folder / f"page-{n}.{lang}.md").write_text(f"---\ntitle: Page {n}\n---\nText {n}\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "load", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    # Without a terminal (as here) click prints the bar's label alone; on a terminal, the bar itself.
    assert "pages" in result.output.splitlines()
    assert report(result.output, "pages")["created"] == 25


def test_the_pages_agree_with_the_rules():
    """The texts quote the rules; when program.yml changes, this test says which page to update."""
    rules = load(CONTENT / "program.yml")
    en = (PAGES_DIR / "how-deal-registration-works.en.md").read_text(encoding="utf-8")
    ru = (PAGES_DIR / "how-deal-registration-works.ru.md").read_text(encoding="utf-8")
    assert f"protected for {rules.deals.protection_days} days" in en and f"защищена {rules.deals.protection_days} дней" in ru
    assert f"within {rules.deals.decision_sla_hours} hours" in en and f"в течение {rules.deals.decision_sla_hours} часов" in ru
    assert f"one extension of {rules.deals.extension_days} days" in en and f"продление на {rules.deals.extension_days} дней" in ru
    spiff = f"{rules.spiff_first_deal_kopecks // 100:,}"
    faq = (PAGES_DIR / "faq.en.md").read_text(encoding="utf-8")
    assert f"{spiff} ₽" in faq
    assert f"{spiff.replace(',', ' ')} ₽" in (PAGES_DIR / "faq.ru.md").read_text(encoding="utf-8")
    assert f"within {rules.ttfd_target_days} days" in faq
    low = min(min(r.values()) for r in rules.commission_percent.values())
    high = max(max(r.values()) for r in rules.commission_percent.values())
    assert f"From {low} % to {high} %" in faq
    # the value points of program.yml quote the rules too
    points = " ".join(f"{t.en} {t.ru}" for t in rules.value_points)
    assert f"Up to {high} %" in points and f"До {high} %" in points
    assert f"protected for {rules.deals.protection_days} days" in points
    assert f"{spiff} ₽ bonus" in points
    assert f"within {rules.ttfd_target_days} days" in points


def test_a_content_directory_without_pages_leaves_them_alone(app, content_dir, tmp_path):
    assert run_load(app, content_dir).exit_code == 0
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    (empty / "program.yml").write_text((content_dir / "program.yml").read_text(encoding="utf-8"), encoding="utf-8")
    result = run_load(app, empty)
    assert result.exit_code == 0, result.output
    assert "pages left as they are" in result.output
    assert db.session.scalar(select(func.count(ContentPage.id))) == 4
