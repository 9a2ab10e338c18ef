"""What the article list's query parameters mean: each one read into a condition on articles,
or refused with a message naming it (a 400). The values are parsed without the database."""

import datetime as dt
import re
import zoneinfo

from django.conf import settings
from django.db.models import Q
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

# An offset whose "+" a query string turned into a space ("…T10:00:00 08:00").
_OFFSET_AS_SPACE = re.compile(r"^(.*\d)\s(\d{2}(?::?\d{2})?)$")


def refuse(name, message):
    """The 400 for parameter `name`: {"name": [message]}."""
    raise ValidationError({name: [message]})


def read(query, name):
    """The parameter's value stripped, or "" when absent; a NUL (which no database stores) is refused."""
    value = query.get(name, "")
    if "\x00" in value:
        refuse(name, _("参数中不能有空字符。"))
    return value.strip()


def parse_moment(name, value, *, until=False):
    """A Q on published_at for `since` or `until` (`until=True`), from an ISO 8601 date or a
    datetime with its offset. A date is the site's day (TIME_ZONE), whole: `since` from its
    start, `until` to its end."""
    value = _OFFSET_AS_SPACE.sub(r"\1+\2", value)
    try:
        day = parse_date(value)  # first: Python reads a bare date as a datetime without zone
        moment = None if day else parse_datetime(value)
    except ValueError:  # well-formed but impossible, as 2024-02-30
        moment = day = None
    if moment is None and day is None:
        refuse(
            name,
            _("不是 ISO 8601 日期或时间：%(value)s（例如 2024-05-08 或 2024-05-08T10:00:00+08:00）。")
            % {"value": value},
        )
    if moment is not None and moment.tzinfo is None:
        refuse(name, _("时间须带时区，例如 2024-05-08T10:00:00+08:00。"))
    try:
        if day is not None:
            zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
            moment = dt.datetime.combine(day + dt.timedelta(days=1) if until else day, dt.time(), zone)
        moment.astimezone(dt.UTC)  # as the database will be given it
    except OverflowError:
        refuse(name, _("日期超出范围：%(value)s。") % {"value": value})
    if day is not None and until:
        return Q(published_at__lt=moment)  # the day's end: the next day's start, excluded
    return Q(published_at__lte=moment) if until else Q(published_at__gte=moment)


def page_size(query, name, *, default, maximum):
    """The number of items a page asks for: a whole number from 1, at most `maximum`."""
    value = read(query, name)
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        refuse(name, _("须是从 1 起的整数。"))
    return min(int(value), maximum)
