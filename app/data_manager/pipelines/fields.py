"""Turn a field's raw extracted value into its typed value: transforms, then type, default and required.

Errors name the field; callers collect them per artifact so one bad value never hides the others.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from data_manager.pipelines.limits import ExtractionError, compile_pattern, substitute
from data_manager.pipelines.models import TemplateField, Transform

# Thousands and decimal separators per locale for `parse_number`.
NUMBER_LOCALES = {"en": (",", "."), "de": (".", ","), "fr": (" ", ",")}
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on", "ja", "oui"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "off", "nein", "non"})
DEFAULT_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%d %B %Y", "%B %d, %Y")
# Types whose text may come letter-spaced out of a PDF (`0 3 / 2 5 / 2 0 16`): read again without spaces.
SPACED_TYPES = frozenset({"integer", "decimal", "date"})


def parse_number(text: str, locale: str = "en") -> str:
    """'1.234,50 €' (de) -> '1234.50': currency and spaces dropped, separators normalised."""
    thousands, decimal = NUMBER_LOCALES[locale]
    cleaned = "".join(ch for ch in text.strip() if ch.isdigit() or ch in "+-" or ch in (thousands, decimal))
    cleaned = cleaned.replace(thousands, "")
    return cleaned.replace(decimal, ".")


def apply_transform(value: str, transform: Transform, field: str) -> str:
    if transform.kind == "trim":
        return " ".join(value.split())
    if transform.kind == "lower":
        return value.lower()
    if transform.kind == "upper":
        return value.upper()
    if transform.kind == "regex_replace":
        pattern = compile_pattern(transform.pattern or "", f"field {field}: regex_replace")
        return substitute(pattern, transform.replacement, value, f"field {field}")
    return parse_number(value, transform.locale)


def convert(field: TemplateField, raw: Any) -> Any:
    """The typed value of one field, or ExtractionError naming the field."""
    value = raw
    if isinstance(value, str):
        for transform in field.transforms:
            value = apply_transform(value, transform, field.name)
        if value.strip() == "":
            value = None
    if value is None:
        value = field.default_value
    if value is None:
        if field.required:
            raise ExtractionError(f"field {field.name}: required but not found")
        return None
    try:
        return _to_type(field, value)
    except (ValueError, InvalidOperation, TypeError):
        if field.field_type in SPACED_TYPES and isinstance(value, str) and len(value.split()) > 1:
            try:
                return _to_type(field, "".join(value.split()))
            except (ValueError, InvalidOperation, TypeError):
                pass
        raise ExtractionError(f"field {field.name}: {value!r} is not a valid {field.field_type}") from None


def _to_type(field: TemplateField, value: Any) -> Any:
    kind = field.field_type
    if kind == "string":
        return value if isinstance(value, str) else str(value)
    if kind == "integer":
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int):
            return value
        number = Decimal(str(value).strip())
        if number != number.to_integral_value():
            raise ValueError
        return int(number)
    if kind == "decimal":
        if isinstance(value, bool):
            raise ValueError
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise ValueError
        return number
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError
    # date
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in field.date_formats or DEFAULT_DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError


def convert_values(fields: list[TemplateField], raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Every field converted; the record and each failed field's message (empty when it is good)."""
    record: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields:
        try:
            record[field.name] = convert(field, raw.get(field.name))
        except ExtractionError as exc:
            errors[field.name] = str(exc)
    return record, errors


def convert_record(fields: list[TemplateField], raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Every field converted; returns the record and the list of field errors (empty when it is good)."""
    record, errors = convert_values(fields, raw)
    return record, list(errors.values())


def json_value(value: Any) -> Any:
    """A typed value as JSON keeps it exactly: decimals as text (no float rounding), dates as ISO text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_json_value(field_type: str, value: Any) -> Any:
    """`json_value` undone for a field of `field_type`."""
    if value is None:
        return None
    if field_type == "decimal":
        return Decimal(value)
    if field_type == "date":
        return date.fromisoformat(value)
    return value
