"""Where editors may create each page type (Wagtail's page-tree rules)."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from cms_site.models import HomePage
from treatment_pages.models import TreatmentIndexPage, TreatmentPage


class PageTreeRulesTests(WagtailPageTestCase):
    def test_home_page_sits_at_the_root_and_holds_treatment_sections(self):
        self.assertCanCreateAt(Page, HomePage)
        self.assertCanCreateAt(HomePage, TreatmentIndexPage)
        self.assertCanNotCreateAt(HomePage, HomePage)
        self.assertCanNotCreateAt(HomePage, TreatmentPage)
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_treatment_index_only_below_home_and_only_holds_articles(self):
        self.assertAllowedParentPageTypes(TreatmentIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(TreatmentIndexPage, {TreatmentPage})
        self.assertCanNotCreateAt(Page, TreatmentIndexPage)
        self.assertCanNotCreateAt(TreatmentIndexPage, TreatmentIndexPage)

    def test_articles_only_in_a_treatment_index_and_have_no_children(self):
        self.assertAllowedParentPageTypes(TreatmentPage, {TreatmentIndexPage})
        self.assertAllowedSubpageTypes(TreatmentPage, set())
        self.assertCanNotCreateAt(Page, TreatmentPage)
        self.assertCanNotCreateAt(TreatmentPage, TreatmentPage)
