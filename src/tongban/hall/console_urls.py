"""Staff pages of the hall app under /console/hall/."""

app_name = "hall-console"

urlpatterns: list = []
