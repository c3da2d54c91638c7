"""Library forms: the manager's item form and the customer ROI calculator."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import DateField, HubForm, MoneyField
from .loaders import SLUG
from .models import FACETS, KINDS, TAG_VALUES, TIERS
from . import services


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ItemForm(HubForm):
    slug = StringField(_l("Address (slug)"), validators=[DataRequired(), Length(max=80)],
                       description=_l("Lower-case Latin letters, digits and dashes, e.g. crm-retail-demo-kit."))
    kind = SelectField(_l("Type"), validators=[DataRequired()])
    min_tier = SelectField(_l("Available from tier"), validators=[DataRequired()])
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=300)])
    summary_ru = TextAreaField(_l("Summary (Russian)"), validators=[DataRequired(), Length(max=600)])
    summary_en = TextAreaField(_l("Summary (English)"), validators=[DataRequired(), Length(max=600)])
    body_ru = TextAreaField(_l("Text (Russian, Markdown)"), validators=[DataRequired(), Length(max=50_000)])
    body_en = TextAreaField(_l("Text (English, Markdown)"), validators=[DataRequired(), Length(max=50_000)])
    industry = CheckboxesField(_l("Industry"), validators=[DataRequired(_l("Choose at least one."))])
    partner_type = CheckboxesField(_l("Partner type"), validators=[DataRequired(_l("Choose at least one."))])
    product = CheckboxesField(_l("Product"), validators=[DataRequired(_l("Choose at least one."))])
    language = CheckboxesField(_l("Language"), validators=[DataRequired(_l("Choose at least one."))])
    published = DateField(_l("Published"), validators=[DataRequired(_l("Enter a date."))])

    def __init__(self, *args, current_slug: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_slug = current_slug
        self.kind.choices = [(k, services.value_label("kind", k)) for k in KINDS]
        self.min_tier.choices = [(t, services.tier_label(t)) for t in TIERS]
        for facet in FACETS:
            getattr(self, facet).choices = [(v, services.value_label(facet, v)) for v in TAG_VALUES[facet]]

    def validate_slug(self, field):
        value = (field.data or "").strip()
        if not SLUG.fullmatch(value):
            raise ValidationError(_l("Use lower-case Latin letters, digits and single dashes."))
        if value != self.current_slug and services.slug_taken(value):
            raise ValidationError(_l("Another item already has this address."))

    def validate_industry(self, field):
        if "any" in (field.data or []) and len(field.data) > 1:
            raise ValidationError(_l("“Cross-industry” is not combined with other industries."))

    def validate_published(self, field):
        if field.data and field.data > date.today():
            raise ValidationError(_l("The date cannot be in the future."))

    def to_input(self) -> services.ItemInput:
        return services.ItemInput(
            slug=self.slug.data.strip(), kind=self.kind.data, min_tier=self.min_tier.data,
            title_ru=self.title_ru.data, title_en=self.title_en.data, summary_ru=self.summary_ru.data,
            summary_en=self.summary_en.data, body_ru=self.body_ru.data, body_en=self.body_en.data,
            tags={facet: list(getattr(self, facet).data) for facet in FACETS}, published=self.published.data)

    @classmethod
    def from_item(cls, item, **kwargs):
        data = dict(slug=item.slug, kind=item.kind, min_tier=item.min_tier, title_ru=item.title_ru,
                    title_en=item.title_en, summary_ru=item.summary_ru, summary_en=item.summary_en,
                    body_ru=item.body_ru, body_en=item.body_en, published=item.published,
                    **{facet: item.tag_values(facet) for facet in FACETS})
        return cls(data=data, current_slug=item.slug, **kwargs)


class AttachmentForm(HubForm):
    """A file for a library item: the file itself (checked by hub.files) and its titles."""

    file = FileField(_l("File"))
    title_ru = StringField(_l("File title (Russian)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("File title (English)"), validators=[DataRequired(), Length(max=200)])

    def to_input(self) -> services.FileInput:
        return services.FileInput(title_ru=self.title_ru.data or "", title_en=self.title_en.data or "")


_SPACES = re.compile(r"[\s\u00a0\u202f_']")
_DIGITS = re.compile(r"[0-9]+")


class CountField(StringField):
    """A whole number of at least 1 ("1 000" allowed)."""

    def __init__(self, label=None, validators=None, maximum=1_000_000, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.maximum = maximum
        self.number: int | None = None

    def pre_validate(self, form):
        self.number = None
        text = _SPACES.sub("", self.data or "")
        if not text:
            raise ValidationError(_l("Enter a number."))
        if not _DIGITS.fullmatch(text):
            raise ValidationError(_l("Enter a whole number, for example 50."))
        number = int(text)
        if number < 1 or number > self.maximum:
            raise ValidationError(_l("Enter a number from 1 to %(max)s.", max=self.maximum))
        self.number = number


class RoiForm(HubForm):
    """The customer ROI / payback calculator: a GET form (nothing is saved, so no CSRF token)."""

    class Meta:
        csrf = False

    licences = CountField(_l("Licences"))
    price = MoneyField(_l("Price per licence a year, RUB"), minimum=1,
                       validators=[InputRequired(_l("Enter an amount in roubles."))])
    implementation = MoneyField(_l("Implementation cost, RUB"),
                                validators=[InputRequired(_l("Enter an amount in roubles."))])
    savings = MoneyField(_l("Expected savings a month, RUB"), minimum=1,
                         validators=[InputRequired(_l("Enter an amount in roubles."))])

    def to_input(self) -> services.RoiInput:
        return services.RoiInput(licences=self.licences.number, price_kopecks=self.price.data,
                                 implementation_kopecks=self.implementation.data,
                                 monthly_savings_kopecks=self.savings.data)
