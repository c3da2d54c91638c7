"""Customer keys: company names, domains and INNs (no database, no HTTP)."""
import pytest

from hub.normalize import display_domain, normalise_company, normalise_domain


@pytest.mark.parametrize("raw", [
    "ООО «Рога и Копыта»",
    '"РОГА И КОПЫТА", ооо',
    "Рога и копыта LLC",
    "Общество с ограниченной ответственностью «Рога и копыта»",
    "ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ „Рога и Копыта“",
    "  рога   и  копыта  ",
    "Рога и Копыта, Ltd.",
    "“Рога и копыта” Inc",
    "L.L.C. Рога и копыта",
    "'Рога и копыта' GmbH",
    "`Рога и копыта` ооо",
    "ООО «Рога и Копыта»!",
    "Рога и Копыта (ООО)",
])
def test_the_same_company_however_written(raw):
    assert normalise_company(raw) == "рога и копыта"


@pytest.mark.parametrize("raw, expected", [
    ("Ёлка", "елка"),
    ("ЗАО «Ёжик в тумане»", "ежик в тумане"),
    ("ПАО Сбербанк", "сбербанк"),
    ("Публичное акционерное общество «Сбербанк»", "сбербанк"),
    ("АО «Тинькофф Банк»", "тинькофф банк"),
    ("Акционерное общество Тинькофф Банк", "тинькофф банк"),
    ("Закрытое акционерное общество «Альфа»", "альфа"),
    ("ИП Иванов Иван Иванович", "иванов иван иванович"),
    ("Индивидуальный предприниматель Иванов Иван Иванович", "иванов иван иванович"),
    ("ОАО РЖД", "ржд"), ("НАО «Север»", "север"), ("НКО «Фонд»", "фонд"), ("ГК «Росатом»", "росатом"),
    ("ФГУП «Почта России»", "почта россии"), ("МУП Водоканал", "водоканал"),
    ("Acme Corp.", "acme"), ("Acme Co.", "acme"), ("ACME PLC", "acme"), ("Acme JSC", "acme"),
    ("Acme LLP", "acme"), ("Acme, Inc.", "acme"), ("Acme Ltd", "acme"),
    ("Рога-и-Копыта", "рога и копыта"),
    ("Рога_и_Копыта", "рога и копыта"),
    ("Рога... и — Копыта", "рога и копыта"),
    ("Co-op Bank Ltd", "co op bank"),  # "co" inside a word is not a legal form
    ("Аозт Ромашка", "аозт ромашка"),  # legal forms go only as whole words
    ("Ипподром", "ипподром"),
    ("ООО", ""), ("", ""), (None, ""), ("«»", ""),
])
def test_normalisation_cases(raw, expected):
    assert normalise_company(raw) == expected


def test_different_companies_stay_different():
    assert normalise_company("ООО Рога") != normalise_company("ООО Копыта")
    assert normalise_company("Альфа 1") != normalise_company("Альфа 2")


@pytest.mark.parametrize("raw, expected", [
    ("example.com", "example.com"),
    ("https://www.Example.COM/path?q=1#x", "example.com"),
    ("http://EXAMPLE.com:8080", "example.com"),
    ("www.example.com.", "example.com"),
    ("  sub.example.co.uk  ", "sub.example.co.uk"),
    ("mailto-less@user.example.org", "user.example.org"),
    ("пример.рф", "xn--e1afmkfd.xn--p1ai"),
    ("https://www.ПРИМЕР.РФ/о-нас", "xn--e1afmkfd.xn--p1ai"),
    ("xn--e1afmkfd.xn--p1ai", "xn--e1afmkfd.xn--p1ai"),
    ("XN--E1AFMKFD.XN--P1AI", "xn--e1afmkfd.xn--p1ai"),
    ("Президент.РФ", "xn--d1abbgf6aiiy.xn--p1ai"),
])
def test_domain_normalisation(raw, expected):
    assert normalise_domain(raw) == expected


def test_idn_and_punycode_are_one_domain():
    assert normalise_domain("пример.рф") == normalise_domain("xn--e1afmkfd.xn--p1ai")
    assert display_domain(normalise_domain("пример.рф")) == "пример.рф"


@pytest.mark.parametrize("raw", [
    "", None, "   ", "localhost", "example", "bad_domain.com", "-bad.com", "bad-.com", "exa mple.com",
    "example..com", "1.2.3.4", "http://", "www.", "a" * 64 + ".com", ("a" * 60 + ".") * 5 + "com",
])
def test_invalid_domains(raw):
    assert normalise_domain(raw) is None
