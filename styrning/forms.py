"""Form helpers shared by every app: accessible errors and help texts."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class AccessibleFormMixin:
    """Ties help texts and errors to their inputs (aria-describedby, aria-invalid).

    Also moves model errors about fields the form does not show to the form's
    own error list, so a rule in ``Model.clean()`` always reaches the user.
    """

    def full_clean(self):
        super().full_clean()
        self._describe_fields()

    def _describe_fields(self):
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}_help")
            if self.is_bound and name in self.errors:
                ids.append(f"{bound.auto_id}_errors")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def add_error(self, field, error):
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            moved = {}
            for name, errors in error.error_dict.items():
                key = name if name in self.fields or name == NON_FIELD_ERRORS else NON_FIELD_ERRORS
                moved.setdefault(key, []).extend(errors)
            error = ValidationError(moved)
        super().add_error(field, error)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
