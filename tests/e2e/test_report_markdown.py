"""The Markdown report read where people read Markdown (a viewer, a wiki, a repository): what people typed stays
text, never a link, a heading, raw HTML or formatting of its own, and cannot forge a section of the report."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.i18n import translator
from bot.report import render
from tests.harness import Harness

markdown_it = pytest.importorskip("markdown_it")

HOSTILE = "*bold* <https://evil.example|x> [site](https://evil.example) <img src=x onerror=alert(1)> `code` &copy; a|b"


def report() -> str:
    settings = Settings(roster={"comms": ("bob",)})
    harness = Harness(settings)
    harness.say(f"open {HOSTILE} --sev 3", person="U1")
    harness.say(f"update {HOSTILE}\n## Lessons and actions\n- [ ] forged action\n# Forged title", person="U1")
    harness.say(f"draft {HOSTILE}\n# Forged heading in a quote", person="U1")
    harness.say("approve", person="bob")
    harness.say(f"publish 1 {HOSTILE}", person="bob")
    harness.say(f"lesson {HOSTILE}\n## Forged section", person="U1")
    harness.say(f"resolve {HOSTILE}", person="U1")
    return render(harness.incident(), settings, translator("en"), harness.clock.now(), {"U1": "*Ada* <b>Lead</b> | EU"})


def test_what_people_typed_renders_as_the_text_they_typed() -> None:
    html = markdown_it.MarkdownIt("commonmark").enable("table").enable("strikethrough").render(report())
    assert "<a " not in html and "<img" not in html and "<em>" not in html
    assert "<code>code</code>" in html  # a code span someone typed stays one: its words show literally already
    assert "<b>" not in html and "©" not in html
    headings = [line for line in html.splitlines() if line.startswith(("<h1", "<h2"))]
    typed = HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`code`", "<code>code</code>")
    assert headings[0] == f"<h1>CRI-1 · {typed}</h1>"
    assert not any("Forged" in h or h == "<h2>Lessons and actions</h2>" for h in headings[:-1]), headings
    assert sum(1 for h in headings if h == "<h2>Lessons and actions</h2>") == 1
    assert "@*Ada* &lt;b&gt;Lead&lt;/b&gt; | EU" in html  # a display name is text too
    assert "<td>@*Ada* &lt;b&gt;Lead&lt;/b&gt; | EU</td>" in html  # even in a table
    assert "forged action" in html and '<input type="checkbox"' not in html


def test_a_source_link_stays_one_that_can_be_copied() -> None:
    from dataclasses import replace

    settings = Settings()
    harness = Harness(settings)
    harness.say("open Viral post", person="U1")
    url = "https://social.example/p/a_b?c=1&d=*2*"
    incident = replace(harness.incident(), source_url=url)
    document = render(incident, settings, translator("en"), harness.clock.now())
    assert f"Source: `{url}`" in document  # literal when rendered, and exact when copied from the source
