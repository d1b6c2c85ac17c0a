"""How a front page (home, or a section's) lays out one page of stories: a lead, the latest beside it, then a rail
per section. Works on the stories already fetched for the page, so the layout costs no query, and each story
appears exactly once.
"""

from dataclasses import dataclass, field

LATEST_COUNT = 4
RAIL_LENGTH = 4


@dataclass
class Rail:
    heading: str
    url: str
    stories: list = field(default_factory=list)


@dataclass
class FrontPage:
    lead: object = None
    latest: list = field(default_factory=list)
    rails: list = field(default_factory=list)
    more: list = field(default_factory=list)


def arrange(stories, by_section=True):
    """Lead: the newest story with a hero image among the first few (else the newest); latest: the next
    LATEST_COUNT; then, with `by_section`, up to RAIL_LENGTH more per section in order of each section's newest
    story; whatever is left (no section, or past a full rail) goes in `more`."""
    stories = list(stories)
    if not stories:
        return FrontPage()
    lead = next((story for story in stories[: LATEST_COUNT + 1] if story.teaser_picture), stories[0])
    rest = [story for story in stories if story is not lead]
    page = FrontPage(lead=lead, latest=rest[:LATEST_COUNT])
    rest = rest[LATEST_COUNT:]
    if not by_section:
        page.more = rest
        return page
    rails = {}
    for story in rest:
        section = story.section
        if section is None:
            page.more.append(story)
            continue
        rail = rails.setdefault(section.pk, Rail(section.name, section.get_absolute_url()))
        if len(rail.stories) < RAIL_LENGTH:
            rail.stories.append(story)
        else:
            page.more.append(story)
    page.rails = list(rails.values())
    return page
