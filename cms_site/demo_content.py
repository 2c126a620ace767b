"""Demo treatment articles, written for this product (an invented clinic).

Kept as plain data so ``load_demo`` and the tests build the same articles.
"""

MESOTHERAPY_STEPS = {
    "title": "Five steps to help prevent cellulite",
    "steps": [
        {
            "text": "Watch your diet",
            "sub_points": [
                "Fill half your plate with vegetables and fruit.",
                "Choose wholegrain bread, rice and pasta.",
                "Cut down on salt, which makes the body hold water.",
                "Limit sugary drinks, sweets and pastries.",
                "Prefer fish, beans and lean meat to processed meat.",
                "Keep alcohol to a minimum.",
            ],
        },
        {"text": "Quit smoking", "sub_points": []},
        {"text": "Stay active: walk, swim or cycle at least 30 minutes a day", "sub_points": []},
        {
            "text": "Look after your skin",
            "sub_points": [
                "Moisturise every day after a shower.",
                "Use sunscreen: sun damage weakens the skin.",
                "Avoid very tight clothing that restricts circulation.",
                "Dry-brush gently before bathing to stimulate circulation.",
            ],
        },
        {"text": "Drink about two litres of water a day", "sub_points": []},
    ],
}


# Clinicians who write and review the articles (invented people).
CLINICIANS = [
    {
        "name": "Dr Jane Doe",
        "credentials": "MD, FAAD",
        "role": "Consultant dermatologist",
        "specialty": "Dermatology",
        "bio": "<p>Dr Doe has treated skin conditions for fifteen years and leads the clinic's aesthetic service.</p>",
        "profile_url": "https://riverside-clinic.example/team/jane-doe/",
    },
    {
        "name": "Dr Samuel Okafor",
        "credentials": "MBBS, MRCP",
        "role": "Aesthetic physician",
        "specialty": "Aesthetic medicine",
        "bio": "<p>Dr Okafor specialises in skin peels and laser treatments.</p>",
        "profile_url": "https://riverside-clinic.example/team/samuel-okafor/",
    },
]

# The mesotherapy article's sources. Invented for the demo: example.org addresses and
# Crossref's test DOI prefix (10.5555), so no real publication is misquoted.
MESOTHERAPY_REFERENCES = [
    {
        "title": "Injection lipolysis and mesotherapy: a review of the evidence",
        "publisher": "Journal of Clinical Aesthetic Practice",
        "year": 2023,
        "doi": "10.5555/demo.meso.2023.001",
    },
    {
        "title": "Cellulite: causes, prevention and treatment options",
        "publisher": "Example Dermatology Society",
        "year": 2024,
        "url": "https://dermatology-society.example.org/patients/cellulite",
    },
    {
        "title": "Side effects of cosmetic skin injections: a patient survey",
        "publisher": "Skin Health Research Institute",
        "year": 2022,
        "url": "https://skin-research.example.org/reports/injection-side-effects",
    },
]

MESOTHERAPY_FAQ = {
    "heading": "Frequently asked questions",
    "items": [
        {
            "question": "Does mesotherapy hurt?",
            "answer": "<p>Most people feel a light pinch with each injection. We can put a numbing cream on first.</p>",
        },
        {
            "question": "How soon will I see a difference?",
            "answer": "<p>Most people notice a change after three or four sessions.</p>",
        },
        {
            "question": "Can I go back to work the same day?",
            "answer": "<p>Yes. Avoid hard exercise and saunas for a day or two.</p>",
        },
    ],
}


def next_steps(page_id, text):
    return {
        "heading": "Next steps",
        "text": text,
        "page": page_id,
        "link_text": "Request an appointment",
    }


