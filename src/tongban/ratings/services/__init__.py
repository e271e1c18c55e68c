"""Writes of the ratings app (every change goes through one of these)."""

from .devices import (
    device_by_token,
    device_register,
    device_request_cancel,
    device_request_push,
    device_set_mode,
    pairing_url,
    pending_request,
    rating_submit_device,
)
from .flags import rating_flag_review
from .links import invitations_send, link_create, link_open, link_url, rating_submit_link
from .ratings import (
    on_ticket_callback,
    question_set_for,
    rating_record_callback,
    rating_record_default,
    rating_submit_web,
    ratings_default_apply,
)
from .rectifications import (
    rectification_appeal,
    rectification_appeal_decide,
    rectification_contact,
    rectification_respond,
    rectification_review,
    rectification_verify,
)

__all__ = [
    "device_by_token",
    "device_register",
    "device_request_cancel",
    "device_request_push",
    "device_set_mode",
    "invitations_send",
    "link_create",
    "link_open",
    "link_url",
    "on_ticket_callback",
    "pairing_url",
    "pending_request",
    "question_set_for",
    "rating_flag_review",
    "rating_record_callback",
    "rating_record_default",
    "rating_submit_device",
    "rating_submit_link",
    "rating_submit_web",
    "ratings_default_apply",
    "rectification_appeal",
    "rectification_appeal_decide",
    "rectification_contact",
    "rectification_respond",
    "rectification_review",
    "rectification_verify",
]
