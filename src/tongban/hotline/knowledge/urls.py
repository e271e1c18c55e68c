"""Knowledge base pages under /console/hotline/knowledge/."""

urlpatterns: list = []
