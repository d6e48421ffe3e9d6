"""Permission matrix entries for 党建问答 and 组织生活内容提示 (merged into tests/test_permission_matrix.py).

The branch secretary asks (the only asker of the cast); the question goes to 南京东路街道综合党委. A
public question is read by every signed-in user; a private one by the secretary who asked and by
南京东路 only — not by the committees above it (404, as if missing). Only 南京东路's administrator
answers and moderates: other committee administrators get 403 on a public question, 404 on a
private one; those who answer nothing (auditor, secretary, a user without a role) get 403.
The city administrator alone keeps the forbidden words.

A 南京东路 content prompt is read by its subtree (the secretary) and the committees above it, and
changed by 南京东路 and above; 徐汇, 外滩 and the lawyers' committee get 404.
"""

from .test_permission_matrix import API, CITY_ONLY, EVERYONE, ORG_EDITORS, ORG_READERS, VIEW_ORG, expect, invalid_body

PRIVATE = expect(404, nanjing=200, secretary=200)
NANJING_ONLY = expect(403, nanjing=200)  # a public question: visible to all, answered by 南京东路
MODERATE_PRIVATE = expect(404, nanjing=200, auditor=403, secretary=403, nobody=403)
PROMPT_EDIT = expect(404, city=200, huangpu=200, nanjing=200, auditor=403, secretary=403, nobody=403)
ASKERS = expect(403, secretary=200)
# over the API a private question's step: 南京东路 acts (400 for an empty body), the asker reads it (403),
# everyone else finds nothing (404: no capability is asked before the lookup)
MODERATE_PRIVATE_API = {**expect(404, nanjing=400, secretary=403), **API}


def _question(c, public: bool):
    from liangxin.qa import services

    values = {"title": "党费按什么基数交纳？", "text": "工资每月变动，党费按什么交纳？", "is_public": public}
    return services.ask(c.secretary, c.branch.node, values)


def public_question(c) -> dict:
    return {"pk": _question(c, True).pk}


def private_question(c) -> dict:
    return {"pk": _question(c, False).pk}


def private_answer(c) -> dict:
    from liangxin.qa import services

    return {"pk": services.answer(c.street_admin, _question(c, False), "按月交纳。").pk}


def search_q(c) -> dict:
    return {"?": {"q": "党费", "view": "public"}}


def nanjing_prompt(c) -> dict:
    from django.utils import timezone

    from liangxin.life import prompts

    values = {"month": f"{timezone.localdate():%Y-%m}", "title": "本月提示", "text": "学习。", "topics": "甲"}
    return {"pk": prompts.publish(c.street_admin, c.nanjing_node, values, timezone.localdate()).pk}


def _redirected(table: dict) -> dict:
    return {k: (302 if v == 200 else v) for k, v in table.items()}


ENTRIES: dict = {
    "web:qa_list": ("get", None, None, EVERYONE),
    "web:qa_list SEARCH": ("get", search_q, None, EVERYONE),
    "web:qa_ask": ("get", None, None, ASKERS),
    "web:qa_ask POST": ("post", None, None, invalid_body(ASKERS)),
    "web:qa_inbox": ("get", None, None, ORG_EDITORS),
    "web:qa_words": ("get", None, None, CITY_ONLY),
    "web:qa_words POST": ("post", None, None, _redirected(CITY_ONLY)),  # an empty list saved: back to the page
    "web:qa_detail": ("get", private_question, None, PRIVATE),
    "web:qa_detail PUBLIC": ("get", public_question, None, EVERYONE),
    "web:qa_answer": ("get", public_question, None, _redirected(NANJING_ONLY)),
    "web:qa_answer POST": ("post", public_question, None, invalid_body(NANJING_ONLY)),
    "web:qa_moderate": ("get", private_question, None, _redirected(MODERATE_PRIVATE)),
    "web:qa_moderate POST": ("post", private_question, None, invalid_body(MODERATE_PRIVATE)),
    "web:qa_answer_edit": ("get", private_answer, None, MODERATE_PRIVATE),
    "web:qa_answer_edit POST": ("post", private_answer, None, invalid_body(MODERATE_PRIVATE)),
    "web:qa_answer_withdraw": ("get", private_answer, None, _redirected(MODERATE_PRIVATE)),
    "web:qa_answer_withdraw POST": ("post", private_answer, None, invalid_body(MODERATE_PRIVATE)),
    "question-list": ("get", None, None, {**EVERYONE, **API}),
    "question-list SEARCH": ("get", search_q, None, {**EVERYONE, **API}),
    "question-list POST": ("post", None, {"title": ""}, {**invalid_body(ASKERS), **API}),
    "question-detail": ("get", private_question, None, {**PRIVATE, **API}),
    "question-answer": ("post", public_question, {}, {**invalid_body(NANJING_ONLY), **API}),
    "question-moderate": ("post", private_question, {}, MODERATE_PRIVATE_API),
    "question-moderate PUBLIC": ("post", public_question, {"action": "hide"}, {**invalid_body(NANJING_ONLY), **API}),
    "qa-answer-detail": ("get", private_answer, None, {**PRIVATE, **API}),
    "qa-answer-detail PATCH": ("patch", private_answer, {"text": ""}, MODERATE_PRIVATE_API),
    "qa-answer-withdraw": ("post", private_answer, {}, MODERATE_PRIVATE_API),
    "web:life_prompts": ("get", None, None, ORG_READERS),
    "web:life_prompt_create": ("get", None, None, ORG_EDITORS),
    "web:life_prompt_create POST": ("post", None, None, invalid_body(ORG_EDITORS)),
    "web:life_prompt_detail": ("get", nanjing_prompt, None, VIEW_ORG),
    "web:life_prompt_edit": ("get", nanjing_prompt, None, PROMPT_EDIT),
    "web:life_prompt_edit POST": ("post", nanjing_prompt, None, invalid_body(PROMPT_EDIT)),
    # 撤回 without a reason: refused, back to the prompt's page (nothing changes between users)
    "web:life_prompt_withdraw": ("post", nanjing_prompt, None, _redirected(PROMPT_EDIT)),
    "content-prompt-list": ("get", None, None, {**ORG_READERS, **API}),
    "content-prompt-detail": ("get", nanjing_prompt, None, {**VIEW_ORG, **API}),
    "content-prompt-withdraw": ("post", nanjing_prompt, {}, {**invalid_body(PROMPT_EDIT), **API}),
}
