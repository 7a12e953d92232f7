"""Everything the Zalo adapters assume about Zalo's two APIs, in one place.

Zalo's own pages were not readable when this was written; each value comes from material
that quotes them (see shared/design/CHANNELS.md, sections 1 and 2). When Zalo turns out
to differ, the fix is one line here.
"""

from __future__ import annotations

# ---- Zalo Official Account: Open API v3 and OAuth v4 -----------------------------------
OA_CS_PATH = "/v3.0/oa/message/cs"  # consultation ("tin tư vấn") message
OA_USER_DETAIL_PATH = "/v3.0/oa/user/detail"
OA_UPLOAD_IMAGE_PATH = "/v2.0/oa/upload/image"  # multipart, field "file" → data.attachment_id
OA_UPLOAD_FIELD = "file"
OA_MAX_IMAGE_BYTES = 1024 * 1024  # [U] third-party guides say 1 MB, jpg/png
OA_IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png"}  # what upload/image takes [U]
OA_ATTACHMENT_TYPE = "template"  # an image is sent as a "media" template of its attachment id
OA_TEMPLATE_MEDIA = "media"
OA_MEDIA_IMAGE = "image"
# Promotion ("tin truyền thông"): may reach a follower outside the 7-day window, counted
# against the OA's monthly quota. A "promotion" template of elements (banner, header, text).
OA_PROMOTION_PATH = "/v3.0/oa/message/promotion"
OA_TEMPLATE_PROMOTION = "promotion"
OA_PROMOTION_MAX_HEADER = 100  # [U] characters of the header element
OA_PROMOTION_MAX_TEXT = 1000  # [U] characters of one text element
OA_PROMOTION_TEXTS = 3  # [U] text elements per message; a longer update takes more messages
OA_PROMOTION_NEWLINE = "<br>"  # [U] how Zalo's own example breaks a line in a text element
OA_TOKEN_PATH = "/v4/oa/access_token"
OA_ACCESS_TOKEN_HEADER = "access_token"  # not Authorization: Bearer
OA_OAUTH_SECRET_HEADER = "secret_key"  # carries the App Secret
OA_SIGNATURE_HEADER = "X-ZEvent-Signature"  # "mac=" + sha256(app_id + body + timestamp + OA key)
OA_SIGNATURE_PREFIX = "mac="
OA_MAX_TEXT = 2000

OA_ERROR_TOKEN = -216  # access token invalid or expired: refresh, then retry once
OA_ERROR_OUTSIDE_WINDOW = -230  # the user has not interacted with the OA for 7 days
OA_ERROR_NOT_FOLLOWER = -213  # [U] described as "not a follower"
OA_ERROR_QUOTA = -32  # [U] request/quota limit exceeded
# Errors that mean "this person cannot be reached now": recorded, not retried.
OA_UNREACHABLE = {
    OA_ERROR_OUTSIDE_WINDOW: "người dân chưa tương tác với OA trong 7 ngày qua (Zalo lỗi -230)",
    OA_ERROR_NOT_FOLLOWER: "người dân chưa quan tâm (follow) OA (Zalo lỗi -213)",
    OA_ERROR_QUOTA: "đã hết lượt gửi tin miễn phí của OA (Zalo lỗi -32)",
}

# Webhook event names (event_name).
OA_TEXT = "user_send_text"
OA_USER_SEND_PREFIX = "user_send_"  # user_send_image, _sticker, _audio, _file, _location…
OA_FOLLOW = "follow"
OA_UNFOLLOW = "unfollow"
OA_IGNORED = {"user_received_message", "user_seen_message", "oa_send_text"}

# ---- Zalo Bot Platform ----------------------------------------------------------------
BOT_SECRET_HEADER = "X-Bot-Api-Secret-Token"  # a plain shared secret, not an HMAC
BOT_MAX_TEXT = 2000
BOT_MAX_CAPTION = 1024  # [U] sendPhoto's caption limit is not documented: Telegram's, to be safe
BOT_TEXT_EVENT = "message.text.received"
BOT_EVENT_PREFIX = "message."  # message.image.received, .sticker., .voice., .unsupported.
BOT_POLL_TIMEOUT = 30  # seconds, the documented default of getUpdates
BOT_POLL_NOTHING = {408}  # getUpdates answered "nothing arrived" (a timeout), not a failure
BOT_SECRET_MIN, BOT_SECRET_MAX = 8, 256  # setWebhook's secret_token length
BOT_PRIVATE_CHAT = "PRIVATE"  # chat.chat_type; GROUP chats are Beta and not served
BOT_ERROR_FORBIDDEN = 403
BOT_BLOCKED_HINTS = ("block", "chặn")  # [U] wording of "the user blocked the bot" errors
