"""Choices shared by the årshjul's template entries and the periods made from them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    """Rapporttyp: what the period's report is."""

    MONTHLY = "monthly", _("monthly report")
    INTERIM = "interim", _("interim report")
    ANNUAL = "annual", _("annual accounts")


class ReportContent(models.TextChoices):
    """Innehåll: what the reporting units are asked for."""

    ECONOMY = "economy", _("economic outcome")
    ECONOMY_FORECAST = "economy_forecast", _("economic outcome and full-year forecast")
    # At delår the assessments are a prognosis for the year-end, with a helårsprognos.
    GOALS_PROGNOSIS = "goals_prognosis", _("goals and results with prognosis")
    GOALS_YEAR = "goals_year", _("goals and results for the year")


FORECAST_CONTENTS = (ReportContent.ECONOMY_FORECAST, ReportContent.GOALS_PROGNOSIS)
GOAL_CONTENTS = (ReportContent.GOALS_PROGNOSIS, ReportContent.GOALS_YEAR)


class Fulfilment(models.TextChoices):
    """Bedömning: how far a goal is (or, at delår, will be) met. Never shown as a colour alone."""

    FULFILLED = "fulfilled", _("fulfilled")
    PARTLY = "partly", _("partly fulfilled")
    NOT_FULFILLED = "not_fulfilled", _("not fulfilled")
    NOT_ASSESSED = "not_assessed", _("not assessed")
