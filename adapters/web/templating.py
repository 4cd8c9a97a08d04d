"""The one Jinja environment of the web pages: templates shipped in the package, every value HTML-escaped."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from adapters.web.timeline import Drawing


@cache
def environment() -> Environment:
    # Autoescape for every template, .html or not: all user text reaches the pages through these templates.
    return Environment(loader=PackageLoader("adapters.web", "templates"), autoescape=select_autoescape(default=True),
                       trim_blocks=True, lstrip_blocks=True)


def render(template: str, **values: Any) -> str:
    return environment().get_template(template).render(**values)


def svg(drawing: Drawing) -> Markup:
    """The drawn timeline, safe to place in a page: the template escaped every text in it."""
    return Markup(render("timeline_svg.html", d=drawing))
