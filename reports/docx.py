"""The report as a Word document (.docx), for the last edits some kommuner make in Word.

Written from the same context as the page and the PDF (the report's snapshot: the same
figures), on the municipality's own template (``WordTemplate``: its header and logo, fonts
and the styles "Heading 1", "Heading 2", "Normal" and "Table Grid"); without one, or where
the template lacks a style, python-docx's built-in default is used. The template's own
body text is dropped; its sections (page size, header, footer) are kept.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEADING_1, HEADING_2, NORMAL, TABLE = "Heading 1", "Heading 2", "Normal", "Table Grid"


def check_template(upload) -> None:
    """Refuse a file python-docx cannot open as a Word document."""
    import docx

    try:
        docx.Document(upload)
    except Exception as error:  # python-docx raises several kinds for a broken file
        raise ValidationError(
            _("The file is not a Word document that can be used as a template.")
        ) from error
    finally:
        if hasattr(upload, "seek"):
            upload.seek(0)


def _document(template_file=None):
    """A document on the template (its body emptied), or on python-docx's default."""
    import docx

    if template_file is None:
        document = docx.Document()
        # python-docx's default is US Letter: a Swedish report is A4, as the PDF.
        from docx.shared import Mm

        for section in document.sections:
            section.page_width, section.page_height = Mm(210), Mm(297)
            section.left_margin = section.right_margin = Mm(25)
            section.top_margin = section.bottom_margin = Mm(25)
        return document
    with template_file.open("rb") as handle:
        document = docx.Document(io.BytesIO(handle.read()))
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    return document


class _Writer:
    def __init__(self, document):
        self.doc = document
        names = {style.name for style in document.styles}
        self.heading = {
            1: HEADING_1 if HEADING_1 in names else None,
            2: HEADING_2 if HEADING_2 in names else None,
        }
        self.normal = NORMAL if NORMAL in names else None
        self.table_style = TABLE if TABLE in names else None

    def h(self, text, level=1):
        style = self.heading[level]
        if style is None:
            run = self.doc.add_paragraph(style=self.normal).add_run(str(text))
            run.bold = True
            return
        self.doc.add_paragraph(str(text), style=style)

    def p(self, text):
        if text:
            self.doc.add_paragraph(str(text), style=self.normal)

    def paragraphs(self, items):
        for item in items or []:
            self.p(item)

    def table(self, header, rows, footer=None):
        """A table: ``header`` and each row are lists of cell texts."""
        body = [header, *rows] + ([footer] if footer else [])
        table = self.doc.add_table(rows=len(body), cols=len(header))
        if self.table_style:
            table.style = self.table_style
        for r, cells in enumerate(body):
            for c, value in enumerate(cells):
                table.cell(r, c).text = str(value if value is not None else "")
        for cell in table.rows[0].cells:
            for run in cell.paragraphs[0].runs:
                run.bold = True
        if footer:
            for cell in table.rows[-1].cells:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
        return table


def write_docx(context: dict, template_file=None) -> bytes:
    """The report of ``context`` as .docx bytes, on ``template_file`` (a FieldFile) if given."""
    with translation.override(settings.LANGUAGE_CODE):
        w = _Writer(_document(template_file))
        w.h(context.get("title", ""), 1)
        w.p(context.get("municipality", ""))
        if context.get("period_span"):
            w.p(_("Period %(span)s.") % {"span": context["period_span"]})
        written = context.get("written") or {}
        summary = written.get("summary") or []
        if summary or context.get("summary"):
            w.h(_("Summary of the report"), 1)
            w.paragraphs(summary)
            w.paragraphs(context.get("summary"))
        w.paragraphs(context.get("notes"))
        if written.get("chapters"):
            w.h(_("Administration report"), 1)
            for chapter in written["chapters"]:
                w.h(chapter["title"], 2)
                w.paragraphs(chapter["paragraphs"])
        if context.get("kind") == "midterm":
            _midterm(w, context)
        _management(w, context.get("management"), context.get("statements"))
        _goals(w, context.get("goals"), forecast=bool(context.get("forecast")))
        _economy(w, context.get("economy"), written.get("economy"))
        # In the PDF's order: the årsredovisning's räkenskaper follow the economy, the
        # delårsrapport's the driftredovisning.
        annual = context.get("kind") == "annual"
        if annual:
            _statements(w, context.get("statements"))
        _personnel(w, context.get("personnel"))
        _drift(w, context)
        _changes(w, context.get("changes"))
        if not annual:
            _statements(w, context.get("statements"))
        _investments(w, context.get("investments"))
        _action_plans(w, context.get("action_plans"))
        _bodies(w, context)
        out = io.BytesIO()
        w.doc.core_properties.title = (
            f"{context.get('title', '')} – {context.get('municipality', '')}"
        )
        w.doc.core_properties.language = "sv-SE"
        w.doc.core_properties.author = context.get("municipality", "")
        _header_and_page_numbers(w.doc, context)
        w.doc.save(out)
        return out.getvalue()


