# ruff: noqa: E501  (tables of regular expressions read better unbroken)
"""Phrase tables for bounce classification: what real mail systems write when a message fails.

Each reason maps to regular expressions matched, case-insensitively, against the diagnostic text (the DSN
Diagnostic-Code, or the body of a plain-text bounce). HARD_REASONS are the ones that say the address itself
is bad; every other reason is soft: the address exists (or may), the message or the sender was refused.
"""

from __future__ import annotations

import re

HARD_REASONS = frozenset({"userunknown", "hostunknown", "hasmoved", "notaccept"})

# Checked in this order; the first reason with a match wins. Specific sender-side refusals come before the
# user-unknown family, because "550 5.7.1 ... blocked" texts often also name the recipient.
_REASONS: list[tuple[str, list[str]]] = [
    (
        "mailererror",
        [
            r"no such file or directory|procmail|couldn't create|mailer error|unknown mailer|command (?:died|failed)",
            r"permission denied|failed to read|pipe to \|",
        ],
    ),
    (
        "filtered",  # the recipient's own filter refused the message: the mailbox exists (sisimai's Filtered)
        [
            r"\b5\d\d:? (?:<>)?: ?user unknown",  # au/KDDI: "550 : User unknown", the address left out
            r"message filtered|message rejected due to user rules|user refuses to receive this mail",
            r"refused due to recipient preferences|you have been blocked by the recipient",
            r"recipient is only accepting mail from specific (?:e-?mail )?addresses",
        ],
    ),
    (
        "userunknown",  # unambiguous: they win over boilerplate words elsewhere in the bounce
        [
            r"user(?:name)? (?:is )?unknown|unknown (?:user|recipient|mailbox|local[- ]?part)|no such (?:user|recipient|mailbox)",
            r"recipnotfound|recipient not found|address not found|invalid recipient|destinataire invalide",
            r"doesn't have an? \S+ account|recipient address rejected: access denied",
            r"not our (?:user|customer)|user (?:does not|doesn't) exist|mailbox (?:does not|doesn't) exist",
            r"invalid (?:final )?delivery userid|not listed in (?:public )?name (?:&|and) address book",
            r"recipient name is not recognized|no valid recipients|please check if (?:the )?address is correct",
        ],
    ),
    (
        "notaccept",  # the domain exists but takes no mail at all (null MX, no MX and no A)
        [
            r"couldn't find (?:a|any) mail exchanger|no mx found|null mx|does not accept (?:any )?mail",
            r"not accepting (?:network )?messages|accepts no mail",
            r"an mx or srv record indicated no smtp service",  # Exim, on a null MX (RFC 7505)
        ],
    ),
    (
        "hostunknown",
        [
            r"host (?:or domain name )?not found(?!, try again)|host unknown|unknown host|no such domain|domain (?:is )?not reachable",
            r"the account or domain may not exist|illegal host/domain name",  # Exim/cPanel; Oracle Messaging Server
            r"(?<![@\w./\\-])(?:[a-z0-9-]+\.)+[a-z]{2,} does not exist",  # a domain name, not an address, does not exist
        ],
    ),
    (
        "mailboxfull",
        [
            r"mailbox (?:is )?full",
            r"mail ?box (?:has )?exceeded",
            r"(?:mailbox|inbox|account|disk|storage|user) (?:is )?(?:over|exceeded|exceeds)(?: the)? ?(?:its |their |his |her )?(?:quota|storage|size|limit|allocation)",
            r"over ?quota",
            r"quota (?:exceeded|full|violation)",
            r"exceeded (?:storage|quota)",
            r"insufficient (?:disk )?(?:space|storage)",
            r"full mailbox",
            r"mailfolder is full",
            r"not enough (?:space|storage)",
            r"too many messages",
            r"user'?s? (?:mailbox|disk) (?:is )?full",
            r"exceed(?:s|ed)? (?:the )?(?:mailbox|maximum|storage)",
            r"no space left",
            r"mailbox size limit",
        ],
    ),
    (
        "hasmoved",
        [r"\bhas moved\b", r"address (?:has )?changed", r"user has moved", r"no longer (?:in use|valid)"],
    ),
    (
        "expired",
        [
            r"retry timeout exceeded",
            r"delivery time expired",
            r"message expired",
            r"has been delayed",
            r"could not be delivered (?:with)?in \d+",
            r"too long in (?:the )?queue",
            r"was not delivered within",
            r"retry time not reached",
            r"gave up",
            r"queue ?time",
            r"has not yet been delivered",
            r"timeout",
            r"timed? out",
            r"will (?:continue|keep) (?:to )?(?:retry|try)",
        ],
    ),
    (
        "blocked",
        [
            r"\bblock(?:ed|list)\b",
            r"black ?list",
            r"deny ?list",
            r"\brbl\b",
            r"sender address|domain of sender|sender (?:domain|verify)",
            r"open relay|no access from|permission to post|not have permission|recipient preferences",
            r"spamhaus|spamcop|sorbs|barracuda ?central|dnsbl",
            r"poor reputation|bad reputation|reputation",
            r"not allowed to send",
            r"client host .{0,60}(?:rejected|refused)",
            r"ptr record|reverse dns|rdns|reverse (?:lookup|dns)|no reverse",
            r"access denied",
            r"relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited)|not permitted to relay|unable to relay|relay not permitted|relaying denied",
            r"too many (?:connections|recipients|messages|concurrent)|rate limit|throttl|sending rate|temporarily rate",
            r"\bspf\b|dkim|dmarc|authenticat",
            r"\bspam\b|junk mail|unsolicited|bulk mail",
            r"\bvirus\b|malware|infected",
            r"policy|prohibited|not accepted by|content (?:rejected|filter)",
            r"message (?:size|too (?:big|large))|size (?:limit|exceeds)|too large",
            r"greylist|graylist|try (?:again )?later|temporar|deferred|defer",
            r"starttls|tls (?:is )?required",
            r"syntax error|rfc ?\d{3,4}|malformed|non-?compliant",
        ],
    ),
    (
        "networkerror",
        [
            r"name server reply|host not found, try again|temporary failure in name resolution|connection refused",
            r"network (?:is )?unreachable|no route to host|lost connection|connection (?:reset|dropped)",
        ],
    ),
    (
        "suspend",
        [
            r"(?:mailbox|account|address) (?:is )?(?:currently )?(?:suspended|disabled|inactive|deactivated|locked|frozen|closed)",
            r"(?:disabled|suspended|inactive|expired) (?:mailbox|account|user)",
            r"account has been disabled",
            r"recipient (?:is )?(?:suspended|disabled|inactive)",
            r"disabled recipient|recipient address disabled",
            r"account .{0,40}\bis (?:disabled|suspended|inactive)",
        ],
    ),
    (
        "hostunknown",
        [
            r"host (?:or domain name )?not found",
            r"host unknown|unknown host",
            r"domain (?:name )?(?:not found|does not exist|doesn't exist|unknown|is not valid)",
            r"unknown domain|no such domain|invalid domain",
            r"name service error|name or service not known",
            r"no (?:valid )?mx|mx (?:record|lookup)",
            r"unrouteable (?:mail )?domain|unroutable (?:mail )?domain",
            r"domain .{0,40}(?:has no|no) (?:dns|mail)",
            r"nxdomain|dns error|dns lookup",
            r"all relevant mx records point to non-existent hosts",
            r"does not accept mail|null mx",
            r"could not be found: \S+\.",
        ],
    ),
    (
        "userunknown",
        [
            r"user(?:name)? (?:is )?unknown|unknown (?:local[- ]?part|user|recipient|mailbox|address|account|alias)",
            r"no such (?:user|recipient|mailbox|address|account|local user|person|person at this address)",
            r"(?:user|recipient|mailbox|address|account|alias|addressee)\W{0,3}(?:\S+\W{0,3})?(?:does not|doesn't|did not|not) exist",
            r"does not exist|doesn't exist|not exist",
            r"(?:invalid|bad|non-?existent|unrouteable|unroutable|illegal) (?:user|recipient|mailbox|address|destination|e-?mail)",
            r"(?:user|recipient|mailbox|address|account) (?:not found|not known|unavailable|invalid|not listed|not valid|not available)",
            r"mailbox unavailable|mailbox not available|mailbox is unavailable",
            r"not (?:a )?(?:valid|known) (?:user|recipient|mailbox|address)",
            r"not our customer|no mailbox here|no such|not listed in|unknown in (?:virtual|local)",
            r"rejected recipient",
            r"user not|is not a known user|couldn't find (?:any host|the recipient)|could not find (?:a )?recipient",
            r"mailbox (?:name )?(?:not allowed|invalid)|no mailbox",
            r"not (?:a )?registered|not in (?:the )?(?:recipient|valid)|undeliverable address",
            r"could not be delivered to .{0,80}(?:account|user|mailbox)",
            r"email account that you tried to reach does not exist",
        ],
    ),
]

