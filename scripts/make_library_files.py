"""Generate the attached files of the demo library in content/library/<slug>/.

The attachments (PDF one-pagers, DOCX scripts, PPTX decks, XLSX price lists and calculators, CSV
sample data and comparison matrices) are derived from the items themselves and from
content/program.yml, so that the numbers in them agree with the program rules:

- PDF and DOCX files render the item's own Markdown body (``ru.md`` or ``en.md``: a file whose name
  ends in ``-en.<ext>`` uses the English body, every other file the Russian one);
- PPTX decks take one slide per ``### `` heading under the ``## Слайды`` / ``## Slides`` section
  of the body, with the heading's bullets; the rest of the body goes into the speaker notes;
- XLSX and CSV files are built by the functions registered in ``BUILDERS`` below, with licence
  prices and commission rates read from program.yml (partner discount = commission rate by tier).

Only the files listed in each item.yml are written; a listed file that no builder can make is an
error. Run it after changing an item's body or the program rules, then commit the files.

Not a dependency of the hub. It needs, in a throwaway virtual environment:

    python3 -m venv /tmp/genvenv
    /tmp/genvenv/bin/pip install openpyxl python-pptx python-docx markdown PyYAML
    /tmp/genvenv/bin/python scripts/make_library_files.py [slug ...]

and Debian's Chromium (``apt-get install chromium``) for HTML → PDF, which renders Cyrillic with
the system fonts (DejaVu / Liberation).
"""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import markdown
import yaml
from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from pptx import Presentation
from pptx.dml.color import RGBColor as PptxRGB
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Emu, Inches, Pt as PptxPt

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "content" / "library"
PROGRAM = yaml.safe_load((ROOT / "content" / "program.yml").read_text(encoding="utf-8"))

TIERS = [t["code"] for t in PROGRAM["tiers"]]
TIER_NAMES = {t["code"]: t["name"] for t in PROGRAM["tiers"]}
PRODUCTS = {p["code"]: p for p in PROGRAM["products"]}
PRICE = {code: p["licence_price_rub"] for code, p in PRODUCTS.items()}
RATE = PROGRAM["commissions"]  # product -> tier -> percent
SUPPORT_SHARE = 15  # first-line support: % of the renewal (program.yml extra_income)
FIXED_TIME = dt.datetime(2026, 11, 1, 9, 0, 0)

BRAND = "1F3A68"
ACCENT = "F2A900"
LIGHT = "EAF0F8"


def money(value: float, lang: str = "ru") -> str:
    whole = f"{round(value):,}"
    return whole.replace(",", "\u00a0") if lang == "ru" else whole


def load_item(slug: str) -> dict:
    return yaml.safe_load((LIBRARY / slug / "item.yml").read_text(encoding="utf-8"))


def file_lang(name: str) -> str:
    return "en" if re.search(r"-en\.[a-z]+$", name) else "ru"


def body(slug: str, lang: str) -> str:
    return (LIBRARY / slug / f"{lang}.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# PDF: the body rendered into a branded one-pager and printed by headless Chromium
# --------------------------------------------------------------------------------------------

KIND_LABEL = {
    "demo_kit": {"ru": "Демо-комплект", "en": "Demo kit"},
    "case_study": {"ru": "Кейс", "en": "Case study"},
    "battlecard": {"ru": "Боевая карточка · только для партнёров", "en": "Battlecard · partners only"},
    "sales_script": {"ru": "Скрипт продаж", "en": "Sales script"},
    "price_list": {"ru": "Прайс-лист", "en": "Price list"},
    "presentation": {"ru": "Презентация", "en": "Presentation"},
}
FOOTER = {
    "ru": "Квант Софт · Партнёрская программа «Квант» · материалы библиотеки партнёров",
    "en": "Kvant Soft · Kvant Partner Program · partner library material",
}

PDF_CSS = f"""
@page {{ size: A4; margin: 14mm 15mm 16mm 15mm; }}
* {{ box-sizing: border-box; }}
body {{ font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 9.6pt; line-height: 1.42;
       color: #1d2330; margin: 0; }}
header {{ border-bottom: 3px solid #{ACCENT}; padding-bottom: 8px; margin-bottom: 12px; }}
.brand {{ display: flex; justify-content: space-between; align-items: center; }}
.logo {{ font-weight: bold; letter-spacing: .12em; color: #{BRAND}; font-size: 10pt; }}
.logo span {{ display: inline-block; width: 12px; height: 12px; background: #{ACCENT};
             margin-right: 6px; transform: rotate(45deg); }}
.kind {{ font-size: 8pt; text-transform: uppercase; letter-spacing: .08em; color: #fff;
         background: #{BRAND}; padding: 3px 8px; border-radius: 3px; }}
h1 {{ font-size: 17pt; line-height: 1.2; color: #{BRAND}; margin: 10px 0 6px; }}
.lead {{ font-size: 10.5pt; color: #3b4558; margin: 0; }}
h2 {{ font-size: 11.5pt; color: #{BRAND}; margin: 14px 0 5px; border-left: 4px solid #{ACCENT};
      padding-left: 7px; }}
h3 {{ font-size: 10pt; margin: 10px 0 4px; }}
p {{ margin: 0 0 6px; }}
ul, ol {{ margin: 0 0 6px; padding-left: 18px; }}
li {{ margin-bottom: 2px; }}
blockquote {{ margin: 6px 0 8px; padding: 6px 10px; background: #{LIGHT}; border-left: 3px solid #{BRAND};
              color: #28324a; }}
blockquote p {{ margin: 0 0 3px; }}
table {{ border-collapse: collapse; width: 100%; margin: 4px 0 8px; font-size: 9pt; }}
th {{ background: #{BRAND}; color: #fff; text-align: left; padding: 4px 6px; }}
td {{ border-bottom: 1px solid #cfd7e6; padding: 3px 6px; }}
tr:nth-child(even) td {{ background: #f6f8fc; }}
li.todo {{ list-style: none; margin-left: -14px; }}
code {{ font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; }}
footer {{ margin-top: 14px; padding-top: 6px; border-top: 1px solid #cfd7e6; font-size: 7.5pt;
          color: #6b7489; display: flex; justify-content: space-between; }}
"""


def body_html(text: str) -> str:
    text = re.sub(r"^(\s*[-*] )\[ \] ", "\\1\u2610 ", text, flags=re.M)
    rendered = markdown.markdown(text, extensions=["tables", "sane_lists"])
    return rendered.replace("<li>\u2610 ", '<li class="todo">\u2610 ')


def build_pdf(slug: str, item: dict, name: str, out: Path) -> None:
    lang = file_lang(name)
    published = item["published"].strftime("%d.%m.%Y" if lang == "ru" else "%d %B %Y")
    page = f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(item['title'][lang])}</title>