def _goals(w, goals, forecast=False):
    if not goals or not goals.get("rows"):
        return
    w.h(_("Goal fulfilment"), 1)
    prognosis = any("prognosis" in g for g in goals["rows"]) and forecast
    header = [goals["level"], *[str(s).capitalize() for s in goals["statuses"]], _("Assessment")]
    if prognosis:
        header.append(_("Prognosis for the full year"))

    def row(g):
        cells = [g["title"], *g["counts"], f"{g['final']['symbol']} {g['final']['label']}"]
        if prognosis:
            p = g.get("prognosis")
            cells.append(f"{p['symbol']} {p['label']}" if p else "–")
        return cells

    w.table(header, [row(g) for g in goals["rows"]])
    for g in goals["rows"]:
        if g.get("explanation"):
            w.p(f"{g['title']}: {g['explanation']}")


def _economy(w, economy, written):
    if not economy and not written:
        return
    w.h(_("Good financial management and the balance requirement"), 1)
    w.paragraphs(written)
    if not economy:
        return
    if "result_forecast" in economy:  # a delårsrapport: budget beside the forecast
        w.table(
            ["", _("Budget"), _("Full-year forecast")],
            [
                [_("The year's result"), economy["result_budget"], economy["result_forecast"]],
                [
                    _("Share of taxes and grants"),
                    economy["share_budget"],
                    economy["share_forecast"],
                ],
                [_("The financial target"), economy["target"], economy["target"]],
            ],
        )
        balance = economy.get("balance") or {}
        if balance:
            w.p(_("Balance requirement result (forecast)") + f": {balance.get('outcome', '')}")
        return
    # an årsredovisning: budget beside the year's outcome
    w.table(
        ["", _("Budget"), _("Outcome")],
        [
            [_("The year's result"), economy["result_budget"], economy["result"]],
            [_("Share of taxes and grants"), economy["share_budget"], economy["share"]],
            [_("The financial target"), economy["target"], economy["target"]],
        ],
    )
    if economy.get("assessed"):
        w.p(
            _("The financial target has been met.")
            if economy.get("meets_target")
            else _("The financial target has not been met.")
        )
    w.p(_("The equity ratio is %(solidity)s.") % {"solidity": economy.get("solidity", "")})
    if economy.get("indicators"):
        w.table(
            [_("Indicator"), _("Baseline"), _("Target"), _("Latest value"), _("Assessment")],
            [
                [
                    i["name"],
                    i["baseline"],
                    i["target"],
                    i["value"],
                    f"{i['status']['symbol']} {i['status']['label']}",
                ]
                for i in economy["indicators"]
            ],
        )


def _statement_table(w, t):
    """A table of reports.financial.table(): label, note (when the table has notes), the
    two years."""
    notes = t.get("notes")
    header = [_("Item"), *([_("Note")] if notes else []), *t["columns"]]
    rows = []
    for row in t["rows"]:
        if row.get("heading"):
            rows.append([row["label"], *[""] * (len(header) - 1)])
        else:
            rows.append([row["label"], *([row.get("note", "")] if notes else []), *row["cells"]])
    w.p(t.get("caption"))
    w.table(header, rows)


def _management(w, management, statements):
    """The årsredovisning's förvaltningsberättelse, with the key figures under its result."""
    if not management:
        return
    w.h(_("Management report"), 1)
    for section in management.get("sections", []):
        w.h(section["title"], 2)
        w.paragraphs(section.get("lines"))
        if section.get("key") == "resultat" and statements and statements.get("key_figures"):
            _statement_table(w, statements["key_figures"])
    w.paragraphs(management.get("missing"))


