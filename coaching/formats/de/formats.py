"""German date formats, as a German reader writes them: "Freitag, 4. Dezember", "4. Dez. 2026, 14:30".

Abbreviated months use "N" (Django's German "Jan.", "März", "Mai", "Sept.", "Dez.": a dot only where
the word is shortened), not "M" ("Dez" without its dot)."""

DATE_FORMAT = "j. F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j. F Y, H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
MONTH_DAY_FORMAT = "j. F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1

DATE_MEDIUM = "j. N Y"
DAY_MONTH = "j. N"
DAY_MONTH_LONG = "j. F"
WEEKDAY = "l"
WEEKDAY_DATE = "l, j. F"
WEEKDAY_DATE_YEAR = "l, j. F Y"
WEEKDAY_SHORT_DATE = "D, j. N"
WEEKDAY_SHORT_DATE_YEAR = "D, j. N Y"
DATETIME_MEDIUM = "j. N Y, H:i"
DAY_MONTH_TIME = "j. N, H:i"
WEEKDAY_TIME = "l, H:i"
WEEKDAY_DATE_TIME = "l, j. F, H:i"
WEEKDAY_DATE_YEAR_TIME = "l, j. F Y, H:i"
WEEKDAY_SHORT_DATE_TIME = "D, j. N, H:i"
MONTH_YEAR = "N Y"
