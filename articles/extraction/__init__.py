"""Reading structure out of prose: references into citation fields, quotations into quotes with speakers.

Used by the importers (every format) and by the admin's paste-a-reference field; it knows nothing of either.
"""