<style>{PDF_CSS}</style></head><body>
<header>
  <div class="brand"><div class="logo"><span></span>{'КВАНТ СОФТ' if lang == 'ru' else 'KVANT SOFT'}</div>
  <div class="kind">{html.escape(KIND_LABEL[item['kind']][lang])}</div></div>
  <h1>{html.escape(item['title'][lang])}</h1>
  <p class="lead">{html.escape(item['summary'][lang])}</p>
</header>
<main>{body_html(body(slug, lang))}</main>
<footer><span>{FOOTER[lang]}</span><span>{published}</span></footer>
</body></html>"""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("chromium is needed for PDF files (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "page.html"
        src.write_text(page, encoding="utf-8")
        pdf = Path(tmp) / "out.pdf"
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--no-pdf-header-footer",
             f"--user-data-dir={tmp}/profile", f"--print-to-pdf={pdf}", src.as_uri()],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
        )
        shutil.copyfile(pdf, out)


# --------------------------------------------------------------------------------------------
# DOCX: the body as a Word document
# --------------------------------------------------------------------------------------------

INLINE = re.compile(r"(\*\*[^*]+\*\*|\*[^*]+\*|`[^`]+`)")


def add_runs(paragraph, text: str) -> None:
    for part in INLINE.split(text):
        if not part:
            continue
        if part.startswith("**"):
            paragraph.add_run(part[2:-2]).bold = True
        elif part.startswith("`"):
            paragraph.add_run(part[1:-1]).font.name = "DejaVu Sans Mono"
        elif part.startswith("*") and len(part) > 2:
            paragraph.add_run(part[1:-1]).italic = True
        else:
            paragraph.add_run(part)


def markdown_blocks(text: str):
    """Yield (kind, payload) blocks of a simple Markdown body: heading, para, bullet, number, quote, table."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if m := re.match(r"^(#{2,4}) (.*)", line):
            yield ("heading", (len(m.group(1)), m.group(2).strip()))
            i += 1
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            yield ("table", rows)
        elif line.startswith(">"):
            quote = []
            while i < len(lines) and lines[i].startswith(">"):
                quote.append(lines[i].lstrip(">").strip())
                i += 1
            for para in "\n".join(quote).split("\n\n"):
                if para.strip():
                    yield ("quote", " ".join(para.split()))
        elif m := re.match(r"^(\s*)([-*]|\d+\.) (.*)", line):
            kind = "number" if m.group(2)[0].isdigit() else "bullet"
            text_ = m.group(3)
            i += 1
            while i < len(lines) and lines[i].startswith("  ") and lines[i].strip() \
                    and not re.match(r"^\s*([-*]|\d+\.) ", lines[i]):
                text_ += " " + lines[i].strip()
                i += 1
            text_ = text_.replace("[ ] ", "\u2610 ")
            yield (kind + ("2" if len(m.group(1)) >= 2 else ""), text_)
        else:
            para = [line.strip()]
            i += 1
            while i < len(lines) and lines[i].strip() and not re.match(r"^(#|\||>|\s*([-*]|\d+\.) )", lines[i]):
                para.append(lines[i].strip())
                i += 1
            yield ("para", " ".join(para))


def build_docx(slug: str, item: dict, name: str, out: Path) -> None:
    lang = file_lang(name)
    doc = DocxDocument()
    normal = doc.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(10.5)
    props = doc.core_properties
    props.author = "Квант Софт" if lang == "ru" else "Kvant Soft"
    props.title = item["title"][lang]
    props.created = props.modified = FIXED_TIME
    props.last_modified_by = props.author
    brand = doc.add_paragraph()
    run = brand.add_run(("КВАНТ СОФТ · " if lang == "ru" else "KVANT SOFT · ") + KIND_LABEL[item["kind"]][lang])
    run.bold = True
    run.font.size = Pt(9)
    run.font.color.rgb = RGBColor.from_string(BRAND)
    doc.add_heading(item["title"][lang], level=0)
    lead = doc.add_paragraph()
    lead_run = lead.add_run(item["summary"][lang])
    lead_run.italic = True
    for kind, payload in markdown_blocks(body(slug, lang)):
        if kind == "heading":
            doc.add_heading(payload[1], level=min(payload[0] - 1, 3))
        elif kind == "para":
            add_runs(doc.add_paragraph(), payload)
        elif kind.startswith("bullet"):
            add_runs(doc.add_paragraph(style="List Bullet 2" if kind.endswith("2") else "List Bullet"), payload)
        elif kind.startswith("number"):
            add_runs(doc.add_paragraph(style="List Number"), payload)
        elif kind == "quote":
            add_runs(doc.add_paragraph(style="Intense Quote"), payload)
        elif kind == "table":
            table = doc.add_table(rows=len(payload), cols=len(payload[0]))
            table.style = "Light Grid Accent 1"
            for r, row in enumerate(payload):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = ""
                    add_runs(table.cell(r, c).paragraphs[0], cell)
    foot = doc.sections[0].footer.paragraphs[0]
    foot.text = FOOTER[lang]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.save(out)


# --------------------------------------------------------------------------------------------
# PPTX: slides from the body's "## Слайды" / "## Slides" section
# --------------------------------------------------------------------------------------------

def slides_from_body(text: str) -> tuple[list[tuple[str, list[str]]], str]:
    """The slides (title, bullets) and the remaining text (for notes)."""
    section = re.split(r"^## (?:Слайды|Slides)\s*$", text, flags=re.M)
    if len(section) != 2:
        raise ValueError("no '## Слайды' / '## Slides' section")
    before, rest = section
    slides_part, _, after = rest.partition("\n## ")
    slides = []
    for block in re.split(r"^### ", slides_part, flags=re.M)[1:]:
        title, *lines = block.strip().splitlines()
        slides.append((title.strip(), [l[2:].strip() for l in lines if l.startswith("- ")]))
    notes = (before.strip() + ("\n\n## " + after.strip() if after else "")).strip()
    return slides, notes


def _text(frame, text, size, bold=False, color="FFFFFF"):
    frame.clear()
    frame.word_wrap = True
    p = frame.paragraphs[0]
    run = p.add_run()
    run.text = text
    run.font.size = PptxPt(size)
    run.font.bold = bold
    run.font.color.rgb = PptxRGB.from_string(color)
    return p


def build_pptx(slug: str, item: dict, name: str, out: Path) -> None:
    lang = file_lang(name)
    slides, notes = slides_from_body(body(slug, lang))
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    prs.core_properties.author = "Квант Софт" if lang == "ru" else "Kvant Soft"
    prs.core_properties.title = item["title"][lang]
    prs.core_properties.created = prs.core_properties.modified = FIXED_TIME
    blank = prs.slide_layouts[6]
    W, H = prs.slide_width, prs.slide_height
    brand = "КВАНТ СОФТ" if lang == "ru" else "KVANT SOFT"

    cover = prs.slides.add_slide(blank)
    bg = cover.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, W, H)
    bg.fill.solid(); bg.fill.fore_color.rgb = PptxRGB.from_string(BRAND); bg.line.fill.background()
    bar = cover.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(0.8), Inches(2.3), Inches(1.2), Inches(0.12))
    bar.fill.solid(); bar.fill.fore_color.rgb = PptxRGB.from_string(ACCENT); bar.line.fill.background()
    _text(cover.shapes.add_textbox(Inches(0.8), Inches(0.6), Inches(8), Inches(0.6)).text_frame, brand, 16, True, ACCENT)
    _text(cover.shapes.add_textbox(Inches(0.8), Inches(2.6), Inches(11.5), Inches(2.2)).text_frame,
          item["title"][lang], 36, True)
    _text(cover.shapes.add_textbox(Inches(0.8), Inches(4.9), Inches(11.5), Inches(1.2)).text_frame,
          item["summary"][lang], 18, False, "D6E0F0")
    cover.notes_slide.notes_text_frame.text = notes

    for number, (title, bullets) in enumerate(slides, start=2):
        slide = prs.slides.add_slide(blank)
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, W, Inches(1.25))
        band.fill.solid(); band.fill.fore_color.rgb = PptxRGB.from_string(BRAND); band.line.fill.background()
        mark = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(1.25), W, Inches(0.07))
        mark.fill.solid(); mark.fill.fore_color.rgb = PptxRGB.from_string(ACCENT); mark.line.fill.background()
        _text(slide.shapes.add_textbox(Inches(0.7), Inches(0.25), Inches(11.9), Inches(0.9)).text_frame,
              title, 30, True)
        frame = slide.shapes.add_textbox(Inches(0.9), Inches(1.9), Inches(11.5), Inches(4.6)).text_frame
        frame.word_wrap = True
        for k, bullet in enumerate(bullets):
            p = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
            p.space_after = PptxPt(14)
            run = p.add_run()
            run.text = "\u25A0  " + bullet
            run.font.size = PptxPt(24)
            run.font.color.rgb = PptxRGB.from_string("1D2330")
        _text(slide.shapes.add_textbox(Inches(0.7), Inches(6.85), Inches(10), Inches(0.4)).text_frame,
              f"{brand} · {item['title'][lang]}", 11, False, "6B7489")
        _text(slide.shapes.add_textbox(Inches(12.0), Inches(6.85), Inches(0.8), Inches(0.4)).text_frame,
              str(number), 11, True, BRAND)
    prs.save(out)


