"""What a browser would post from a page's submission form (no JavaScript)."""

from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.data, self.in_form, self.textarea, self.select = {}, False, None, None
        self.disabled = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "submission-form" in (a.get("class") or ""):
            self.in_form = True
        if not self.in_form:
            return
        name = a.get("name")
        if "disabled" in a and name:
            self.disabled.add(name)
            return
        if tag == "input" and name and a.get("type") not in ("submit", "checkbox"):
            self.data[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in a:
            self.data[self.select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data.lstrip("\n") if not self.data[self.textarea] else data


def form_data(html) -> dict:
    parser = _Form()
    parser.feed(html)
    return parser.data


def disabled_fields(html) -> set:
    parser = _Form()
    parser.feed(html)
    return parser.disabled