def articles(next_steps_page_id, image_id):
    """The demo articles as (slug, fields) pairs; ``body`` is raw StreamField data."""
    return [
        (
            "mesotherapy",
            {
                "title": "Mesotherapy",
                "intro": (
                    "Mesotherapy is a series of tiny injections of vitamins, enzymes and "
                    "medicines into the middle layer of the skin. It is used to reduce the "
                    "look of cellulite, to tighten loose skin and to soften fine wrinkles."
                ),
                "search_description": "What mesotherapy is, how it works, its side effects and how to prevent cellulite.",
                "body": [
                    {"type": "heading", "value": {"text": "How does mesotherapy work?", "level": "h2"}},
                    {
                        "type": "paragraph",
                        "value": (
                            "<p>Your doctor uses a very fine needle to place small amounts of a "
                            "tailored mixture just under the surface of the skin. The mixture "
                            "improves circulation and helps the body break down fat deposits that "
                            "give skin its dimpled look [1].</p><p>A session takes about thirty "
                            "minutes. Most people need between four and ten sessions, one or two "
                            "weeks apart [2].</p>"
                        ),
                    },
                    {
                        "type": "image",
                        "value": {
                            "image": image_id,
                            "alt_text": "A bright, calm treatment room with a reclining chair",
                            "caption": "Treatments take place in a private room at the clinic.",
                        },
                    },
                    {"type": "heading", "value": {"text": "Who is it for?", "level": "h2"}},
                    {
                        "type": "paragraph",
                        "value": (
                            "<p>Mesotherapy suits adults in good general health who want to "
                            "improve an area of cellulite or skin laxity. It is not a weight-loss "
                            "treatment. It is not suitable during pregnancy or breastfeeding, or "
                            "for people taking blood thinners.</p>"
                        ),
                    },
                    {
                        "type": "facts_list",
                        "value": {
                            "title": "Possible side effects",
                            "items": [
                                "Small bruises where the needle went in",
                                "Redness and mild swelling for a day or two",
                                "Tenderness of the treated area",
                                "Rarely, an allergic reaction to one of the ingredients",
                            ],
                        },
                    },
                    {
                        "type": "paragraph",
                        "value": "<p>Side effects are usually mild and pass within a few days [3].</p>",
                    },
                    {"type": "prevention_steps", "value": MESOTHERAPY_STEPS},
                    {
                        "type": "callout",
                        "value": {
                            "style": "note",
                            "title": "Don't expect miracles",
                            "text": (
                                "<p>Mesotherapy can make a visible difference, but results "
                                "differ from person to person and last longest when combined "
                                "with a healthy lifestyle.</p>"
                            ),
                        },
                    },
                    {
                        "type": "callout",
                        "value": {
                            "style": "disclaimer",
                            "title": "Medical disclaimer",
                            "text": (
                                "<p>This article is general information and does not replace "
                                "a consultation with a doctor.</p>"
                            ),
                        },
                    },
                    {"type": "faq", "value": MESOTHERAPY_FAQ},
                    {
                        "type": "next_steps",
                        "value": next_steps(
                            next_steps_page_id,
                            "Book a consultation and one of our doctors will tell you whether "
                            "mesotherapy is right for you.",
                        ),
                    },
                ],
            },
        ),
        (
            "chemical-peel",
            {
                "title": "Chemical peel",
                "intro": (
                    "A chemical peel applies a mild acid solution to the face so that the top "
                    "layers of skin come away, revealing smoother, more even skin underneath."
                ),
                "search_description": "How a chemical peel works, recovery time and aftercare.",
                "body": [
                    {"type": "heading", "value": {"text": "What happens during a peel?", "level": "h2"}},
                    {
                        "type": "paragraph",
                        "value": (
                            "<p>After cleansing your skin, the doctor brushes on the peel and "
                            "leaves it for a few minutes. You may feel warmth or tingling. The "
                            "solution is then neutralised and a soothing cream applied.</p>"
                        ),
                    },
                    {"type": "heading", "value": {"text": "Recovery", "level": "h3"}},
                    {
                        "type": "paragraph",
                        "value": (
                            "<p>Light peels need no time off. After a medium peel the skin "
                            "flakes for about a week.</p>"
                        ),
                    },
                    {
                        "type": "prevention_steps",
                        "value": {
                            "title": "Caring for your skin after a peel",
                            "steps": [
                                {
                                    "text": "Keep out of strong sun for two weeks",
                                    "sub_points": ["Wear a hat", "Use SPF 50 sunscreen"],
                                },
                                {"text": "Do not pick at flaking skin", "sub_points": []},
                                {"text": "Use a gentle, fragrance-free moisturiser", "sub_points": []},
                            ],
                        },
                    },
                    {
                        "type": "next_steps",
                        "value": next_steps(next_steps_page_id, "Ask us which peel suits your skin type."),
                    },
                ],
            },
        ),
        (
            "laser-hair-removal",
            {
                "title": "Laser hair removal",
                "intro": (
                    "Laser hair removal uses pulses of light to damage hair follicles so that "
                    "hair grows back finer and more slowly, or not at all."
                ),
                "search_description": "How laser hair removal works, how many sessions you need and what it feels like.",
                "body": [
                    {"type": "heading", "value": {"text": "How many sessions will I need?", "level": "h2"}},
                    {
                        "type": "paragraph",
                        "value": (
                            "<p>Hair grows in cycles, and the laser only affects hairs that are "
                            "actively growing. Most people need six to eight sessions four to six "
                            "weeks apart.</p>"
                        ),
                    },
                    {
                        "type": "facts_list",
                        "value": {
                            "title": "What it feels like",
                            "items": [
                                "A quick snap, like a rubber band",
                                "Warmth on the skin for an hour or so",
                            ],
                        },
                    },
                    {
                        "type": "callout",
                        "value": {
                            "style": "warning",
                            "title": "Before your appointment",
                            "text": "<p>Shave the area the day before, and avoid tanning for four weeks.</p>",
                        },
                    },
                    {
                        "type": "next_steps",
                        "value": next_steps(next_steps_page_id, "Book a free patch test at the clinic."),
                    },
                ],
            },
        ),
    ]
