"""Public and applicant pages of the licences app (portal URL tree)."""

from django.urls import path

from .views import portal, verify

app_name = "licences"

urlpatterns = [
    # public verification (扫码亮证) and the published signing keys (l1)
    path("verify/", verify.verify_start, name="verify-start"),
    path("verify/<str:licence_no>", verify.verify_page, name="verify"),
    path(".well-known/tongban/keys.json", verify.keys_json, name="keys-json"),
    # the holder's wallet (我的证照) and the page a share link opens (l2)
    path("my/licences/", portal.wallet_page, name="wallet"),
    path("my/licences/log/", portal.access_log, name="wallet-log"),
    path("my/licences/<int:pk>/", portal.licence_page, name="wallet-licence"),
    path("my/licences/<int:pk>/pdf/", portal.licence_pdf, name="wallet-pdf"),
    path("my/licences/<int:pk>/show/", portal.licence_show, name="wallet-show"),
    path("my/licences/<int:pk>/share/", portal.licence_share, name="wallet-share"),
    path(
        "my/licences/authorisations/<int:pk>/withdraw/",
        portal.authorisation_withdraw,
        name="wallet-withdraw",
    ),
    path("shared/<str:token>/", portal.shared, name="shared"),
]
