"""British formats with 24-hour times, as the admin's date-time inputs and the reader pages write them.

Django's en_GB locale shows "7 p.m." in lists while its inputs take "19:00"; only the output formats change.
"""

TIME_FORMAT = "H:i"  # '14:30'
DATETIME_FORMAT = "j M Y, H:i"  # '25 Oct 2006, 14:30'
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # '25/10/2006 14:30'
