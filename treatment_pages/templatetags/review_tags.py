"""Template tags for clinical review: inline citations."""

from django import template

from treatment_pages.review.citations import link_citations

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
