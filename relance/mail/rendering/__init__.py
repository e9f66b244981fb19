"""Message rendering: a template file and a context become a subject, a plain-text part and an HTML part.

Template files
--------------
`<name>.<language>.md` (for example `first.fr.md`), looked up first in the user folders given, in order,
then among the built-ins (`relance/mail/builtin_templates/`). Only when no folder has the file in the language
asked for is the other language used (fr <-> en; other languages fall back to en, then fr);
`Rendered.language` says which language was used, and money and dates follow the template's language.

The file starts with YAML front matter between two `---` lines:

- `stage` (required): pre_due, first, second, final, payment_plan, ...
- `family` (default `b2b`), `language` (must match the file name), `variant` (default `standard`),
  `description` (free text).
- `subjects` (required): a list of Jinja template strings; the first is the subject, the others are
  alternatives (A/B tests). Keep them under 60 characters with the invoice number or the company name in them.
- `preheader`: a Jinja template string, the hidden preview line of the HTML part.
- `ctas`: a list of `{label, link}`. `label` is a Jinja template string; `link` names an entry of `links`
  (pay, invoice, statement, contact) or is a literal https:// or mailto: URL. A call to action whose link is
  empty is left out. `{{ buttons() }}` places them in the body (appended at the end when never called).

Then the body: Markdown (with tables, and a line break wherever the source has one) containing Jinja.
Put `{% if %}`/`{% for %}` tags on lines of their own (the line a block tag stands on is removed entirely);
within a line, use `{{ a if condition else b }}`. Templates run in a sandbox (no access to Python internals,
lists and dicts read-only) and every unknown name is an error: `TemplateError` names the file and line.

Filters (Babel, in the template's locale): `amount|money(currency)` -> '1 234,56 €' / '€1,234.56' (also a
function: `money(amount, currency)`; amounts are Decimal, never float); `day|date` -> '15 mars 2026' /
'March 15, 2026' (`date('short')` or a Babel pattern such as `date('d MMMM')` for others); `n|days` ->
'12 jours' / '12 days'; `invoices|numbers` -> 'FA-1', 'FA-1 et FA-2', 'FA-1 et 2 autres'.

Customer data never passes through Markdown: it is HTML-escaped in the HTML part and kept intact in the text
part. A Markdown link whose URL is empty or not http(s)/mailto/tel is written as its label only.

Context (the keys a template can use)
-------------------------------------
- `customer`: {name, id}
- `contact`: {first_name, last_name, full_name, greeting}; greeting is 'Bonjour Claire,' / 'Dear Claire,',
  or 'Madame, Monsieur,' / 'Dear Sir or Madam,' without a contact name (see `make_greeting`).
- `invoices`: the invoices the message is about, each {number, issue_date, due_date, amount, outstanding,
  currency, days_late (int; negative = days before the due date), pdf_url, payment_url, stage}.
- `upcoming`: invoices of the same shape coming due soon, listed for information (may be empty).
- `totals`: {due (Decimal, sum of outstanding), currency, count}
- `sender`: {name, email, title, phone, signature}; a non-empty signature replaces the built-in signature
  lines (name, title, company, e-mail, phone).
- `company`: {legal_name, address, registration, legal_mentions, country (ISO code)}; all but country are
  printed in the footer of both parts.
- `links`: {pay, invoice, statement, contact}: URLs, each possibly empty.
- `deadline`: a date or None (the final notice's payment deadline).
- `stage`: the message's stage; `today`: the date of the run.
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
