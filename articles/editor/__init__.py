"""The story editor's helpers in the admin: share links, autosaved working copies, the live preview, presence
and the editorial checklist. Each module holds one of them; admin.py only wires their URLs and context in."""
