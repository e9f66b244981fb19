"""What the structure rules say, and what they propose, in French and English: (message, suggestion)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, tuple[str, str | None]]] = {
    "greeting": {
        "fr": (
            "Pas de salutation : un message qui commence sans nommer le destinataire paraît automatique.",
            "Bonjour Madame Durand,",
        ),
        "en": (
            "No greeting: a message that starts without addressing the reader feels automated.",
            "Hello Ms Smith,",
        ),
    },
    "greeting:generic": {
        "fr": (
            "Salutation générique : nommer le destinataire rend le message plus personnel.",
            "Bonjour Madame Durand,",
        ),
        "en": ("Generic greeting: addressing the reader by name makes it personal.", "Hello Ms Smith,"),
    },
    "invoice_number": {
        "fr": (
            "Le numéro de facture n'apparaît pas : le client doit pouvoir retrouver la pièce sans chercher.",
            "la facture n° [numéro]",
        ),
        "en": (
            "The invoice number is missing: the customer should find the document without searching.",
            "invoice no. [number]",
        ),
    },
    "amount": {
        "fr": ("Le montant à régler n'apparaît pas.", "d'un montant de [montant]"),
        "en": ("The amount to pay is missing.", "for [amount]"),
    },
    "due_date": {
        "fr": ("La date d'échéance n'apparaît pas.", "arrivée à échéance le [date]"),
        "en": ("The due date is missing.", "which fell due on [date]"),
    },
    "payment_link": {
        "fr": (
            "Aucun lien ni bouton pour payer : chaque étape en plus fait perdre des paiements.",
            "Vous pouvez la régler en ligne ici : [lien de paiement]",
        ),
        "en": (
            "No link or button to pay: every extra step loses payments.",
            "You can pay it online here: [payment link]",
        ),
    },
    "payment_link:bank_only": {
        "fr": (
            "Seules des coordonnées bancaires sont données : un lien de paiement direct facilite le "
            "règlement.",
            "Vous pouvez aussi la régler en ligne : [lien de paiement]",
        ),
        "en": (
            "Only bank details are given: a direct payment link makes paying easier.",
            "You can also pay online: [payment link]",
        ),
    },
    "update_link": {
        "fr": (
            "Aucun lien pour mettre à jour le moyen de paiement : le client doit pouvoir le faire en un "
            "clic.",
            "Mettre à jour ma carte : [lien]",
        ),
        "en": (
            "No link to update the payment method: the customer should be able to fix it in one click.",
            "Update my card: [link]",
        ),
    },
    "help_offer": {
        "fr": (
            "Aucune offre d'aide : dites au client qui contacter en cas de question ou de difficulté.",
            "Pour toute question ou difficulté, n'hésitez pas à me répondre directement.",
        ),
        "en": (
            "No offer of help: tell the customer whom to contact with a question or a difficulty.",
            "If you have any question or difficulty, just reply to this email.",
        ),
    },
    "already_paid": {
        "fr": (
            "Il manque la phrase « si vous avez déjà réglé… » : un client qui vient de payer se sent accusé.",
            "Si vous avez déjà effectué le règlement, merci de ne pas tenir compte de ce message.",
        ),
        "en": (
            'The "if you have already paid" line is missing: a customer who just paid feels accused.',
            "If you have already paid, please disregard this message.",
        ),
    },
    "signature": {
        "fr": (
            "Pas de signature : un message signé par une personne, avec ses coordonnées, est mieux lu.",
            "Cordialement,\nPrénom Nom, service comptabilité\nadresse@entreprise.fr – 01 23 45 67 89",
        ),
        "en": (
            "No signature: a message signed by a person, with contact details, gets read.",
            "Kind regards,\nFirst Last, Accounts\nname@company.com – +44 20 1234 5678",
        ),
    },
    "signature:contact": {
        "fr": (
            "La signature ne donne ni e-mail ni téléphone : le client doit savoir comment vous joindre.",
            "adresse@entreprise.fr – 01 23 45 67 89",
        ),
        "en": (
            "The signature gives no email or phone number: the customer needs a way to reach you.",
            "name@company.com – +44 20 1234 5678",
        ),
    },
    "consequences": {
        "fr": (
            "Dernier rappel sans annonce des suites : dites clairement ce qui se passera sans paiement.",
            "Passé ce délai, le dossier sera transmis à notre service de recouvrement.",
        ),
        "en": (
            "A final reminder must say what happens next if the invoice stays unpaid.",
            "After that date, the account will be passed to our collection agency.",
        ),
    },
    "consequences:loss": {
        "fr": (
            "Dernier avertissement sans dire ce que le client va perdre (accès, données, historique).",
            "Vous perdrez l'accès à votre compte et à vos données.",
        ),
        "en": (
            "A last warning must say what the customer will lose (access, data, history).",
            "You will lose access to your account and your data.",
        ),
    },
    "deadline": {
        "fr": (
            "Dernier rappel sans date limite : donnez une date ou un délai précis pour régler.",
            "au plus tard le [date]",
        ),
        "en": ("A final reminder needs a deadline: give a date or a number of days.", "by [date]"),
    },
    "deadline:access": {
        "fr": (
            "La date à laquelle l'accès sera coupé n'est pas indiquée : le client doit savoir de combien "
            "de temps il dispose.",
            "d'ici le [date], votre accès sera suspendu",
        ),
        "en": (
            "The date access stops is missing: the customer needs to know how long they have.",
            "your access will stop on [date]",
        ),
    },
    "legal_mentions": {
        "fr": (
            "Créancier français, dernier rappel : rappelez les pénalités de retard et l'indemnité "
            "forfaitaire de 40 € pour frais de recouvrement (article L441-10 du Code de commerce).",
            "Conformément à l'article L441-10 du Code de commerce, tout retard de paiement entraîne des "
            "pénalités de retard et une indemnité forfaitaire de 40 € pour frais de recouvrement.",
        ),
        "en": (
            "French creditor, final reminder: state the late-payment penalties and the EUR 40 fixed "
            "compensation for recovery costs (article L441-10 of the French Commercial Code).",
            "Under article L441-10 of the French Commercial Code, late payment incurs late-payment penalties "
            "and a fixed compensation of EUR 40 for recovery costs.",
        ),
    },
    "legal_mentions:penalties": {
        "fr": (
            "Les pénalités de retard (article L441-10 du Code de commerce) ne sont pas mentionnées.",
            "des pénalités de retard au taux prévu par nos conditions générales de vente",
        ),
        "en": (
            "The late-payment penalties (article L441-10 of the French Commercial Code) are not mentioned.",
            "late-payment penalties at the rate set in our terms and conditions",
        ),
    },
    "legal_mentions:indemnity": {
        "fr": (
            "L'indemnité forfaitaire de 40 € pour frais de recouvrement n'est pas mentionnée.",
            "une indemnité forfaitaire de 40 € pour frais de recouvrement",
        ),
        "en": (
            "The EUR 40 fixed compensation for recovery costs is not mentioned.",
            "a fixed compensation of EUR 40 for recovery costs",
        ),
    },
    "plan_offer": {
        "fr": (
            "Une proposition d'échéancier doit détailler le plan : nombre de versements, montants, dates.",
            "en trois mensualités de [montant], les [dates]",
        ),
        "en": (
            "A payment-plan proposal should spell out the plan: number of payments, amounts, dates.",
            "in three monthly instalments of [amount], on [dates]",
        ),
    },
    "alternative": {
        "fr": (
            "Aucune alternative proposée (offre gratuite, pause, remise) alors que c'est l'objet du message.",
            "Vous pouvez passer à l'offre gratuite ou mettre votre abonnement en pause.",
        ),
        "en": (
            "No alternative offered (free plan, pause, discount) although that is the point of this message.",
            "You can switch to the free plan or pause your subscription.",
        ),
    },
}
