"""MAILERS from one EMAIL_URL, so a deployment configures mail with one variable (like DATABASE_URL).

    console://                                    print mail to the log (the default)
    smtp://user:password@mail.example.org:25      plain SMTP; add ?tls=1 for STARTTLS or ?ssl=1 for TLS
    submission://user:password@mail.example.org   STARTTLS on port 587
    smtps://user:password@mail.example.org        TLS from the start, port 465

Percent-encode special characters in the user name and password; ?timeout=N sets the socket timeout.
"""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
# scheme: (use_tls, use_ssl) before the query string has its say
SMTP_SCHEMES = {"smtp": (False, False), "submission": (True, False), "smtps": (False, True)}
TRUE = {"1", "true", "yes", "on"}


def mailer(url):
    """The MAILERS entry that `url` describes."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"BACKEND": CONSOLE}
    if parts.scheme not in SMTP_SCHEMES:
        raise ImproperlyConfigured(
            f"EMAIL_URL: unknown scheme “{parts.scheme}”; use smtp://, submission://, smtps:// or console://."
        )
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL: no mail server host in the URL.")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    use_tls, use_ssl = SMTP_SCHEMES[parts.scheme]
    if "tls" in query:
        use_tls = query["tls"].lower() in TRUE
    if "ssl" in query:
        use_ssl = query["ssl"].lower() in TRUE
    try:
        timeout = int(query.get("timeout", "10"))
        port = parts.port
    except ValueError as error:
        raise ImproperlyConfigured(f"EMAIL_URL: {error}") from None
    return {
        "BACKEND": SMTP,
        "OPTIONS": {
            "host": parts.hostname,
            "port": port,
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": use_tls,
            "use_ssl": use_ssl,
            # A mail server that stops answering must not hold a worker past gunicorn's timeout.
            "timeout": timeout,
        },
    }
