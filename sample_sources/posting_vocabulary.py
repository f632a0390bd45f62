"""Plain data of the job-board generator (sample_sources/postings.py): how malformed items are broken,
what a copy varies, when ads are posted, the phone and e-mail shapes of recruiters. Kept apart so the
generator file holds control flow; the order of every list matters (seeded draws)."""

from __future__ import annotations

# How the malformed items are broken, per board (the HTML board has no date filter, so a date in
# the future cannot be told from a later ad there; it breaks dates only before 2000).
MALFORMED_REASONS = {
    "zhaopin": (
        "empty_title",
        "bad_publish_time",
        "future_date",
        "before_2000",
        "implausible_salary",
        "malformed_item",
    ),
    "rencai": ("empty_title", "bad_publish_time", "before_2000", "implausible_salary"),
}
# Variants of copies after the first (weights): what a repost or cross-post changes.
_VARIANTS = (
    ("", 45),
    ("decorated_title", 25),
    ("company_form", 8),
    ("company_abbreviation", 6),
    ("title_paraphrase", 6),
    ("edited_description", 10),
)
_IMPLAUSIBLE_SALARIES = ("350000-500000元", "99999-999999元/月", "800000元以上")
SALARY_GROWTH = 0.03  # yearly wage drift

_HOUR_WEIGHTS = {
    7: 1,
    8: 4,
    9: 10,
    10: 12,
    11: 10,
    12: 4,
    13: 5,
    14: 10,
    15: 10,
    16: 9,
    17: 7,
    18: 3,
    19: 2,
    20: 2,
    21: 2,
    22: 1,
    23: 1,
}
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "173",
    "177",
    "180",
    "181",
    "182",
    "183",
    "186",
    "187",
    "188",
    "189",
    "191",
    "199",
)
_EMAIL_WORDS = ("hr", "zhaopin", "job", "rlzy", "bzhr", "recruit", "hrd", "bzjob")