def _statements(w, statements):
    """Räkenskaperna: the resultaträkning, balansräkning, kassaflödesanalys, the
    balanskravsutredning and the notes, as the PDF has them."""
    if not statements:
        return
    if statements.get("balance_requirement"):
        w.h(_("Balance requirement reconciliation"), 2)
        _statement_table(w, statements["balance_requirement"])
        w.paragraphs(statements.get("balance_requirement_missing"))
    w.h(_("Financial statements"), 1)
    for t in statements.get("tables", []):
        w.h(t["title"], 2)
        _statement_table(w, t)
    w.paragraphs(statements.get("missing"))
    if statements.get("notes"):
        w.h(_("Notes"), 1)
        for note in statements["notes"]:
            w.h(
                _("Note %(number)s: %(title)s")
                % {"number": note["number"], "title": note["title"]},
                2,
            )
            w.table(
                [_("Item"), *note["columns"]],
                [[row["label"], *row["cells"]] for row in note["rows"]],
            )


def _personnel(w, personnel):
    if not personnel:
        return
    w.h(_("Personnel"), 1)
    w.paragraphs(personnel.get("text"))
    if personnel.get("rows"):
        w.table(
            [
                _("Administration or company"),
                _("Employees"),
                _("Full-time equivalents"),
                _("Sick leave"),
                _("Women"),
                _("Men"),
            ],
            [[row["name"], *row["cells"]] for row in personnel["rows"]],
            [_("The whole organisation"), *personnel["total"]],
        )
    w.paragraphs(personnel.get("missing"))


def _changes(w, changes):
    if not changes or not changes.get("rows"):
        return
    w.h(_("Budget changes during the year"), 1)
    w.table(
        [_("Committee or board"), _("Decision"), _("Kind"), _("Description"), _("Effect")],
        [
            [
                c["body"],
                f"{c['reference']} ({c['decided_by']}, {c['date']})",
                c["kind"],
                c["description"],
                c["effect"],
            ]
            for c in changes["rows"]
        ],
        [_("Total"), "", "", "", changes.get("total", "")],
    )


def _midterm(w, context):
    """The halvtidsuppföljning: the summed assessment per goal and, under each, its goals
    and assignments with their assessments and comments."""
    from followup import rollup

    def status(value):
        return f"{rollup.symbol(value)} {rollup.label(value)}"

    rows = context.get("rows") or []
    if not rows:
        return
    w.h(_("Assessment at the midterm"), 1)
    w.p(_("Based on the approved follow-ups of %(period)s.") % {"period": context.get("basis")})
    w.table(
        [
            context.get("level", ""),
            *[str(status(i["status"])).capitalize() for i in rows[0]["total"]],
        ],
        [[row["title"], *[i["count"] for i in row["total"]]] for row in rows],
    )
    for row in rows:
        w.h(row["title"], 1)
        if row.get("goal_items"):
            w.h(context.get("child_level_plural", ""), 2)
        for item in row.get("goal_items", []):
            w.p(f"{item['title']} – {status(item['status'])} – {item.get('owner', '')}")
            w.p(item.get("comment"))
        if row.get("assignment_items"):
            w.h(_("Assignments"), 2)
        for item in row.get("assignment_items", []):
            w.p(
                f"{item['title']} – {status(item['status'])} – {item.get('owner', '')}; "
                + _("status: %(status)s") % {"status": item.get("status_label", "")}
            )
            w.p(item.get("comment"))


def _drift(w, context):
    drift = context.get("drift")
    if not drift:
        return
    title = (
        _("Operations per committee")
        if context.get("kind") != "monthly"
        else _("Budget and outcome per committee")
    )
    w.h(title, 1)
    if drift.get("terms"):
        w.p(drift["terms"])
    w.p(_("Amounts in %(unit)s.") % {"unit": drift.get("unit", "tkr")})
    columns = [c["heading"] for c in drift["columns"]]
    w.table(
        columns,
        [[row["name"], *row["cells"]] for row in drift["rows"]],
        [drift["total"]["name"], *drift["total"]["cells"]],
    )
    if drift.get("note"):
        w.p(drift["note"])


