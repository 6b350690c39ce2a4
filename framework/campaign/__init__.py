"""Self-assessment campaigns: a link `/assess?c=CODE` per agency round, answered by staff in the app.

- model.py   the campaigns table, open / list / close, the unknown- and closed-code messages
- submit.py  server-side checks, rate limits, drafts, and the store write (the upload path, replace on conflict)
- qr.py      the link as a QR code (segno) and a printable poster
"""
from framework.campaign.model import (CODE_LENGTH, Campaign, CampaignError, close, closed_code, ensure_tables,  # noqa: F401
                                      get, has_tables, list_campaigns, open_campaign, require_open, unknown_code)
from framework.campaign.submit import (LIMITS, MAX_ID, NOT_ASSESSED, Limits, RateLimited, RateLimiter, SubmitError,  # noqa: F401
                                       Submitted, check, delete_draft, load_draft, new_token, save_draft, submit,
                                       survey_csv)
from framework.campaign import qr  # noqa: F401
from framework.campaign import form  # noqa: F401,E402
