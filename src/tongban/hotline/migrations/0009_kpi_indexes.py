from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("hotline", "0008_ticket_search_index")]

    operations = []
