"""What kind of answer a question asks for, read from its folded words.

Regular expressions over the folded question (tone marks removed): a number and of
which kind (money, percent, date, count), a list, a reason, the signer, a body's duties.
``shows_answer_type`` then checks that a quote holds the kind of value asked for.
"""

from __future__ import annotations

import re

_NUMBER_QUESTION = re.compile(
    r"\b(bao nhieu|bn|may (nam|thang|ngay|tin|phan tram|%)|so may|nam nao|ngay nao|thang nao|thang may|"
    r"nam may|khi nao|bao gio|luc nao|ty le|phan tram|how many|how much|what percentage|what share|"
    r"what rate|growth rate|when|what date|which year|what year|which month)\b"
)
# Words of money, folded. Folding merges "đồng" (money) with "động" (hoạt động, lao
# động), "giá" with "gia" (tham gia, quốc gia), "lương" with "lượng" (số lượng, lực
# lượng) and "tỷ" with "tỷ lệ / tỷ trọng" (a share): those neighbours are not money.
_MONEY = (
    r"(tien|trieu|usd|do la|von|kinh phi|ngan sach|chi phi|phi|money|budget|cost|billion|million"
    r"|(?<!hoat )(?<!lao )(?<!van )(?<!cong )(?<!chu )(?<!tac )(?<!bien )(?<!phat )(?<!khoi )"
    r"dong(?! (bo|thuan|chi|bang|hanh|y|nghiep|thoi|deu|loat|gop))"
    r"|ty(?! (trong|le))|(?<!tham )(?<!quoc )gia(?! (dinh|tri|tang))"
    r"|(?<!so )(?<!chat )(?<!luc )(?<!nang )(?<!khoi )(?<!san )(?<!dung )luong)"
)
_ANSWER_TYPES = (
    # A share first: "tỷ trọng kinh tế số … bao nhiêu" asks for a percentage, not an amount.
    ("percent", re.compile(r"\b(phan tram|ty le|ty trong|percentage|percent|share)\b|%")),
    (
        "money",
        re.compile(
            rf"\b(bao nhieu|bn|how much|how many)\b.*\b{_MONEY}\b|\bmay {_MONEY}\b"
            rf"|\b{_MONEY}\b.*\b(bao nhieu|bn|how much)\b"
        ),
    ),
    (
        "date",
        re.compile(
            r"\b(ngay nao|khi nao|bao gio|nam nao|thang nao|(?<!moi )(?<!hang )thang may|nam may|luc nao|thoi gian nao|thoi han|han chot|ngay (ban hanh|ky|thong qua|phat hanh)|when|what year|which year|what date|which month|date|deadline"
            # "ngày bao nhiêu", "hôm nào"; "năm bao nhiêu" but not "mỗi năm bao nhiêu" (a rate)
            r"|ngay (bao nhieu|bn|may)|(?<!moi )(?<!hang )nam (bao nhieu|bn)|hom nao|bua nao)\b"
        ),
    ),
)
_EXPECTED = {
    "money": re.compile(r"\d[\d.,]*\s*(USD|đồng|tỷ|triệu|đô)", re.IGNORECASE),
    "percent": re.compile(r"\d\s*%"),
    "date": re.compile(r"\b(19|20)\d\d\b|\d{1,2}/\d{4}|tháng\s+\d"),
    "count": re.compile(r"\d"),
}


def answer_type(folded_question: str) -> str:
    for name, pattern in _ANSWER_TYPES:
        if pattern.search(folded_question):
            return name
    return "count" if _NUMBER_QUESTION.search(folded_question) else ""


def shows_answer_type(kind: str, text: str) -> bool:
    """Whether a quote holds the kind of value the question asks for (an amount, a date…)."""
    return not kind or bool(_EXPECTED[kind].search(text))


_REASON_QUESTION = re.compile(
    r"\b(sao phai|tai sao|vi sao|sao lai|ly do|de lam gi|nham muc dich gi|de lam chi|why|what for|reason)\b"
)
_SIGNER_QUESTION = re.compile(
    r"\b(ai ky|nguoi ky|ky ten|ky boi|do ai ky|ai la nguoi ky|who signed|signed by|signatory|signer)\b"
)
# Who issued a document ("ai ban hành", "cơ quan nào ra", "Thành ủy hay UBND ban hành",
# "which body put it out"): the sentence that says "… ban hành Kế hoạch …" answers.
_WHO = (
    r"(ai|co quan nao|don vi nao|cap nao|ban nao|noi nao|to chuc nao|who|which body|what body|"
    r"which agency|which authority|which organi[sz]ation|which office)"
)
_ISSUE = (
    r"(ban hanh|phat hanh|issued?|issues|issuing|puts? (?:it |this |them )?out|released?|publish(?:ed|es)?|"
    r"adopted|came out with)"
)
_ISSUER_QUESTION = re.compile(
    rf"\b{_WHO}\b.{{0,40}}\b{_ISSUE}\b|\b{_ISSUE}\b.{{0,40}}\b{_WHO}\b"
    rf"|\b(co quan nao|ai|don vi nao|cap nao) ra\b|\bhay\b.{{0,40}}\bban hanh\b"
    rf"|\b(la )?cua (co quan nao|ai|don vi nao|cap nao)\b"
)
# What a body must do: answered by everything under the heading that names the body.
_DUTY_QUESTION = re.compile(
    r"\b((?<!de )lam gi|lam nhung gi|nhiem vu|duoc giao|giao gi|trach nhiem|"
    r"what (does|do|did|will|should|must)\b.{0,80}\b(do|doing)|asked to|tasked with|"
    r"duty|duties|responsible for|responsibilities)\b"
)


