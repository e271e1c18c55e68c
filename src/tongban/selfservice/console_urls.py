"""Staff pages of the selfservice app under /console/selfservice/."""

app_name = "selfservice-console"

urlpatterns: list = []
