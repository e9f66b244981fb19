"""Message rendering: a template file and a context become a subject, a plain-text part and an HTML part.

Template files
--------------
`<name>.<language>.md` (for example `first.fr.md`), looked up first in the user folders given, in order,
then among the built-ins (`relance/mail/builtin_templates/`). Only when no folder has the file in the language
asked for is the other language used (fr <-> en; other languages fall back to en, then fr);
`Rendered.language` says which language was used, and money and dates follow the template's language.
For a workspace, relance.mail.template_store.resolve_template looks first at the workspace's saved versions
(the latest one is live), then RELANCE_TEMPLATES_DIR, then the built-ins. The front matter may also carry
`name` (it must match the file name).

The file starts with YAML front matter between two `---` lines:

- `stage` (required): pre_due, first, second, final, payment_plan; card_expiring, payment_failed_1,
  payment_failed_2, payment_failed_3, final_warning, alternative.
- `family` (default `b2b`; `saas` for subscriptions), `language` (must match the file name), `variant`
  (default `standard`; the built-ins also have short, long, casual, personalised, loss_aversion, in files
  named `<stage>_<variant>.<language>.md`), `description` (free text).
- `subjects` (required): a list of Jinja template strings; the first is the subject, the others are
  alternatives (A/B tests). Keep them under 60 characters with the invoice number or the company name in them.
- `preheader`: a Jinja template string, the hidden preview line of the HTML part.
- `ctas`: a list of `{label, link}`. `label` is a Jinja template string; `link` names an entry of `links`
  (pay, invoice, statement, contact, update_card) or is a literal https:// or mailto: URL. A call to action
  whose link is empty is left out. `{{ buttons() }}` places them in the body (appended at the end when never
  called).

Then the body: Markdown (with tables, and a line break wherever the source has one) containing Jinja.
Put `{% if %}`/`{% for %}` tags on lines of their own (the line a block tag stands on is removed entirely);
within a line, use `{{ a if condition else b }}`. Templates run in a sandbox (no access to Python internals,
lists and dicts read-only) and every unknown name is an error: `TemplateError` names the file and line.

Filters (Babel, in the template's locale): `amount|money(currency)` -> '1 234,56 €' / '€1,234.56' (also a
function: `money(amount, currency)`; amounts are Decimal, never float); `day|date` -> '15 mars 2026' /
'March 15, 2026' (`date('day_month')` -> '15 mars' / 'March 15', `date('month_year')` -> 'mars 2026' /
'March 2026', in each language's order; `date('short')` or a Babel pattern such as `date('d MMMM')`
for others); `n|days` ->
'12 jours' / '12 days'; `invoices|numbers` -> 'FA-1', 'FA-1 et FA-2', 'FA-1 et 2 autres'.

Customer data never passes through Markdown: it is HTML-escaped in the HTML part and kept intact in the text
part. A Markdown link whose URL is empty or not http(s)/mailto/tel is written as its label only.

Context (the keys a template can use)
-------------------------------------
Every message (both families):

- `customer`: {name, id}; optionally `since` (date the relationship began; test it with
  `customer.since is defined`, a context builder may leave it out).
- `contact`: {first_name, last_name, full_name, greeting}; greeting is 'Bonjour Claire,' / 'Dear Claire,',
  or 'Madame, Monsieur,' / 'Dear Sir or Madam,' without a contact name (see `make_greeting`).
- `invoices`: the invoices the message is about, each {number, issue_date, due_date, amount, outstanding,
  currency, days_late (int; negative = days before the due date), pdf_url, payment_url, stage}. For a
  subscription: the invoice of the declined renewal, or empty (card_expiring).
- `upcoming`: invoices of the same shape coming due soon, listed for information (may be empty).
- `totals`: {due (Decimal, sum of outstanding), currency, count}
- `sender`: {name, email, title, phone, signature}; a non-empty signature replaces the built-in signature
  lines (name, title, company, e-mail, phone).
- `company`: {legal_name, address, registration, legal_mentions, country (ISO code)}; all but country are
  printed in the footer of both parts.
- `links`: {pay, invoice, statement, contact}: URLs, each possibly empty; subscription messages add
  `update_card` (the page where the customer replaces the card on file).
- `deadline`: a date or None (the final notice's payment deadline).
- `stage`: the message's stage; `today`: the date of the run.

Subscription messages (family `saas`: card_expiring, payment_failed_1..3, final_warning, alternative) add:

- `subscription`: {product (the product or service name), plan (the plan's name), amount (Decimal, per
  interval), currency, interval ("month" or "year"), started_on (date or None), failed_on (date of the
  declined charge, None for card_expiring), attempts (int, declined attempts so far), next_attempt (date of
  the next automatic charge: the renewal for card_expiring, the next retry after a failure; None when no
  retry is planned), access_ends (date access stops without payment, None when not set; always set for
  final_warning), features (list of short noun phrases, with their article, naming what the customer uses
  and would lose: 'the shared rota for your 14 staff'), card ({brand, last4, exp_month (int),
  exp_year (int)} or None)}.
- `offers`: for the alternative stage, a list of {kind ("downgrade", "pause" or "discount"), label (a
  button-like phrase: 'Switch to the Solo plan'), detail (a phrase: 'EUR 19.00 a month for up to 3 staff'),
  link (URL)}; empty otherwise.

`sample_context(language, stage)` builds a realistic context of either family; docs/templates.md
documents the format, every variable, the filters and the built-in library.
"""

from __future__ import annotations

from relance.mail.rendering.render import Rendered, render, render_message
from relance.mail.rendering.sample import make_greeting, sample_context
from relance.mail.rendering.templates import (
    BUILTIN_DIR,
    LINK_NAMES,
    CallToAction,
    LoadedTemplate,
    TemplateError,
    load_template,
    parse_template,
)

BUILTIN_TEMPLATES = ("pre_due", "first", "second", "final", "payment_plan")
LANGUAGES = ("fr", "en")

__all__ = [
    "BUILTIN_DIR",
    "BUILTIN_TEMPLATES",
    "LANGUAGES",
    "LINK_NAMES",
    "CallToAction",
    "LoadedTemplate",
    "Rendered",
    "TemplateError",
    "load_template",
    "make_greeting",
    "parse_template",
    "render",
    "render_message",
    "sample_context",
]
