"""The FAQ block: questions and answers on an article, also given to search engines as ``FAQPage``."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

FAQ_ANSWER_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class FAQItemBlock(blocks.StructBlock):
    """One question and its answer."""

    question = blocks.CharBlock(max_length=250, label=_("Question"))
    answer = blocks.RichTextBlock(features=FAQ_ANSWER_FEATURES, label=_("Answer"))

    class Meta:
        icon = "help"
        label = _("Question")


class FAQBlock(blocks.StructBlock):
    """Frequently asked questions: each a question (h3) and its answer.

    The article collects every FAQ block's questions into one schema.org ``FAQPage``
    (``structured_data``), as search engines expect a single one per page.
    """

    heading = blocks.CharBlock(max_length=120, default=_("Frequently asked questions"), label=_("Heading"))
    items = blocks.ListBlock(FAQItemBlock(), min_num=1, label=_("Questions"))

    class Meta:
        icon = "help"
        template = "treatment_pages/blocks/faq_block.html"
        preview_template = "treatment_pages/blocks/block_preview.html"
        label = _("Frequently asked questions")
        description = _("Questions and answers, shown to search engines as an FAQ")
        preview_value = {
            "heading": "Frequently asked questions",
            "items": [
                {
                    "question": "Does the treatment hurt?",
                    "answer": "<p>Most people feel only a light pinch. A numbing cream can help.</p>",
                },
                {
                    "question": "How many sessions will I need?",
                    "answer": "<p>Usually between four and ten.</p>",
                },
            ],
        }

    @staticmethod
    def structured_data(value):
        """schema.org ``Question`` entries for this block's questions."""
        return [
            {
                "@type": "Question",
                "name": item["question"],
                "acceptedAnswer": {"@type": "Answer", "text": str(item["answer"])},
            }
            for item in value["items"]
        ]