# --------------------------------------------------------------------------------------------
# XLSX helpers
# --------------------------------------------------------------------------------------------

THIN = Side(style="thin", color="CFD7E6")
HEAD_FILL = PatternFill("solid", fgColor=BRAND)
INPUT_FILL = PatternFill("solid", fgColor="FFF4C2")
RUB = '#,##0 "₽"'
PCT = '0%'


def new_workbook(title: str, lang: str = "ru") -> Workbook:
    wb = Workbook()
    wb.properties.creator = "Квант Софт" if lang == "ru" else "Kvant Soft"
    wb.properties.title = title
    wb.properties.created = wb.properties.modified = FIXED_TIME
    return wb


def sheet_title(ws, title: str, subtitle: str = "") -> None:
    ws["A1"] = title
    ws["A1"].font = Font(size=14, bold=True, color=BRAND)
    if subtitle:
        ws["A2"] = subtitle
        ws["A2"].font = Font(italic=True, color="555555")


def header_row(ws, row: int, values: list[str]) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = Border(bottom=THIN)


def widths(ws, values: list[int]) -> None:
    for col, width in enumerate(values, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def product_name(code: str, lang: str) -> str:
    return PRODUCTS[code]["name"][lang]


def xlsx_price_list(out: Path) -> None:
    wb = new_workbook("Прайс-лист Квант 2026")
    for lang, ws in (("ru", wb.active), ("en", wb.create_sheet())):
        ws.title = "Прайс-лист" if lang == "ru" else "Price list"
        sheet_title(ws, "Прайс-лист «Квант» 2026" if lang == "ru" else "Kvant price list 2026",
                    "Цены в рублях за 1 лицензию на 1 пользователя на 12 месяцев; НДС не облагается (пп. 26 п. 2 ст. 149 НК РФ)"
                    if lang == "ru" else
                    "Prices in roubles per licence per user for 12 months; exempt from VAT (Tax Code art. 149(2)(26))")
        head = (["Код", "Продукт", "Цена для заказчика"] + [f"Партнёр: {TIER_NAMES[t]['ru']}" for t in TIERS]
                if lang == "ru" else
                ["Code", "Product", "Customer price"] + [f"Partner: {TIER_NAMES[t]['en']}" for t in TIERS])
        header_row(ws, 4, head)
        for r, code in enumerate(PRICE, start=5):
            ws.cell(r, 1, code.upper())
            ws.cell(r, 2, product_name(code, lang))
            ws.cell(r, 3, PRICE[code]).number_format = RUB
            for c, tier in enumerate(TIERS, start=4):
                ws.cell(r, c, round(PRICE[code] * (100 - RATE[code][tier]) / 100)).number_format = RUB
        r0 = 5 + len(PRICE) + 1
        header_row(ws, r0, (["", "Скидка партнёра (= ставка комиссии)", ""] if lang == "ru"
                            else ["", "Partner discount (= commission rate)", ""]) + [TIER_NAMES[t][lang] for t in TIERS])
        for r, code in enumerate(PRICE, start=r0 + 1):
            ws.cell(r, 1, code.upper())
            ws.cell(r, 2, product_name(code, lang))
            for c, tier in enumerate(TIERS, start=4):
                ws.cell(r, c, RATE[code][tier] / 100).number_format = PCT
        notes_row = r0 + len(PRICE) + 2
        notes = ([
            "Продление стоит столько же, сколько первый год.",
            "Применяется уровень партнёра на дату выигрыша сделки.",
            f"SPIFF за первую выигранную сделку: {money(PROGRAM['spiff']['first_deal_rub'])} ₽.",
            "Ретро-бонус за квартал: " + "; ".join(
                f"{s['percent']} % от {money(s['quarter_revenue_rub'])} ₽" for s in PROGRAM["retro_bonus"]) + ".",
            "Скидки сверх прайс-листа согласуются с вендором под конкретную зарегистрированную сделку.",
        ] if lang == "ru" else [
            "A renewal costs the same as the first year.",
            "The partner's tier on the day the deal is won applies.",
            f"SPIFF for the first won deal: {money(PROGRAM['spiff']['first_deal_rub'], 'en')} ₽.",
            "Quarterly retro-bonus: " + "; ".join(
                f"{s['percent']} % from {money(s['quarter_revenue_rub'], 'en')} ₽" for s in PROGRAM["retro_bonus"]) + ".",
            "Discounts beyond the price list are agreed with the vendor for a specific registered deal.",
        ])
        for k, note in enumerate(notes):
            ws.cell(notes_row + k, 1, "•")
            ws.cell(notes_row + k, 2, note)
        widths(ws, [8, 30, 18, 18, 18, 18, 18])

    ws = wb.create_sheet("Расчёт КП")
    sheet_title(ws, "Расчёт коммерческого предложения", "Заполните жёлтые ячейки")
    ws["A4"], ws["B4"] = "Ваш уровень", TIER_NAMES["bronze"]["ru"]
    ws["B4"].fill = INPUT_FILL
    dv = DataValidation(type="list", formula1='"' + ",".join(TIER_NAMES[t]["ru"] for t in TIERS) + '"')
    ws.add_data_validation(dv)
    dv.add("B4")
    header_row(ws, 6, ["Продукт", "Лицензий", "Цена", "Сумма для заказчика", "Ставка", "Ваш доход"])
    tier_cols = "{" + ",".join(f'"{TIER_NAMES[t]["ru"]}"' for t in TIERS) + "}"
    for r, code in enumerate(PRICE, start=7):
        ws.cell(r, 1, product_name(code, "ru"))
        ws.cell(r, 2, 10).fill = INPUT_FILL
        ws.cell(r, 3, PRICE[code]).number_format = RUB
        ws.cell(r, 4, f"=B{r}*C{r}").number_format = RUB
        rates = "{" + ",".join(str(RATE[code][t] / 100) for t in TIERS) + "}"
        ws.cell(r, 5, f"=INDEX({rates},MATCH($B$4,{tier_cols},0))").number_format = PCT
        ws.cell(r, 6, f"=D{r}*E{r}").number_format = RUB
    total = 7 + len(PRICE)
    ws.cell(total, 1, "Итого").font = Font(bold=True)
    for col in (4, 6):
        letter = get_column_letter(col)
        cell = ws.cell(total, col, f"=SUM({letter}7:{letter}{total - 1})")
        cell.number_format = RUB
        cell.font = Font(bold=True)
    ws.cell(total + 2, 1, "Доход не включает SPIFF, ретро-бонус и ваши услуги по внедрению и поддержке.")
    widths(ws, [26, 12, 14, 22, 10, 18])
    wb.save(out)


def xlsx_implementation(out: Path) -> None:
    wb = new_workbook("Пакеты внедрения Квант 2026")
    ws = wb.active
    ws.title = "Пакеты"
    sheet_title(ws, "Пакеты внедрения — рекомендации вендора", "Цены рекомендованные; окончательную стоимость определяет партнёр")
    header_row(ws, 4, ["Пакет", "Пользователей", "Интеграции", "Срок, недель", "Рекомендованная цена", "Состав"])
    rows = [
        ("Старт", "до 20", "нет", "3–4", 300000, "Обследование, настройка, обучение, запуск"),
        ("Стандарт", "20–80", "учётная система", "6–8", 550000, "+ интеграция с учётом, перенос данных, опытная эксплуатация"),
        ("Проект", "от 80", "несколько / миграция", "10–14", 900000, "+ несколько продуктов, миграция с прежней системы, проектный офис"),
    ]
    for r, row in enumerate(rows, start=5):
        for c, v in enumerate(row, start=1):
            cell = ws.cell(r, c, v)
            if c == 5:
                cell.number_format = RUB
    widths(ws, [14, 14, 22, 13, 22, 62])

    ws = wb.create_sheet("Ставки")
    sheet_title(ws, "Рекомендованные ставки по ролям")
    header_row(ws, 3, ["Роль", "Ставка, ₽/час"])
    rates = [("Руководитель проекта", 5500), ("Бизнес-аналитик, консультант", 4500),
             ("Разработчик интеграций", 5000), ("Тренер", 3500)]
    for r, (role, rate) in enumerate(rates, start=4):
        ws.cell(r, 1, role)
        ws.cell(r, 2, rate).number_format = RUB
    ws.cell(9, 1, f"Поддержка первой линии: {SUPPORT_SHARE} % от стоимости продления лицензий в год.")
    widths(ws, [34, 16])

    ws = wb.create_sheet("Калькулятор")
    sheet_title(ws, "Оценка пакета", "Заполните жёлтые ячейки")
    inputs = [("Пользователей", 35), ("Интеграций с учётными системами", 1), ("Миграция с прежней системы (1 — да, 0 — нет)", 0),
              ("Продуктов «Квант» в проекте", 1)]
    for r, (label, value) in enumerate(inputs, start=4):
        ws.cell(r, 1, label)
        ws.cell(r, 2, value).fill = INPUT_FILL
    ws["A9"] = "Рекомендуемый пакет"
    ws["B9"] = '=IF(OR(B4>80,B6=1,B7>1),"Проект",IF(OR(B4>20,B5>0),"Стандарт","Старт"))'
    ws["A10"] = "Базовая цена пакета"
    ws["B10"] = '=IF(B9="Проект",900000,IF(B9="Стандарт",550000,300000))'
    ws["A11"] = "Дополнительные интеграции (80 ч разработчика каждая)"
    ws["B11"] = "=MAX(B5-1,0)*80*5000"
    ws["A12"] = "Дополнительные пользователи сверх 80 (обучение, 0,5 ч тренера на человека)"
    ws["B12"] = "=MAX(B4-80,0)*0.5*3500"
    ws["A13"] = "Оценка стоимости внедрения"
    ws["B13"] = "=B10+B11+B12"
    for r in (10, 11, 12, 13):
        ws.cell(r, 2).number_format = RUB
    ws["A13"].font = ws["B13"].font = Font(bold=True)
    widths(ws, [70, 18])
    wb.save(out)


def xlsx_roi(out: Path) -> None:
    wb = new_workbook("Kvant CRM ROI")
    for lang, ws in (("ru", wb.active), ("en", wb.create_sheet())):
        ru = lang == "ru"
        ws.title = "Расчёт" if ru else "Calculation"
        sheet_title(ws, "Окупаемость «Квант CRM»" if ru else "Kvant CRM payback",
                    "Жёлтые ячейки — данные заказчика" if ru else "Yellow cells are the customer's figures")
        rows = [
            ("Число лицензий" if ru else "Number of licences", 25, None),
            ("Цена лицензии в год, ₽" if ru else "Licence price per year, ₽", PRICE["crm"], RUB),
            ("Стоимость внедрения, ₽" if ru else "Implementation cost, ₽", 550000, RUB),
            ("Менеджеров, экономящих время" if ru else "Reps saving time", 25, None),
            ("Сэкономлено часов в месяц на менеджера" if ru else "Hours saved per rep per month", 6, None),
            ("Стоимость часа менеджера, ₽" if ru else "Cost of a rep's hour, ₽", 800, RUB),
            ("Сохранённых сделок в месяц" if ru else "Deals saved per month", 2, None),
            ("Средняя маржа сделки, ₽" if ru else "Average margin per deal, ₽", 60000, RUB),
            ("Дополнительная маржа от повторных продаж в месяц, ₽" if ru else "Extra margin from repeat sales per month, ₽", 80000, RUB),
        ]
        for r, (label, value, fmt) in enumerate(rows, start=4):
            ws.cell(r, 1, label)
            cell = ws.cell(r, 2, value)
            cell.fill = INPUT_FILL
            if fmt:
                cell.number_format = fmt
        results = [
            ("Затраты первого года, ₽" if ru else "First-year cost, ₽", "=B4*B5+B6", RUB),
            ("Эффект в месяц, ₽" if ru else "Monthly benefit, ₽", "=B7*B8*B9+B10*B11+B12", RUB),
            ("Срок окупаемости, месяцев" if ru else "Payback period, months", "=IF(B15>0,B14/B15,\"—\")", "0.0"),
            ("Затраты за 3 года, ₽" if ru else "Three-year cost, ₽", "=B4*B5*3+B6", RUB),
            ("Эффект за 3 года, ₽" if ru else "Three-year benefit, ₽", "=B15*36", RUB),
            ("ROI за 3 года" if ru else "Three-year ROI", "=(B18-B17)/B17", PCT),
        ]
        for r, (label, formula, fmt) in enumerate(results, start=14):
            ws.cell(r, 1, label).font = Font(bold=True)
            cell = ws.cell(r, 2, formula)
            cell.number_format = fmt
            cell.font = Font(bold=True, color=BRAND)
        ws.cell(21, 1, "Совет: делите оптимистичную оценку эффекта пополам — консервативный расчёт убеждает лучше."
                if ru else "Tip: halve the optimistic benefit estimate; a conservative calculation convinces better.")
        widths(ws, [58, 18])
    wb.save(out)


def xlsx_tco(out: Path) -> None:
    wb = new_workbook("TCO Квант Аналитика")
    ws = wb.active
    ws.title = "TCO 3 года"
    sheet_title(ws, "Стоимость владения за 3 года: «Квант Аналитика» и альтернативы",
                "Жёлтые ячейки — допущения; замените их данными заказчика")
    ws["A4"], ws["B4"] = "Пользователей BI", 30
    ws["A5"], ws["B5"] = "Цена лицензии «Квант Аналитика» в год, ₽", PRICE["bi"]
    ws["A6"], ws["B6"] = "Миграция отчётов на «Квант», ₽", 1200000
    ws["A7"], ws["B7"] = "Поддержка первой линии, % от продления", SUPPORT_SHARE / 100
    ws["A8"], ws["B8"] = "Западная платформа: подписка через посредников на пользователя в год, ₽", 95000
    ws["A9"], ws["B9"] = "Западная платформа: сопровождение подрядчиком в год, ₽", 1500000
    ws["A10"], ws["B10"] = "Западная платформа: резерв на аварийную миграцию, ₽", 1800000
    ws["A11"], ws["B11"] = "Своя разработка: создание, ₽", 9000000
    ws["A12"], ws["B12"] = "Своя разработка: сопровождение в год, ₽", 1200000
    ws["A13"], ws["B13"] = "Своя разработка: резерв на уход ключевых людей, ₽", 1500000
    for r in range(4, 14):
        ws.cell(r, 2).fill = INPUT_FILL
        ws.cell(r, 2).number_format = PCT if r == 7 else ("0" if r == 4 else RUB)
    ws["B5"].fill = PatternFill()
    header_row(ws, 15, ["Статья за 3 года", "«Квант Аналитика»", "Западная платформа", "Своя разработка"])
    lines = [
        ("Лицензии / подписка", "=B4*B5*3", "=B4*B8*3", 0),
        ("Миграция, внедрение, разработка", "=B6", 0, "=B11"),
        ("Сопровождение", "=B4*B5*B7*3", "=B9*3", "=B12*3"),
        ("Резерв на риски", 0, "=B10", "=B13"),
    ]
    for r, row in enumerate(lines, start=16):
        for c, v in enumerate(row, start=1):
            cell = ws.cell(r, c, v)
            if c > 1:
                cell.number_format = RUB
    ws.cell(20, 1, "Итого").font = Font(bold=True)
    for c in (2, 3, 4):
        letter = get_column_letter(c)
        cell = ws.cell(20, c, f"=SUM({letter}16:{letter}19)")
        cell.number_format = RUB
        cell.font = Font(bold=True)
    ws.cell(22, 1, "Цена «Квант Аналитики» — по прайс-листу 2026; все остальные цифры — допущения для примера.")
    widths(ws, [72, 20, 20, 20])
    wb.save(out)


def xlsx_deal_desk(out: Path) -> None:
    wb = new_workbook("Deal desk — запрос специальных условий")
    ws = wb.active
    ws.title = "Запрос"
    sheet_title(ws, "Deal desk: запрос специальных условий", "Только для партнёров уровня «Платина» · приложите к карточке сделки в хабе")
    fields = ["Партнёр", "Номер сделки в хабе", "Заказчик", "ИНН заказчика", "Отрасль", "Срок контракта, лет",
              "Запрашиваемая дополнительная скидка, %", "Фиксация цены, лет", "Порядок оплаты", "Пилот (да/нет, пользователей, дней)",
              "Обоснование", "Конкурентная ситуация (тендер, предложение конкурента)", "Ответственный у партнёра"]
    for r, label in enumerate(fields, start=4):
        ws.cell(r, 1, label).font = Font(bold=True)
        ws.cell(r, 2).fill = INPUT_FILL
    start = 4 + len(fields) + 1
    header_row(ws, start, ["Продукт", "Лицензий", "Цена по прайс-листу", "Сумма по прайс-листу в год", "Доп. скидка", "Сумма со скидкой в год"])
    for r, code in enumerate(PRICE, start=start + 1):
        ws.cell(r, 1, product_name(code, "ru"))
        ws.cell(r, 2, 0).fill = INPUT_FILL
        ws.cell(r, 3, PRICE[code]).number_format = RUB
        ws.cell(r, 4, f"=B{r}*C{r}").number_format = RUB
        ws.cell(r, 5, "=IFERROR(B10/100,0)").number_format = PCT
        ws.cell(r, 6, f"=D{r}*(1-E{r})").number_format = RUB
    total = start + 1 + len(PRICE)
    ws.cell(total, 1, "Итого").font = Font(bold=True)
    for c in (2, 4, 6):
        letter = get_column_letter(c)
        ws.cell(total, c, f"=SUM({letter}{start + 1}:{letter}{total - 1})").number_format = RUB if c > 2 else "0"
    ws.cell(total + 1, 1, "Порог deal desk: от 300 лицензий или от 10 000 000 ₽ в год по прайс-листу")
    ws.cell(total + 1, 4, f'=IF(OR(B{total}>=300,D{total}>=10000000),"порог выполнен","ниже порога")')
    widths(ws, [52, 30, 20, 26, 14, 26])

    ws = wb.create_sheet("Порядок")
    sheet_title(ws, "Порядок рассмотрения")
    steps = ["1. Сделка зарегистрирована в хабе и одобрена.",
             "2. Форма приложена к карточке сделки; персональный менеджер канала уведомлён.",
             "3. Deal desk отвечает в течение 5 рабочих дней; решение записывается в историю сделки.",
             "4. Согласованные условия действуют 60 дней и только для этой сделки.",
             "5. Комиссия считается от итоговой цены по ставке уровня «Платина»: "
             + ", ".join(f"{product_name(c, 'ru')} — {RATE[c]['platinum']} %" for c in PRICE) + "."]
    for r, s in enumerate(steps, start=3):
        ws.cell(r, 1, s)
    header_row(ws, 10, ["Условие", "Возможный диапазон"])
    for r, (a, b) in enumerate([("Дополнительная скидка заказчику", "до 15 % сверх прайс-листа, за счёт вендора"),
                                ("Фиксация цены", "на 2–3 года"), ("Оплата", "поэтапная, ежеквартальная"),
                                ("Пилот", "до 60 дней бесплатно на 50 пользователей")], start=11):
        ws.cell(r, 1, a)
        ws.cell(r, 2, b)
    widths(ws, [40, 60])
    wb.save(out)


def xlsx_public_sector(out: Path) -> None:
    wb = new_workbook("Прайс-лист для государственных заказчиков 2026")
    ws = wb.active
    ws.title = "Прайс-лист"
    sheet_title(ws, "ООО «Квант Софт» · Прайс-лист для государственных и муниципальных заказчиков, 2026 год",
                "Для обоснования начальной (максимальной) цены контракта (44-ФЗ, 223-ФЗ)")
    header_row(ws, 4, ["№", "Наименование", "ОКПД2", "Ед. изм.", "Цена за единицу, ₽", "НДС"])
    for r, code in enumerate(PRICE, start=5):
        ws.cell(r, 1, r - 4)
        ws.cell(r, 2, f"Право использования программного обеспечения «{product_name(code, 'ru')}» "
                      "(неисключительная лицензия), 1 пользователь, 12 месяцев")
        ws.cell(r, 3, "58.29.50.000")
        ws.cell(r, 4, "лицензия")
        ws.cell(r, 5, PRICE[code]).number_format = RUB
        ws.cell(r, 6, "не облагается")
        ws.cell(r, 2).alignment = Alignment(wrap_text=True, vertical="top")
    notes = ["НДС не облагается на основании подпункта 26 пункта 2 статьи 149 НК РФ: программы включены в единый реестр российского ПО.",
             "Номер записи в реестре указывается в коммерческом предложении.",
             "Цены совпадают с публичным прайс-листом; наценки и отдельной скидки для госсектора нет.",
             "Внедрение, обучение и поддержку рекомендуется выделять в отдельные этапы (ОКПД2 62.02, 62.09).",
             "Прайс-лист действует с 1 января по 31 декабря 2026 года."]
    for k, note in enumerate(notes, start=9):
        ws.cell(k, 2, note).alignment = Alignment(wrap_text=True)
    widths(ws, [5, 70, 14, 11, 20, 16])
    wb.save(out)


# --------------------------------------------------------------------------------------------
# CSV builders (UTF-8 with BOM so that spreadsheet programs detect the encoding; comma-separated)
# --------------------------------------------------------------------------------------------

def write_csv(out: Path, header: list[str], rows: list[list]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    out.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")


FIRST = ["Гранит", "Вектор", "Опора", "Монолит", "Кварц", "Фасад", "Кровля", "Уют", "Профиль", "Каскад",
         "Северный", "Приволжский", "Доминанта", "Основа", "Горизонт"]
SECOND = ["Строй", "Монтаж", "Ремонт", "Проект", "Сервис", "Дом"]
SURNAMES = ["Смирнова А.", "Кузнецов Д.", "Попова Е.", "Васильев И.", "Морозова О.", "Новиков С.",
            "Фёдорова Н.", "Волков П.", "Алексеева М.", "Лебедев К."]


def csv_crm_retail(out: Path) -> None:
    rnd = random.Random(20260210)
    stores = ["Магазин 1 — Центральный", "Магазин 2 — Северный", "Магазин 3 — Заречный",
              "Магазин 4 — Промзона", "Магазин 5 — Кстово", "Магазин 6 — Дзержинск"]
    kinds = ["Подрядчик", "Строительная бригада", "Управляющая компания", "Дизайн-студия", "HoReCa"]
    names = set()
    while len(names) < 60:
        form = rnd.choice(["ООО", "ООО", "ИП", "АО"])
        names.add(f"{form} «{rnd.choice(FIRST)}{rnd.choice(SECOND)}»" if form != "ИП"
                  else f"ИП {rnd.choice(['Борисов', 'Гусев', 'Зайцев', 'Котова', 'Орлов', 'Павлова', 'Соколов', 'Тихонова'])} "
                       f"{rnd.choice('АБВГДЕИКМНОПРС')}.{rnd.choice('АБВГДЕИКМНОПРС')}.")
    customers = sorted(names)
    info = {c: (rnd.choice(kinds), rnd.choice(stores), rnd.choice(SURNAMES)) for c in customers}
    stages = ["Запрос", "Коммерческое предложение", "Согласование скидки", "Счёт выставлен", "Оплачено", "Отгружено", "Проиграно"]
    subjects = ["Черновые материалы на объект", "Сухие смеси, поставка на месяц", "Отделочные материалы",
                "Кровельные материалы", "Сантехника и инженерные системы", "Инструмент и расходники", "Краски и грунты"]
    rows = []
    start = dt.date(2025, 9, 1)
    for n in range(1, 121):
        customer = customers[(n * 7) % 60]
        kind, store, rep = info[customer]
        created = start + dt.timedelta(days=rnd.randrange(0, 150))
        stage = rnd.choices(stages, weights=[10, 16, 8, 12, 22, 24, 8])[0]
        amount = rnd.randrange(40, 1800) * 1000
        discount = rnd.choice([0, 0, 3, 5, 5, 7, 10])
        close = created + dt.timedelta(days=rnd.randrange(5, 45))
        rows.append([f"D-{1000 + n}", customer, kind, store, rep, rnd.choice(subjects), stage, amount, discount,
                     created.isoformat(), close.isoformat()])
    write_csv(out, ["Сделка", "Клиент", "Тип клиента", "Магазин", "Менеджер", "Предмет", "Этап", "Сумма, ₽",
                    "Скидка, %", "Создана", "План закрытия"], rows)


def csv_bi_production(out: Path) -> None:
    rnd = random.Random(20260302)
    causes = ["Переналадка", "Ожидание сырья", "Незапланированный ремонт", "Плановое обслуживание",
              "Отсутствие оператора", "Ожидание контроля качества", "Прочее"]
    rows = []
    day = dt.date(2026, 1, 9)
    while day <= dt.date(2026, 3, 31):
        if day.weekday() < 6:
            for line, rate in (("Линия 1", 60), ("Линия 2", 48), ("Линия 3", 36)):
                for shift in ("Дневная", "Ночная"):
                    planned = 690
                    downtime = int(rnd.triangular(15, 160, 45))
                    perf = rnd.uniform(0.78, 0.95)
                    if line == "Линия 2" and shift == "Ночная":
                        perf -= 0.12
                    run = planned - downtime
                    produced = int(run * rate / 60 * perf)
                    defects = int(produced * rnd.uniform(0.005, 0.04))
                    cause = rnd.choices(causes, weights=[30, 22, 18, 8, 7, 6, 9])[0]
                    rows.append([day.isoformat(), line, shift, planned, downtime, cause, rate, produced, defects])
        day += dt.timedelta(days=1)
    write_csv(out, ["Дата", "Линия", "Смена", "Плановое время, мин", "Простой, мин", "Основная причина простоя",
                    "Норма, шт/ч", "Выпуск, шт", "Брак, шт"], rows)


def csv_sd_tickets(out: Path) -> None:
    rnd = random.Random(20260126)
    clients = [("Офисный центр «Меридиан»", "8×5"), ("Торговая сеть «Домашний рынок»", "24×7"),
               ("Юридическая фирма «Право и дело»", "8×5"), ("Завод «Волжские металлоконструкции»", "24×7"),
               ("Клиника «Здоровье плюс»", "12×7"), ("Логистика «Северный путь»", "24×7"),
               ("Школа «Интеллект»", "8×5"), ("Агентство «Пиксель»", "8×5")]
    sla = {"8×5": {"Критический": (1, 4), "Высокий": (2, 8), "Средний": (4, 24), "Низкий": (8, 40)},
           "12×7": {"Критический": (1, 4), "Высокий": (1, 6), "Средний": (4, 16), "Низкий": (8, 32)},
           "24×7": {"Критический": (0.5, 2), "Высокий": (1, 4), "Средний": (2, 12), "Низкий": (4, 24)}}
    categories = ["Рабочее место", "Сеть и VPN", "Учётные записи и доступы", "Принтеры", "Почта",
                  "Кассовое оборудование", "Серверы", "1-я линия: консультация"]
    channels = ["Почта", "Портал", "Телефон", "Мессенджер"]
    engineers = ["Ахметов Р.", "Галиева Л.", "Сидоров В.", "Хабибуллин И.", "Ершова Т.", "Николаев А."]
    rows = []
    start = dt.datetime(2026, 1, 12, 8, 0)
    for n in range(1, 301):
        client, contract = rnd.choice(clients)
        priority = rnd.choices(list(sla[contract]), weights=[4, 14, 52, 30])[0]
        react, solve = sla[contract][priority]
        created = start + dt.timedelta(minutes=rnd.randrange(0, 60 * 24 * 60))
        resolved_h = round(solve * rnd.uniform(0.15, 1.25), 1)
        rows.append([f"SD-{24000 + n}", created.strftime("%Y-%m-%d %H:%M"), client, contract, rnd.choice(channels),
                     rnd.choice(categories), priority, react, solve, resolved_h, rnd.choice(engineers),
                     "в срок" if resolved_h <= solve else "нарушен"])
    rows.sort(key=lambda r: r[1])
    write_csv(out, ["Заявка", "Создана", "Клиент", "Договор", "Канал", "Категория", "Приоритет",
                    "SLA реакции, ч", "SLA решения, ч", "Решена за, ч", "Инженер", "SLA"], rows)


def csv_bi_retail(out: Path) -> None:
    rnd = random.Random(20260408)
    regions = ["Москва и область", "Центральный ФО", "Приволжский ФО", "Южный ФО"]
    cats = ["Продукты", "Бытовая химия", "Товары для дома", "Сезонные товары"]
    stores = [(f"Магазин {i:02d}", regions[(i - 1) % 4], "у дома" if i % 3 else "супермаркет") for i in range(1, 25)]
    rows = []
    week0 = dt.date(2026, 1, 5)
    for w in range(26):
        week = week0 + dt.timedelta(weeks=w)
        season = 1 + 0.08 * (w > 16)
        for name, region, fmt in stores:
            base = 2400 if fmt == "у дома" else 5200
            traffic = int(base * rnd.uniform(0.9, 1.1) * season)
            if name == "Магазин 17" and w >= 13:
                traffic = int(traffic * 0.78)
            ticket = rnd.uniform(780, 980) if fmt == "у дома" else rnd.uniform(1250, 1600)
            revenue = traffic * ticket
            shares = [0.55, 0.15, 0.18, 0.12]
            noise = [s * rnd.uniform(0.9, 1.1) for s in shares]
            total = sum(noise)
            plan = base * season * (880 if fmt == "у дома" else 1420) * 1.03
            rows.append([week.isoformat(), name, region, fmt, traffic, round(revenue)]
                        + [round(revenue * s / total) for s in noise] + [round(plan, -3)])
    write_csv(out, ["Неделя (понедельник)", "Магазин", "Регион", "Формат", "Чеков", "Выручка, ₽"]
              + [f"Выручка: {c}, ₽" for c in cats] + ["План выручки, ₽"], rows)


def csv_renewal(out: Path) -> None:
    rows = []
    for code in PRICE:
        for tier in TIERS:
            price = PRICE[code]
            commission = price * RATE[code][tier] / 100
            support = price * SUPPORT_SHARE / 100
            rows.append([product_name(code, "ru"), code, TIER_NAMES[tier]["ru"], price, RATE[code][tier],
                         round(commission), round(support), round(commission + support)])
    write_csv(out, ["Продукт", "Код", "Уровень партнёра", "Продление за лицензию в год, ₽", "Ставка комиссии, %",
                    "Комиссия с продления, ₽", f"Поддержка первой линии ({SUPPORT_SHARE} %), ₽",
                    "Доход партнёра с лицензии в год, ₽"], rows)


CRM_VS_1C = [
    ("Интерфейс для продавцов (веб)", "да", "частично", "Интерфейс учётной платформы привычен бухгалтерии, а не продажам"),
    ("Мобильное приложение для менеджеров", "да", "частично", "Проверьте работу без связи и на выезде"),
    ("Настройка этапов и полей без программиста", "да", "частично", "Часто требуется доработка конфигурации"),
    ("Интеграция с учётной системой", "да (стандартный обмен)", "да (одна база)", "Их сильная сторона — признавайте"),
    ("Независимость от закрытия месяца и обновлений учётной базы", "да", "нет", "Спросите, что происходит с CRM при обновлении"),
    ("Телефония и запись звонков в карточке", "да", "частично", ""),
    ("Почта и мессенджеры в карточке клиента", "да", "частично", ""),
    ("Согласование скидок по правилам", "да", "частично", ""),
    ("Аналитика на тех же данных", "да («Квант Аналитика»)", "частично", "Отчёты учётной платформы не заменяют BI"),
    ("Сервис-деск на той же платформе", "да («Квант Сервис-деск»)", "нет", ""),
    ("Облако в российских дата-центрах", "да", "частично", ""),
    ("Установка на серверах заказчика", "да", "да", ""),
    ("Открытый REST API", "да", "частично", ""),
    ("Обновления без доработок у подрядчика", "да", "нет", "Доработанные конфигурации сложно обновлять"),
    ("Реестр российского ПО", "да", "да", "Паритет — не делайте акцент"),
]

BI_VS_WESTERN = [
    ("Покупка новых лицензий", "да", "нет / через посредников"),
    ("Обновления и исправления безопасности", "да", "нет"),
    ("Поддержка вендора на русском языке", "да", "нет"),
    ("Визуализации и редактор отчётов", "да", "да"),
    ("Разграничение доступа до строки", "да", "да"),
    ("Установка в контуре заказчика", "да", "да"),
    ("Реестр российского ПО", "да", "нет"),
    ("Коннекторы к CRM и сервис-деску «Квант»", "да", "нет"),
    ("Коннекторы к российским учётным системам", "да", "частично"),
    ("Конвертер моделей данных с прежней платформы", "да", "—"),
    ("Мобильный просмотр дашбордов", "да", "да"),
    ("Рассылка отчётов по расписанию", "да", "да"),
    ("Стоимость лицензии в год на пользователя", f"{money(PRICE['bi'])} ₽", "нет официальной цены"),
    ("Риск прекращения доступа", "нет", "есть"),
]

MATRIX = [  # ru, en, Kvant, western CRM, 1C-based CRM, spreadsheets, in-house
    ("Обновления и поддержка вендора", "Vendor updates and support", "y", "n", "y", "-", "p"),
    ("Данные в России", "Data in Russia", "y", "p", "y", "p", "y"),
    ("Мобильное приложение", "Mobile app", "y", "y", "p", "p", "p"),
    ("Настройка без программиста", "Configuration without a programmer", "y", "y", "p", "y", "n"),
    ("Интеграция с учётом", "Accounting integration", "y", "p", "y", "n", "p"),
    ("Аналитика на тех же данных", "Analytics on the same data", "y", "p", "p", "p", "n"),
    ("Воронка продаж и этапы сделок", "Sales pipeline and deal stages", "y", "y", "y", "p", "p"),
    ("Задачи и напоминания", "Tasks and reminders", "y", "y", "y", "n", "p"),
    ("История изменений", "Change history", "y", "y", "p", "n", "p"),
    ("Права доступа до записи", "Record-level access rights", "y", "y", "p", "n", "p"),
    ("Телефония в карточке клиента", "Telephony in the customer card", "y", "p", "p", "n", "n"),
    ("Почта и мессенджеры", "E-mail and messengers", "y", "y", "p", "n", "p"),
    ("Сервис-деск на той же платформе", "Service desk on the same platform", "y", "p", "n", "n", "n"),
    ("Открытый API", "Open API", "y", "y", "p", "n", "p"),
    ("Установка на серверах заказчика", "On-premises installation", "y", "p", "y", "-", "y"),
    ("Реестр российского ПО", "Russian software register", "y", "n", "y", "-", "n"),
    ("Предсказуемая стоимость лицензий", "Predictable licence cost", "y", "n", "p", "y", "-"),
    ("Независимость от ключевых сотрудников", "No dependence on key people", "y", "p", "p", "n", "n"),
    ("Перенос данных из прежней системы", "Migration from the previous system", "y", "-", "p", "-", "-"),
    ("Срок запуска типового проекта", "Time to launch a typical project", "3–14 нед.|3–14 weeks", "-", "p", "y", "n"),
]


def csv_crm_vs_1c(out: Path) -> None:
    write_csv(out, ["Критерий", "«Квант CRM»", "CRM на платформе 1С (типично)", "Комментарий для партнёра"],
              [list(r) for r in CRM_VS_1C])


def csv_bi_vs_western(out: Path) -> None:
    write_csv(out, ["Критерий", "«Квант Аналитика»", "Западная BI-платформа (ушедший вендор)"], [list(r) for r in BI_VS_WESTERN])


def _matrix(out: Path, lang: str) -> None:
    words = {"ru": {"y": "да", "p": "частично", "n": "нет", "-": "—"}, "en": {"y": "yes", "p": "partly", "n": "no", "-": "—"}}[lang]
    head = (["Критерий", "«Квант»", "Западная CRM, ушедшая с рынка", "CRM на платформе 1С", "Электронные таблицы", "Собственная разработка"]
            if lang == "ru" else
            ["Criterion", "Kvant", "Western CRM that left the market", "1C-based CRM", "Spreadsheets", "In-house system"])
    rows = []
    for ru, en, *marks in MATRIX:
        cells = []
        for m in marks:
            cells.append(m.split("|")[0 if lang == "ru" else 1] if "|" in m else words[m])
        rows.append([ru if lang == "ru" else en] + cells)
    write_csv(out, head, rows)


BUILDERS = {
    "kvant-price-list-2026.xlsx": xlsx_price_list,
    "kvant-implementation-packages-2026.xlsx": xlsx_implementation,
    "kvant-crm-roi-calculator.xlsx": xlsx_roi,
    "kvant-bi-tco-3-years.xlsx": xlsx_tco,
    "kvant-deal-desk-request.xlsx": xlsx_deal_desk,
    "kvant-public-sector-price-2026.xlsx": xlsx_public_sector,
    "kvant-crm-retail-demo-data.csv": csv_crm_retail,
    "kvant-bi-production-sample.csv": csv_bi_production,
    "kvant-sd-demo-tickets.csv": csv_sd_tickets,
    "kvant-bi-retail-sales-sample.csv": csv_bi_retail,
    "kvant-renewal-support-2026.csv": csv_renewal,
    "crm-vs-1c-crm-matrix.csv": csv_crm_vs_1c,
    "bi-vs-western-bi-matrix.csv": csv_bi_vs_western,
    "kvant-competitive-matrix-ru.csv": lambda out: _matrix(out, "ru"),
    "kvant-competitive-matrix-en.csv": lambda out: _matrix(out, "en"),
}
BY_EXTENSION = {".pdf": build_pdf, ".docx": build_docx, ".pptx": build_pptx}


def main(argv: list[str]) -> int:
    slugs = argv or sorted(p.name for p in LIBRARY.iterdir() if (p / "item.yml").is_file())
    made = 0
    for slug in slugs:
        item = load_item(slug)
        for entry in item.get("files") or []:
            name = entry["name"]
            out = LIBRARY / slug / name
            if name in BUILDERS:
                BUILDERS[name](out)
            elif out.suffix in BY_EXTENSION:
                BY_EXTENSION[out.suffix](slug, item, name, out)
            else:
                raise SystemExit(f"{slug}/{name}: no builder for this file")
            made += 1
            print(f"{slug}/{name}: {out.stat().st_size:,} bytes")
    print(f"{made} files written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
