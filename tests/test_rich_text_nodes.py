"""The consent text as a tree for the snippet (which must not parse HTML on a
host page that enforces Trusted Types)."""

from __future__ import annotations

import pytest

from capture.public.rich_text_nodes import rich_text_nodes
from crm_core.text.rich import clean_rich_text


@pytest.mark.parametrize(
    ("html", "tree"),
    [
        ("I agree.", ["I agree."]),
        (
            'I agree to the <a href="https://example.com/p?a=1&amp;b=2">policy</a>.',
            ["I agree to the ", ["a", {"href": "https://example.com/p?a=1&b=2"}, "policy"], "."],
        ),
        # Every character reference is decoded, named ones included.
        ("R&amp;D &copy;&nbsp;Acme &lt;3 &#x41;&#233;", ["R&D ©\u00a0Acme <3 Aé"]),
        (
            "<b>bold <i>both</i></b> <em>e</em><strong>s</strong>",
            [
                ["b", {}, "bold ", ["i", {}, "both"]],
                " ",
                ["em", {}, "e"],
                ["strong", {}, "s"],
            ],
        ),
        # Not what the sanitiser lets through, handled anyway: unwrapped to text, unsafe links dropped.
        (
            '<p>para<a href="javascript:x()" onclick="y()">j</a></p><a>plain</a>',
            ["para", ["a", {}, "j"], ["a", {}, "plain"]],
        ),
        ("<b>unclosed <i>nest", [["b", {}, "unclosed ", ["i", {}, "nest"]]]),
        ("stray </b>end", ["stray end"]),
    ],
)
def test_rich_text_becomes_a_tree_of_text_and_allowed_elements(html: str, tree: list) -> None:
    assert rich_text_nodes(html) == tree


def test_what_the_admin_saves_round_trips_as_the_text_the_visitor_reads() -> None:
    saved = clean_rich_text(
        'I accept <a href="https://x.example/t" title="t">the terms</a> <script>x</script>'
    )
    assert rich_text_nodes(saved) == ["I accept ", ["a", {"href": "https://x.example/t"}, "the terms"], " x"]


def test_the_public_definition_carries_the_consent_tree(client, make_form) -> None:
    form = make_form(consent_enabled=True, consent_text="I agree to <b>this</b> &amp; that.")
    consent = client.get(f"/f/{form['key']}.json").json["consent"]
    assert consent == {
        "text": "I agree to <b>this</b> &amp; that.",
        "required": True,
        "nodes": ["I agree to ", ["b", {}, "this"], " & that."],
    }
    assert client.get(f"/f/{make_form()['key']}.json").json["consent"] is None
