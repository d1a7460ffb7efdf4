"""What the survey says to the customer, in their language (en, fa, ar, zh, vi), per kind of channel.

Customer-facing message text, like templates/autoreplies: not interface strings, so not in the catalogues.
"""

from __future__ import annotations

LANGUAGES = ("en", "fa", "ar", "zh", "vi")
RTL = ("fa", "ar")

# Where the channel shows buttons (Telegram, WhatsApp's quick replies): the question alone.
QUESTION = {
    "en": "How would you rate the help you got? 1 is poor, 5 is excellent.",
    "fa": "به کمکی که دریافت کردید چه امتیازی می‌دهید؟ ۱ ضعیف، ۵ عالی.",
    "ar": "كيف تقيّم المساعدة التي حصلت عليها؟ 1 ضعيف، 5 ممتاز.",
    "zh": "您如何评价您获得的帮助？1 分为差，5 分为非常好。",
    "vi": "Bạn đánh giá sự hỗ trợ bạn nhận được thế nào? 1 là kém, 5 là rất tốt.",
}
# Where the answer is typed (SMS, WhatsApp without a template).
REPLY_WITH_A_NUMBER = {
    "en": "How would you rate the help you got? Reply with a number from 1 (poor) to 5 (excellent).",
    "fa": "به کمکی که دریافت کردید چه امتیازی می‌دهید؟ با یک عدد از ۱ (ضعیف) تا ۵ (عالی) پاسخ دهید.",
    "ar": "كيف تقيّم المساعدة التي حصلت عليها؟ أرسل رقمًا من 1 (ضعيف) إلى 5 (ممتاز).",
    "zh": "您如何评价您获得的帮助？请回复 1（差）到 5（非常好）之间的数字。",
    "vi": "Bạn đánh giá sự hỗ trợ bạn nhận được thế nào? Hãy trả lời bằng một số từ 1 (kém) đến 5 (rất tốt).",
}
# Email: the question, then one link per score.
CLICK_A_SCORE = {
    "en": "How would you rate the help you got? Click a score, 1 (poor) to 5 (excellent):",
    "fa": "به کمکی که دریافت کردید چه امتیازی می‌دهید؟ روی یک امتیاز کلیک کنید، ۱ (ضعیف) تا ۵ (عالی):",
    "ar": "كيف تقيّم المساعدة التي حصلت عليها؟ انقر على درجة، من 1 (ضعيف) إلى 5 (ممتاز):",
    "zh": "您如何评价您获得的帮助？请点击一个分数，1（差）到 5（非常好）：",
    "vi": "Bạn đánh giá sự hỗ trợ bạn nhận được thế nào? Hãy bấm một điểm, từ 1 (kém) đến 5 (rất tốt):",
}
SCORE_LABELS = {
    "en": ("1 – poor", "2", "3", "4", "5 – excellent"),
    "fa": ("۱ – ضعیف", "۲", "۳", "۴", "۵ – عالی"),
    "ar": ("1 – ضعيف", "2", "3", "4", "5 – ممتاز"),
    "zh": ("1 – 差", "2", "3", "4", "5 – 非常好"),
    "vi": ("1 – kém", "2", "3", "4", "5 – rất tốt"),
}
THANKS = {
    "en": "Thank you for your rating.",
    "fa": "از امتیاز شما سپاسگزاریم.",
    "ar": "شكرًا لتقييمك.",
    "zh": "感谢您的评分。",
    "vi": "Cảm ơn bạn đã đánh giá.",
}


def language_of(value: object) -> str:
    """One of LANGUAGES from a contact's language ("fa", "fa-IR", "zh-Hans"); English otherwise."""
    code = str(value or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else "en"
