"""Content from files (P4): Markdown with YAML front matter, rendered to sanitised HTML.

Generic helpers shared by every feature that loads `content/` (program pages, courses, library
items, events): `read_document` splits front matter from the body, `render_markdown` turns the body
into HTML that is safe to show (nh3 removes scripts, event handlers and foreign markup), and
`ContentError` names the file and the problem so that `flask --app hub content load` can say what to fix.
"""
from .documents import ContentError, Document, checksum, read_document, render_markdown

__all__ = ["ContentError", "Document", "checksum", "read_document", "render_markdown"]
