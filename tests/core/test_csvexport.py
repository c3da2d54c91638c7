"""One CSV export helper (hub/csvexport.py) for every export: BOM, the reader's separator and
decimal mark, times in the program zone, formula-injection escaping."""
import csv
import io
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from hub import csvexport

MOSCOW = ZoneInfo("Europe/Moscow")


def parse(text, delimiter):
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


@pytest.mark.parametrize("value", ["=1+1", "+7 495 123", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd",
                                   '=HYPERLINK("http://evil.test","x")'])
def test_formula_cells_are_made_inert(value):
    rows = parse(csvexport.text(["Customer"], [[value]], locale="en", zone=MOSCOW), ",")
    assert rows[1] == ["'" + value]


def test_plain_text_and_our_own_numbers_are_not_escaped():
    rows = parse(csvexport.text(["a", "b", "c"], [["ООО «Ёлка»; и Ко", -5, csvexport.Roubles(-150)]],
                                locale="en", zone=MOSCOW), ",")
    assert rows[1] == ["ООО «Ёлка»; и Ко", "-5", "-1.50"]


def test_russian_readers_get_semicolons_and_decimal_commas():
    when = datetime(2026, 3, 31, 21, 30, tzinfo=timezone.utc)  # 1 April, 00:30 in Moscow
    text = csvexport.text(["Сумма, ₽", "Ставка", "Когда", "День", "Конфликт", "Пусто"],
                          [[csvexport.Roubles(150_000_050), Decimal("27.500"), when, date(2026, 4, 1), True, None]],
                          locale="ru", zone=MOSCOW)
    assert text.splitlines()[0] == "\ufeffСумма, ₽;Ставка;Когда;День;Конфликт;Пусто"
    rows = parse(text, ";")
    assert rows[1] == ["1500000,50", "27,5", "2026-04-01 00:30", "2026-04-01", "yes", ""]


def test_english_readers_get_commas_and_points():
    rows = parse(csvexport.text(["Amount, RUB", "Rate"], [[csvexport.Roubles(100), Decimal(20)]],
                                locale="en", zone=MOSCOW), ",")
    assert rows == [["Amount, RUB", "Rate"], ["1.00", "20"]]


def test_streams_in_chunks():
    pieces = list(csvexport.generate(["n"], ([n] for n in range(1200)), locale="en", zone=MOSCOW, chunk=500))
    assert len(pieces) == 4  # header, 500, 500, the last 200
    assert "".join(pieces).count("\r\n") == 1201