def _investments(w, investments):
    if not investments:
        return
    w.h(_("Investments"), 1)
    annual = len(investments["total"]) > 4  # the årsredovisning's decided and estimated totals
    header = [_("Project"), _("Unit"), _("Budget")]
    if annual:
        header += [
            _("Outcome"),
            _("Deviation"),
            _("Decided total expenditure"),
            _("Estimated total expenditure"),
            _("Deviation, total"),
        ]
    else:
        header += [_("Outcome to date"), _("Deviation"), _("Total expenditure")]
    w.table(
        header,
        [[p["name"], p["unit"], *p["cells"]] for p in investments["rows"]],
        [_("Total"), "", *investments["total"]],
    )


def _action_plans(w, plans):
    if not plans:
        return
    w.h(_("Action plans"), 1)
    for plan in plans:
        w.h(plan["name"], 2)
        for item in plan.get("plans", []):
            w.p(f"{item['unit']}: {item['action_plan']}")


def _header_and_page_numbers(document, context):
    """The running header (municipality and report) and "Sida N" in the footer, as the
    PDF has them; a template's own header or footer is kept."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for section in document.sections:
        header = section.header.paragraphs[0]
        if not any(p.text.strip() for p in section.header.paragraphs):
            header.text = f"{context.get('municipality', '')} – {context.get('title', '')}"
        if any(p.text.strip() for p in section.footer.paragraphs):
            continue
        footer = section.footer.paragraphs[0]
        footer.add_run(_("Page") + " ")
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run, text = OxmlElement("w:r"), OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        footer._p.append(field)


def _bodies(w, context):
    """Each nämnd's section, then the kommunägda bolag under a heading of their own, as
    the PDF has them: texts, goals with indicators, uppdrag and the economy row."""
    bodies = context.get("bodies") or []
    monthly = context.get("kind") == "monthly"
    if monthly and bodies:
        w.h(_("Comments and measures"), 1)
    for body in bodies:
        w.h(body["name"], 2 if monthly else 1)
        _body(w, body)
    if context.get("companies"):
        w.h(_("Municipally owned companies"), 1)
        for body in context["companies"]:
            w.h(body["name"], 2)
            _body(w, body)


def _with(value, extra):
    """ "78,4 (2024)": a figure with its year or unit when it has one."""
    return f"{value} ({extra})" if extra else value


def _body(w, body):
    if body.get("company"):
        w.p(_("A municipally owned company; its board: %(board)s.") % {"board": body["board"]})
    w.paragraphs(body.get("analysis_text"))
    for c in body.get("comments", []):
        w.p(f"{c['unit']}: {c['comment']}" if c.get("comment") else "")
        if c.get("action_plan"):
            w.p(f"{_('Action plan')}: {c['action_plan']}")
    for g in body.get("goals", []):
        w.h(g["title"], 2)
        assessed = f"{_('Assessment')}: {g['final']['symbol']} {g['final']['label']}"
        if g.get("prognosis"):
            assessed += (
                f". {_('Prognosis for the year-end')}: "
                f"{g['prognosis']['symbol']} {g['prognosis']['label']}"
            )
        w.p(f"{g['level']}. {assessed}." if g.get("level") else assessed)
        w.p(g.get("analysis") or g.get("explanation"))
        if g.get("indicators"):
            w.table(
                [_("Indicator"), _("Baseline"), _("Target"), _("Latest value"), _("Assessment")],
                [
                    [
                        _with(i["name"], i.get("unit")),
                        _with(i["baseline"], i.get("baseline_year")),
                        _with(i["target"], i.get("target_year")),
                        _with(i["value"], i.get("value_label")),
                        f"{i['status']['symbol']} {i['status']['label']}",
                    ]
                    for i in g["indicators"]
                ],
            )
    if body.get("assignments"):
        w.h(_("Special assignments"), 2)
        for a in body["assignments"]:
            line = f"{a['title']} ({a['unit']}): {a['status']}"
            w.p(f"{line}. {a['comment']}" if a.get("comment") else line)
    economy = body.get("economy")
    if economy:
        w.h(_("Economy"), 2)
        w.p(
            _("%(name)s in the operations statement (%(unit)s)")
            % {"name": body["name"], "unit": economy["unit"]}
        )
        w.table(
            [c["heading"] for c in economy["columns"]],
            [list(economy["row"]["cells"])],
        )
