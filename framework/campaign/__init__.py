"""Self-assessment campaigns: a link `/assess?c=CODE` per agency round, answered by staff in the app.

- model.py   the campaigns table, open / list / close / submissions, the unknown- and closed-code messages
- submit.py  server-side checks, rate limits, drafts, and the store write (the campaign's one batch, replace)
- commit.py  group commit: the submissions of many sessions written in one transaction per group
- drafts.py  a personal link's draft kept in the process at once, written behind (one write per second)
- form.py    what the form asks and shows (units, level words, elements and criteria, what to learn first)
- qr.py      the link as a QR code (segno) and a printable poster
- links.py   personal links `/assess?t=TOKEN` (one hashed token per person: fixed id, used once, revocable)
- results.py result links `/assess?r=TOKEN`
"""

from framework.campaign import form, links, qr  # noqa: F401
from framework.campaign import submit as submit_module
from framework.campaign.model import (  # noqa: F401
    CODE_LENGTH,
    CODE_THROTTLE,
    Campaign,
    CampaignError,
    CodeThrottled,
    batch_ids,
    close,
    closed_code,
    ensure_tables,
    file_name,
    get,
    has_tables,
    list_campaigns,
    open_campaign,
    release_status,
    require_open,
    set_links_only,
    stored_at,
    submissions,
    unknown_code,
)
from framework.campaign.submit import (  # noqa: F401
    MAX_ID,
    NOT_ASSESSED,
    Limits,
    RateLimited,
    RateLimiter,
    SubmitError,
    Submitted,
    check,
    delete_draft,
    flush_drafts,
    keep_draft,
    load_draft,
    new_token,
    save_draft,
    submit,
    survey_csv,
    survey_row,
)


class _Limits:
    """`campaign.LIMITS`: the process's current limits (tests may swap `submit_module.LIMITS`)."""

    def __getattr__(self, name):
        return getattr(submit_module.LIMITS, name)


LIMITS = _Limits()