REASONS: list[tuple[str, list[re.Pattern[str]]]] = [
    (reason, [re.compile(p, re.IGNORECASE) for p in patterns]) for reason, patterns in _REASONS
]

# Status subject.detail (RFC 3463) → reason, when the text names none.
STATUS_REASONS: dict[str, str] = {
    "1.1": "userunknown",
    "1.2": "hostunknown",
    "1.3": "userunknown",
    "1.6": "hasmoved",
    "1.10": "hostunknown",
    "4.4": "hostunknown",  # unable to route: no usable MX or A record (hard only with a 5 class)
    "2.1": "suspend",
    "2.2": "mailboxfull",
    "2.3": "blocked",
    "3.1": "mailboxfull",
    "1.7": "rejected",
    "1.8": "rejected",
    "4.7": "expired",
}

# Statements by a provider about its own directory: the account does not exist, whatever SMTP command they
# answered (Yahoo and La Poste check the recipient only after DATA) and whatever status came with them.
DEFINITE_USERUNKNOWN = re.compile(
    r"doesn't have an? \S+ account|adresse destinataire invalide|recipient name is not recognized|"
    r"not listed in (?:public )?name (?:&|and) address book|not listed in domino directory|"
    r"email account that you tried to reach does not exist",
    re.IGNORECASE,
)

BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|non[- ]?deliver|delivery (?:status notification|failure|failed|has failed|problem|report|notification)|"
    r"mail delivery (?:failed|failure|system|subsystem|problem)|returned mail|failure notice|returned to sender|"
    r"could not (?:be )?deliver|delivery unsuccessful|mail (?:could not|not) (?:be )?delivered|"
    r"message (?:not delivered|delivery failed|could not be delivered|you sent .* (?:blocked|undeliverable))|"
    r"unzustellbar|nicht zustellbar|non remis|non distribu|échec de (?:la )?(?:remise|distribution)|"
    r"warning: could not send|delayed mail|delivery delayed|mail system error|permanent error|"
    r"nondeliverable|rejected|unable to deliver|not delivered|delivery notification|error sending|"
    r"メールエラー|配信エラー|不達|エラー通知|не доставлено|недоставлен",
    re.IGNORECASE,
)

DAEMON_SENDER = re.compile(
    r"mailer[-_]?daemon|post[-_]?master|mail[-_ ]?delivery|mail[-_ ]?system|mailer@|bounce|nobody@|"
    r"mdaemon|daemon@|notifications?@|mail ?administrator|no-?reply@.*(?:postmaster|mailer)",
    re.IGNORECASE,
)

AUTO_REPLY_SUBJECT = re.compile(
    r"out of (?:the )?office|auto(?:matic|matische)?[ -]?(?:reply|response|antwort|r[ée]ponse)|"
    r"autoreply|auto[- ]?respon|vacation|away from (?:my|the) (?:desk|office)|on leave|on holiday|"
    r"absence|absent|abwesenheit|nicht im b[üu]ro|urlaub|r[ée]ponse automatique|en cong[ée]s?|"
    r"hors du bureau|assente|fuori ufficio|ausencia|fuera de la oficina|respuesta autom",
    re.IGNORECASE,
)

# Lines after which a plain-text bounce quotes the returned message.
ORIGINAL_MARKERS = re.compile(
    r"^(?:-+ ?)?(?:below this line is a copy of the message|this is a copy of the message|"
    r"original message (?:follows|headers? follow)|"
    r"the (?:original|returned) message (?:follows|is (?:attached|included|below))|unsent message below|undelivered message (?:headers )?follows?|"
    r"the headers of the message|original message headers|message headers follow|"
    r"(?:-+ )?original message -+|this is the original message|"
    r"header of (?:the )?original message|returned mail: see transcript|returned message -+)",
    re.IGNORECASE | re.MULTILINE,
)

# The SMTP command a failure answered: Postfix "(in reply to end of DATA command)", Sendmail's transcript
# (">>> DATA" then "<<< 550 ..."), Exim "after end of data" / "after RCPT command", mfilter "SMTP command\nDATA",
# qmail and DragonFly "did not like our RCPT TO", Yahoo "[RCPT_TO]", and qmail-send's own sentences. The named
# groups "cmd*" hold the command's words; the others name the command themselves.
SMTP_STAGE = re.compile(
    r"in reply to (?:end of )?(?P<cmd1>DATA|RCPT\s+TO|MAIL\s+FROM|HELO|EHLO)\b|"
    r"after (?:pipelined )?(?:end of )?(?P<cmd2>data|RCPT(?:\s+TO)?|MAIL(?:\s+FROM)?|HELO|EHLO)\b|"
    r"SMTP command\s*:?\s*\n?\s*(?P<cmd3>DATA|RCPT|MAIL)\b|"
    r"did not like our (?P<cmd4>RCPT|MAIL|DATA|HELO|EHLO)\b|\[(?P<cmd5>RCPT|MAIL)_(?:TO|FROM)\]|"
    r"but (?P<helo>my name) was rejected|but (?P<mail>sender) was rejected|(?P<rcpt>does not like recipient)|"
    r"(?P<data>failed after I sent the message)",
    re.IGNORECASE,
)
TRANSCRIPT_LINE = re.compile(
    r"^\s*(?:(?P<out>>>>)\s*(?P<command>[A-Za-z]+)|<<<\s*(?P<code>[245])\d\d)", re.MULTILINE
)