# By what means something is done ("bằng những cách nào", "hình thức nào", "which ways",
# "how will it be promoted"): a heading of forms ("HÌNH THỨC …") answers it whole. Not
# "làm cách nào để …", which asks for a procedure.
_MANNER_QUESTION = re.compile(
    r"\b(cach|hinh thuc|phuong thuc|cach thuc) (nao|gi)\b(?! de)|\bbang cach\b(?! nao de)"
    r"|\b(what|which|through which|by what)( \w+){0,2} (ways|forms|formats|methods|modes)\b"
    r"|\bhow (will|is|are|would|do|does|can|should)\b.{0,60}\b(promot|spread|communicat|"
    r"disseminat|publici[sz]|propagand)"
)
MANNER_HEADING = re.compile(r"\b(hinh thuc|cach thuc|phuong thuc)\b")


# To whom the document is sent ("có gửi lên Ban … không", "nơi nhận", "who receives
# copies"): its "Nơi nhận:" list answers. The document is the subject: "báo cáo gửi về
# đâu" asks where reports go (a duty), not who receives the plan.
_RECIPIENT_QUESTION = re.compile(
    r"\bnoi nhan\b|\b(ke hoach|kh|van ban|nghi quyet|nq|plan|document|resolution)\b.{0,25}"
    r"\b(gui|sent|send|distributed|copied|circulated)\b|\bgui (ke hoach|kh|van ban)\b"
    r"|\b(who|which \w+) (receives?|gets?|got) (copies|a copy|it|the plan)\b|\brecipients?\b"
)


def asks_recipients(folded: str) -> bool:
    return bool(_RECIPIENT_QUESTION.search(folded))


def asks_manner(folded: str) -> bool:
    return bool(_MANNER_QUESTION.search(folded))


def names_a_duty(folded: str) -> bool:
    """Words that ask what someone must do ("làm gì", "nhiệm vụ", "asked to do")."""
    return bool(_DUTY_QUESTION.search(folded))


_LIST_QUESTION = re.compile(
    r"\b(nhung|cac|gom|ke ten|liet ke|bao gom|nhom|hinh thuc nao|which|what are|list|forms|ways|kinds)\b"
    # A count of things the documents enumerate ("năm quan điểm", "05 quan điểm", "three
    # breakthroughs"): the whole list is asked for, not one sentence of it.
    r"|\b(hai|ba|bon|nam|sau|bay|tam|chin|muoi|0?[2-9]|1[0-9])\s+(quan diem|nhiem vu|giai phap|"
    r"muc tieu|noi dung|chi tieu|dot pha|truc|yeu cau|hinh thuc|linh vuc|diem|y chinh|nhom)\b"
    r"|\b(two|three|four|five|six|seven|eight|nine|ten|[2-9]|1[0-9])\s+(main\s+|key\s+|core\s+)?"
    r"(viewpoints?|perspectives?|principles?|tasks?|solutions?|goals?|targets?|breakthroughs?|"
    r"requirements?|forms?|pillars?|points?|areas?|groups?)\b"
)


# A sentence ends at . ! ? ; or a line break, but not inside a number ("12.000", "2.5").
_SENTENCE_END = re.compile(r"(?<!\d)[.!?;\n]+(?!\d)|[.!?;\n]+(?=\s|$)")
LONG_QUESTION = 20  # words: from here the story around the question may drown it
ASK_WORDS = 8  # an ask shorter than this takes the sentence before it too


def the_ask(text: str) -> str:
    """The sentence a long message asks in ("Ông tôi ngày xưa… Vậy kế hoạch nói gì về …?"):
    the last one ending in "?", else the last one. Short messages are their own ask.

    The story around it dilutes what is searched and judged; the engine still reads the
    whole message for what the story tells (names, prices, other documents)."""
    if len(text.split()) < LONG_QUESTION:
        return text
    sentences: list[tuple[str, bool]] = []
    start = 0
    for end in [*_SENTENCE_END.finditer(text), None]:
        stop = end.start() if end else len(text)
        sentence = text[start:stop].strip()
        if sentence:
            sentences.append((sentence, bool(end and "?" in end.group())))
        start = end.end() if end else stop
    if len(sentences) < 2:
        return text
    asked = [i for i, (_, question) in enumerate(sentences) if question]
    i = asked[-1] if asked else len(sentences) - 1
    ask = sentences[i][0]
    while len(ask.split()) < ASK_WORDS and i > 0:
        i -= 1
        ask = f"{sentences[i][0]}. {ask}"
    return ask
