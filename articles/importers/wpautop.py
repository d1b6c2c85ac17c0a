"""WordPress's ``wpautop``: blank lines become paragraphs and single line breaks ``<br>``, as WordPress renders them.

A port of ``wpautop()`` in WordPress's wp-includes/formatting.php (GPL-2.0-or-later, like WordPress), keeping its
order of steps, so a post reads as it did on the WordPress site. What it takes care of, and a naive split on blank
lines does not: no paragraph or line break lands inside ``<pre>``, none directly inside ``<ul>``, ``<ol>``,
``<table>`` or ``<dl>``, and blocks written on one line (``<ul><li>…``) are not wrapped in ``<p>``.
"""

import re

ALL_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote"
    r"|address|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption"
    r"|details|menu|summary)"
)
PRE = re.compile(r"<pre\b[\s\S]*?</pre>", re.IGNORECASE)
DOUBLE_BR = re.compile(r"<br\s*/?>\s*<br\s*/?>", re.IGNORECASE)
BLOCK_OPEN = re.compile(rf"(<{ALL_BLOCKS}[\s/>])", re.IGNORECASE)
BLOCK_CLOSE = re.compile(rf"(</{ALL_BLOCKS}>)", re.IGNORECASE)
HR = re.compile(r"(<hr\s*?/?>)", re.IGNORECASE)
TAG = re.compile(r"<[^<>]*>")
NEWLINE_IN_TAG = " <!-- wpnl --> "
BLOCK_TAG = rf"</?{ALL_BLOCKS}[^>]*>"
NEWLINES_KEPT = re.compile(r"<(script|style|svg|math)[\s\S]*?</\1>", re.IGNORECASE)
PRESERVED_NEWLINE = "<WPPreserveNewline />"


def wpautop(text):
    if not text.strip():
        return ""
    pre_blocks = {}

    def keep_pre(match):
        name = f"<pre wp-pre-tag-{len(pre_blocks)}></pre>"
        pre_blocks[name] = match.group()
        return name

    text = PRE.sub(keep_pre, text + "\n")
    text = DOUBLE_BR.sub("\n\n", text)
    text = BLOCK_OPEN.sub(r"\n\n\1", text)
    text = BLOCK_CLOSE.sub(r"\1\n\n", text)
    text = HR.sub(r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A line break inside a tag (between attributes) is not a line of text.
    text = TAG.sub(lambda match: match.group().replace("\n", NEWLINE_IN_TAG), text)
    if "<figcaption" in text:
        text = re.sub(r"\s*(<figcaption[^>]*>)", r"\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [part for part in re.split(r"\n\s*\n", text) if part]
    text = "".join(f"<p>{part.strip(chr(10))}</p>\n" for part in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(rf"<p>\s*({BLOCK_TAG})\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.IGNORECASE)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*({BLOCK_TAG})", r"\1", text)
    text = re.sub(rf"({BLOCK_TAG})\s*</p>", r"\1", text)
    text = NEWLINES_KEPT.sub(lambda match: match.group().replace("\n", PRESERVED_NEWLINE), text)
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = text.replace(PRESERVED_NEWLINE, "\n")
    text = re.sub(rf"({BLOCK_TAG})\s*<br />", r"\1", text)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    for name, block in pre_blocks.items():
        text = text.replace(name, block)
    return text.replace(NEWLINE_IN_TAG, "\n").replace("<!-- wpnl -->", "\n")
