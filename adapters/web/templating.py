"""The one Jinja environment of the web pages: templates shipped in the package, every value HTML-escaped.

Jinja is imported with the environment, at the first page rendered: a server whose dashboard nobody opens never
loads it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from adapters.web.timeline import Drawing

if TYPE_CHECKING:
    from jinja2 import Environment


@cache
def environment() -> Environment:
    from jinja2 import Environment, PackageLoader, select_autoescape

    # Autoescape for every template, .html or not: all user text reaches the pages through these templates.
    return Environment(loader=PackageLoader("adapters.web", "templates"), autoescape=select_autoescape(default=True),
                       trim_blocks=True, lstrip_blocks=True)


def render(template: str, **values: Any) -> str:
    return environment().get_template(template).render(**values)


def svg(drawing: Drawing) -> Markup:
    """The drawn timeline, safe to place in a page: the template escaped every text in it."""
    return Markup(render("timeline_svg.html", d=drawing))
