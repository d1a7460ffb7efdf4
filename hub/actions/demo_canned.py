"""The demo's canned responses: a greeting, "we're looking into it" and a closing in each product language,
shared, and one personal greeting for a Support agent that takes the shared /hi's place for her."""

from __future__ import annotations

from bson import ObjectId

from hub.clock import utcnow
from hub.store import canned
from hub.store.db import Db

# (shortcut, title, body); the English ones have the plain shortcuts. Names are optional in every text:
# a customer known only by a phone number still gets a sentence that reads well.
SHARED: tuple[tuple[str, str, str], ...] = (
    ("hi", "Greeting",
     "Hello{% if contact.first_name %} {{ contact.first_name }}{% endif %}, thanks for getting in touch. "
     "I'm {{ agent.first_name }} — how can I help?"),
    ("looking", "We're looking into it",
     "Thanks for your patience — we're looking into it now and will get back to you as soon as we know more."),
    ("bye", "Closing",
     "Glad we could help{% if contact.first_name %}, {{ contact.first_name }}{% endif %}! If anything else comes "
     "up, just reply to this message. Have a good day."),
    ("hi-fa", "خوشامدگویی",
     "سلام{% if contact.first_name %} {{ contact.first_name }} عزیز{% endif %}، ممنون که با ما تماس گرفتید. "
     "من {{ agent.first_name }} هستم؛ چطور می‌توانم کمکتان کنم؟"),
    ("looking-fa", "در حال بررسی",
     "از صبر شما ممنونیم. موضوع را در حال بررسی داریم و به محض اینکه نتیجه‌ای بگیریم به شما خبر می‌دهیم."),
    ("bye-fa", "پایان گفتگو",
     "خوشحالیم که توانستیم کمک کنیم. اگر سؤال دیگری داشتید، کافی است به همین پیام پاسخ دهید. روز خوبی داشته باشید!"),
    ("hi-ar", "تحية",
     "مرحبًا{% if contact.first_name %} {{ contact.first_name }}{% endif %}، شكرًا لتواصلك معنا. "
     "معك {{ agent.first_name }}، كيف يمكنني مساعدتك؟"),
    ("looking-ar", "قيد المتابعة",
     "شكرًا على صبرك. نحن نتحقق من الأمر الآن وسنعود إليك فور توفر أي معلومات."),
    ("bye-ar", "ختام المحادثة",
     "يسعدنا أننا استطعنا المساعدة. إذا احتجت أي شيء آخر، فقط رُدّ على هذه الرسالة. نتمنى لك يومًا سعيدًا!"),
    ("hi-zh", "问候",
     "{% if contact.name %}{{ contact.name }}，{% endif %}您好！感谢您联系我们。"
     "我是{{ agent.name }}，请问有什么可以帮您？"),
    ("looking-zh", "正在处理",
     "感谢您的耐心等待，我们正在处理这个问题，一有进展会第一时间通知您。"),
    ("bye-zh", "结束语",
     "很高兴能帮到您！如果还有其他问题，直接回复这条消息即可。祝您生活愉快！"),
    # Vietnamese names put the given name last, so the greeting uses the whole name.
    ("hi-vi", "Lời chào",
     "Xin chào{% if contact.name %} {{ contact.name }}{% endif %}, cảm ơn bạn đã liên hệ với chúng tôi. "
     "Mình là {{ agent.name }}, mình có thể giúp gì cho bạn?"),
    ("looking-vi", "Đang kiểm tra",
     "Cảm ơn bạn đã kiên nhẫn chờ đợi. Chúng tôi đang kiểm tra vấn đề và sẽ phản hồi bạn ngay khi có thông tin."),
    ("bye-vi", "Lời kết",
     "Rất vui vì đã giúp được bạn! Nếu cần hỗ trợ thêm, bạn chỉ cần trả lời tin nhắn này. Chúc bạn một ngày tốt lành!"),
)

PERSONAL = ("hi", "My greeting",
            "Hi{% if contact.first_name %} {{ contact.first_name }}{% endif %}, {{ agent.first_name }} from Support "
            "here. I've got your message and I'm on it.")


async def seed_canned(db: Db, author: ObjectId, personal_owner: ObjectId | None) -> None:
    now = utcnow()
    for shortcut, title, body in SHARED:
        await canned.create(db, shortcut, title, body, author, now)
    if personal_owner is not None:
        shortcut, title, body = PERSONAL
        await canned.create(db, shortcut, title, body, personal_owner, now, owner_id=personal_owner)
