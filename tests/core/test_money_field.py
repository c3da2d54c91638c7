"""One money field (hub/forms.py): Babel's parse_decimal in the reader's language, one ceiling
from content/program.yml for every form."""
import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import InputRequired, Optional

from hub.forms import MoneyError, MoneyField, deal_minimum_kopecks, parse_roubles


@pytest.mark.parametrize("locale, text, kopecks", [
    ("ru", "1 500 000,50", 150_000_050), ("ru", "1\u00a0500\u00a0000,50", 150_000_050),
    ("ru", "1500000,5", 150_000_050), ("ru", "1500000.50", 150_000_050), ("ru", "1 500 000 ₽", 150_000_000),
    ("ru", "99,9 руб.", 9_990), ("ru", "0", 0),
    ("en", "1,500,000.50", 150_000_050), ("en", "1 500 000.50", 150_000_050), ("en", "1500000", 150_000_000),
    ("en", "99,90", 9_990),  # a lone comma with two digits can only be a decimal mark
    ("ru", "", None), ("en", "   ", None),
])
def test_amounts_as_people_type_them(locale, text, kopecks):
    assert parse_roubles(text, locale) == kopecks


@pytest.mark.parametrize("locale, text", [
    ("ru", "1,500,000.50"), ("ru", "12.345,67"), ("en", "1.500.000,50"), ("ru", "-5"), ("en", "1e5"),
    ("ru", "١٢"), ("ru", "десять"), ("ru", "1,555"), ("en", "10.001"),
])
def test_other_text_is_refused(locale, text):
    with pytest.raises(MoneyError):
        parse_roubles(text, locale)


class _Form(Form):
    deal = MoneyField("Deal", minimum=deal_minimum_kopecks, validators=[InputRequired("Enter the amount.")])
    extra = MoneyField("Extra", validators=[Optional()])


@pytest.mark.parametrize("data, field, message", [
    ({"deal": "999.99"}, "deal", "The amount must be at least RUB\u00a01,000."),
    ({"deal": "10,000,000,000.01"}, "deal", "The amount must be at most RUB\u00a010,000,000,000."),
    ({"deal": "  "}, "deal", "Enter the amount."),
    ({"deal": "1000", "extra": "x"}, "extra", "Enter an amount in roubles, for example 1,500,000.50."),
])
def test_limits_come_from_the_rules(app, data, field, message):
    with app.test_request_context(), force_locale("en"):
        form = _Form(MultiDict(data))
        assert not form.validate()
        assert form[field].errors == [message]


def test_the_ceiling_follows_program_yml(app, tmp_path):
    import yaml
    from pathlib import Path
    holder = app.extensions["program_rules"]
    data = yaml.safe_load(Path(holder["path"]).read_text(encoding="utf-8"))
    data["deals"]["amount_max_rub"] = 5000
    path = tmp_path / "program.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    holder["path"], holder["mtime"] = str(path), None
    with app.test_request_context(), force_locale("en"):
        form = _Form(MultiDict({"deal": "5000", "extra": "5000.01"}))
        assert not form.validate()
        assert form.deal.errors == [] and form.extra.errors == ["The amount must be at most RUB\u00a05,000."]


def test_valid_amounts_are_kopecks_and_shown_back_in_the_locale(app):
    with app.test_request_context(), force_locale("ru"):
        form = _Form(MultiDict({"deal": "1 000", "extra": ""}))
        assert form.validate(), form.errors
        assert (form.deal.data, form.extra.data) == (1_000_00, None)
        shown = _Form(data={"deal": 150_000_050})
        assert 'value="1\u00a0500\u00a0000,50"' in shown.deal()
