"""English date formats. Templates name a format (``|date:"WEEKDAY_DATE"``) and never spell one out,
so each language decides the order, the punctuation and the words."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1

DATE_MEDIUM = "j M Y"
DAY_MONTH = "j M"
DAY_MONTH_LONG = "j F"
WEEKDAY = "l"
WEEKDAY_DATE = "l j F"
WEEKDAY_DATE_YEAR = "l j F Y"
WEEKDAY_SHORT_DATE = "D j M"
WEEKDAY_SHORT_DATE_YEAR = "D j M Y"
DATETIME_MEDIUM = "j M Y, H:i"
DAY_MONTH_TIME = "j M, H:i"
WEEKDAY_TIME = "l, H:i"
WEEKDAY_DATE_TIME = "l j F, H:i"
WEEKDAY_DATE_YEAR_TIME = "l j F Y, H:i"
WEEKDAY_SHORT_DATE_TIME = "D j M, H:i"
MONTH_YEAR = "M Y"

# What people type in date and number fields: day before month, as in British English (the site's
# English was en-gb before it had languages).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
