"""The PDF of a report: the same templates as the page, rendered by WeasyPrint.

PDF/UA-1 (tagged, with the document's language and title), A4, a running
header with the municipality and the report, and page numbers.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

PDF_VARIANT = "pdf/ua-1"
logger = logging.getLogger(__name__)
# WeasyPrint subsets fonts with fontTools at DEBUG level (catching its warnings itself):
# without this every table it reads would reach the console through the root logger.
logging.getLogger("fontTools").propagate = False


@dataclass
class RenderedPdf:
    data: bytes
    page_count: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def body_template(kind: str) -> str:
    """The report's body, shared by the page and the PDF."""
    return f"reports/_body_{kind}.html"


def document_html(context: dict) -> str:
    """The whole HTML document WeasyPrint lays out (no request: nothing user-specific)."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "reports/document.html",
            {"r": context, "body_template": body_template(context["kind"])},
        )


def render_pdf(context: dict, progress=None) -> RenderedPdf:
    """Lay out and write the PDF; ``progress(done, total)`` hears of each of the three steps."""
    from weasyprint import HTML  # Pango is loaded on first use, not at import of the app

    html = document_html(context)
    if progress:
        progress(1, 3)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        pdf_variant=PDF_VARIANT, pdf_tags=True
    )
    if progress:
        progress(2, 3)
    try:
        data = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    except (AssertionError, ValueError):
        # WeasyPrint 66's tagging fails on some tables split across pages ("Table wrapper
        # without a table"): write the same layout untagged (still with its language and
        # title) rather than no report at all.
        logger.warning("PDF/UA tagging failed for %s; writing it untagged.", context["title"])
        data = HTML(string=html, base_url=str(settings.BASE_DIR)).render().write_pdf()
    if progress:
        progress(3, 3)
    return RenderedPdf(data=data, page_count=len(document.pages))
