"""Q&A forms: a question, a reply, a report, a move (managers), the search box."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ...forms import HubForm
from . import services
from .models import PRIVATE, PUBLIC

MARKDOWN_HINT = _l("Markdown: **bold**, *italic*, `code`, lists, links. Mention a colleague with @ and their "
                   "e-mail address, e.g. @anna@example.ru.")


def space_label(space: str) -> str:
    return str({PUBLIC: _l("Partner community"), PRIVATE: _l("Key partners' space")}.get(space, space))


def category_label(category: str) -> str:
    return str({"general": _l("General"), "sales": _l("Sales and deals"), "technical": _l("Technical questions"),
                "marketing": _l("Marketing"), "roadmap": _l("Roadmap and early access"),
                "key-accounts": _l("Key accounts")}.get(category, category))


def category_choices(spaces) -> list[tuple[str, str]]:
    return [(c, f"{space_label(s)}: {category_label(c)}") for s in spaces for c in services.CATEGORIES[s]]


class _BodyLimit:
    """The rules' size limit, read when the form is validated (the rules may be reloaded)."""

    def __call__(self, form, field):
        limit = services.rules().max_post_chars
        if field.data and len(field.data.strip()) > limit:
            raise ValidationError(_l("At most %(limit)s characters, this text has %(count)s.", limit=limit,
                                     count=len(field.data.strip())))


class AskForm(HubForm):
    category = SelectField(_l("Category"), choices=[], validators=[InputRequired(_l("Choose a category."))])
    title = StringField(_l("Question"), validators=[InputRequired(_l("Give the question a title.")), Length(max=200)])
    body = TextAreaField(_l("Details"), validators=[InputRequired(_l("Write something first.")), _BodyLimit()])

    def __init__(self, *args, spaces=(PUBLIC,), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices(spaces)


class ReplyForm(HubForm):
    body = TextAreaField(_l("Your reply"), validators=[InputRequired(_l("Write something first.")), _BodyLimit()])


class ReportForm(HubForm):
    reason = StringField(_l("What is wrong with this post?"), validators=[Optional(), Length(max=500)])


class MoveForm(HubForm):
    category = SelectField(_l("Move to"), choices=[], validators=[InputRequired(_l("Choose a category."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices((PUBLIC, PRIVATE))


class SearchForm(HubForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search the community"), validators=[Optional(), Length(max=200)])
