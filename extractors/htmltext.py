"""A tiny HTML tree on top of the stdlib `html.parser`: enough to find elements by tag and class and
to read their text with paragraph breaks. No lxml/bs4 dependency for a handful of selectors.

Tolerates real-world markup: void elements, unclosed <p>/<li>/<dt>/<dd>, stray end tags."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
# Opening one of these closes an open sibling of the listed kinds (HTML's implied end tags).
_IMPLIED_CLOSE = {
    "p": {"p"},
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "tr": {"tr", "td", "th"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "option": {"option"},
}
_BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
        "title",
    }
)
_SKIP = frozenset({"script", "style", "noscript", "template"})


class Node:
    """An element: `tag`, `attrs`, `children` (Nodes and strings)."""

    __slots__ = ("tag", "attrs", "children", "parent")

    def __init__(self, tag: str, attrs: dict[str, str] | None = None, parent: Node | None = None) -> None:
        self.tag = tag
        self.attrs = attrs or {}
        self.children: list[Node | str] = []
        self.parent = parent

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def get(self, attr: str, default: str | None = None) -> str | None:
        return self.attrs.get(attr, default)

    def iter(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [n for n in self.iter() if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)]

    def find(self, tag: str | None = None, cls: str | None = None) -> Node | None:
        for n in self.iter():
            if (tag is None or n.tag == tag) and (cls is None or cls in n.classes):
                return n
        return None

    def _text_parts(self, out: list[str]) -> None:
        if self.tag in _SKIP:
            return
        block = self.tag in _BLOCK
        if block:
            out.append("\n")
        for child in self.children:
            if isinstance(child, Node):
                child._text_parts(out)
            else:
                out.append(child)
        if block:
            out.append("\n")

    def text(self) -> str:
        """Text with one line per block element, whitespace inside a line collapsed."""
        parts: list[str] = []
        self._text_parts(parts)
        lines = (
            re.sub(r"[ \t\r\f\v\u00a0\u3000]+", " ", line).strip() for line in "".join(parts).split("\n")
        )
        return "\n".join(line for line in lines if line)

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        closes = _IMPLIED_CLOSE.get(tag)
        if closes:
            # Only close within the nearest enclosing list/table/paragraph context.
            for i in range(len(self.stack) - 1, 0, -1):
                if self.stack[i].tag in closes:
                    del self.stack[i:]
                    break
                if self.stack[i].tag in ("ul", "ol", "dl", "table", "div", "select", "body"):
                    break
        node = Node(tag, {k: (v or "") for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: (v or "") for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
        # A stray end tag: browsers ignore it, so do we.

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    """Parse HTML text into a Node tree rooted at '#document'."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root
