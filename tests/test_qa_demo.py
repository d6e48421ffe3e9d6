"""demo.qa: the demo's questions (official answer in the 常见问题, plain answer, private, waiting), its
forbidden words and this month's content prompts — made through the services, shown to the demo
member and secretary, and removed by the demo reset."""

import io
import random

import pytest
from django.core.management import call_command

from liangxin.accounts.models import User
from liangxin.demo import qa
from liangxin.demo.accounts import create_secretary_account
from liangxin.demo.party import build_party_demo
from liangxin.demo.reset import delete_demo_data
from liangxin.life.models import ContentPrompt
from liangxin.qa.models import Answer, ForbiddenWord, Question

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_demo_has_each_kind_of_question_and_this_months_prompts_and_the_reset_clears_them():
    call_command("seed_demo", orgs=1000, seed=5, no_party=True, snapshots=0, stdout=io.StringIO())
    build_party_demo(random.Random(5), log=lambda _: None)
    create_secretary_account()
    assert qa.build_demo(random.Random(5), lambda _: None) == {"党建问答": 5, "组织生活内容提示": 2}
    assert qa.build_demo(random.Random(5), lambda _: None) == {}  # once
    assert Question.objects.filter(status="open").count() == 1
    assert Question.objects.filter(is_public=False, status="answered").count() == 1
    assert Answer.objects.filter(official=True).count() == 2
    member = User.objects.get(username="member")
    faq = client_for(member).get("/portal/qa/").content.decode()
    assert "工资每月不固定" in faq and "换工作后" not in faq  # a plain answer is not in the 常见问题
    home = client_for(User.objects.get(username="secretary")).get("/").content.decode()
    assert "本月内容提示" in home and "学习贯彻支部工作条例" in home
    delete_demo_data()
    assert not Question.objects.exists() and not ContentPrompt.objects.exists()
    assert not ForbiddenWord.objects.exists()
