"""What the tests share, in one place (test modules do not import each other for it).

``EVERYONE``: every named persona of the persona school, each role and the other school's teacher;
``tests.support.timetable``: a small timetable over it, dated from last week's Monday.
"""

EVERYONE = (
    "lucas.martin",
    "lea.bernard",
    "emma.martin",
    "zoe.fontaine",
    "claire.martin",
    "thomas.girard",
    "paul.dupont",
    "sophie.bernard",
    "nadia.petit",
    "marc.leroy",
    "julie.moreau",
    "admin.region",
    "charlie.roux",
    "nathalie.lambert",
    "hugo.lambert",
)
