"""Template tags for clinical review: inline citations and the clinic's JSON-LD."""

from django import template

from treatment_pages.articles.structured_data import clinic_structured_data
from treatment_pages.models import ClinicContactSettings
from treatment_pages.review.citations import link_citations
from treatment_pages.templatetags.treatment_tags import json_ld

register = template.Library()


class CitationsNode(template.Node):
    def __init__(self, nodelist, page):
        self.nodelist, self.page = nodelist, page

    def render(self, context):
        page = self.page.resolve(context)
        count = len(getattr(page, "reference_list", None) or [])
        return link_citations(self.nodelist.render(context), count)


@register.tag
def citations(parser, token):
    """``{% citations page %}…{% endcitations %}``: each ``[n]`` in the enclosed HTML that
    matches one of ``page``'s references becomes a link to it."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% citations page %} takes one argument: the page.")
    nodelist = parser.parse(("endcitations",))
    parser.delete_first_token()
    return CitationsNode(nodelist, parser.compile_filter(bits[1]))


@register.simple_tag(takes_context=True)
def clinic_json_ld(context):
    """The clinic's schema.org ``MedicalClinic`` as a JSON-LD block (nothing when not set up)."""
    request = context.get("request")
    contact = ClinicContactSettings.for_api(request)
    url = request.build_absolute_uri("/") if request is not None else None
    data = clinic_structured_data(contact, url)
    return json_ld(data) if data else ""
